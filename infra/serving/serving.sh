#!/usr/bin/env bash
# The online scorer (serving/, lakepipe-serving.jar) as a local service of ./lakepipe serve: the
# version behind an alias of a registered model, followed as the alias moves, on loopback with a
# bearer token. Its log is .lakepipe/logs/serving.log, its pid .lakepipe/run/serving.pid.
# Usage: infra/serving/serving.sh start|stop|status|restart [scorer option...]
# start reads from the environment (./lakepipe serve sets them): MLFLOW_TRACKING_URI, SERVING_MODEL,
# SERVING_ALIAS, SERVING_PORT, and LAKEPIPE_SERVING_TOKEN, which the scorer reads from there only.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/service.sh"

# shellcheck disable=SC2034  # read by infra/lib/service.sh's functions
SERVICE_NAME=serving
SERVICE_URL="http://${LAKEPIPE_BIND_HOST}:${SERVING_PORT}"
SERVING_JAR="$LAKEPIPE_HOME/serving/target/lakepipe-serving.jar"
ACTION="${1:-status}"
shift || true
SCORER_OPTIONS=("$@")

service_start_command() {
  [[ -f "$SERVING_JAR" ]] || { echo "No $SERVING_JAR; build it (./mvnw -pl serving -am -DskipTests package)" >&2; exit 1; }
  [[ -n "${SERVING_MODEL:-}" && -n "${LAKEPIPE_SERVING_TOKEN:-}" ]] \
    || { echo "SERVING_MODEL and LAKEPIPE_SERVING_TOKEN must be set; start the scorer with ./lakepipe serve" >&2; exit 1; }
  printf '%q ' exec java -jar "$SERVING_JAR" \
    --registry "$MLFLOW_TRACKING_URI" --model "$SERVING_MODEL" --alias "${SERVING_ALIAS:-champion}" \
    --host "$LAKEPIPE_BIND_HOST" --port "$SERVING_PORT" "${SCORER_OPTIONS[@]}"
}

# 200 only once a model is loaded: a scorer that cannot load the alias exits, and start says why.
service_health() {
  curl -fsS --max-time 2 "$SERVICE_URL/health" >/dev/null 2>&1
}

service_main "$ACTION"
