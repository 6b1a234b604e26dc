#!/usr/bin/env bash
# Prometheus and its Pushgateway (Debian's packages, installed by ./lakepipe test as root), run as our own
# processes on $LAKEPIPE_BIND_HOST: Prometheus on $PROMETHEUS_PORT, the Pushgateway on
# $PUSHGATEWAY_PORT (config/services.env). Each is a service of infra/lib/service.sh (prometheus,
# pushgateway): log in .lakepipe/logs/, pid in .lakepipe/run/, data in .lakepipe/services/<name>/
# (Prometheus' TSDB, kept 15 days; the Pushgateway's persistence file, so pushed runs survive a restart).
# `start` renders config/prometheus/prometheus.yml.in with the ports into
# .lakepipe/services/prometheus/prometheus.yml and checks it with promtool. The scoring service's
# bearer token (LAKEPIPE_SERVING_TOKEN, from the environment) goes into an owner-only file,
# .lakepipe/monitoring-auth/serving.token, which the config names (credentials_file): the token is on
# no command line and in no config or log. Empty when no token is set (the scorer then needs none).
# Usage: infra/monitoring/prometheus.sh start|stop|status|restart|render
source "$(dirname "${BASH_SOURCE[0]}")/../lib/service.sh"

PROMETHEUS_TEMPLATE="$LAKEPIPE_HOME/config/prometheus/prometheus.yml.in"
PROMETHEUS_AUTH_DIR="$LAKEPIPE_STATE/monitoring-auth"
export PROMETHEUS_SERVING_TOKEN_FILE="$PROMETHEUS_AUTH_DIR/serving.token"

# Selects one of the two processes: prometheus or pushgateway.
select_process() {
  SERVICE_NAME="$1"
  if [[ "$SERVICE_NAME" == prometheus ]]; then
    SERVICE_URL="http://${LAKEPIPE_BIND_HOST}:${PROMETHEUS_PORT}"
  else
    SERVICE_URL="http://${LAKEPIPE_BIND_HOST}:${PUSHGATEWAY_PORT}"
  fi
  service_paths
  PROMETHEUS_CONFIG="$LAKEPIPE_STATE/services/prometheus/prometheus.yml"
}

service_start_command() {
  if [[ "$SERVICE_NAME" == prometheus ]]; then
    printf '%q ' exec prometheus --config.file="$PROMETHEUS_CONFIG" \
      --storage.tsdb.path="$SERVICE_DATA/data" --storage.tsdb.retention.time=15d \
      --web.listen-address="${LAKEPIPE_BIND_HOST}:${PROMETHEUS_PORT}" --web.enable-lifecycle
  else
    printf '%q ' exec prometheus-pushgateway \
      --web.listen-address="${LAKEPIPE_BIND_HOST}:${PUSHGATEWAY_PORT}" \
      --persistence.file="$SERVICE_DATA/metrics.store" --persistence.interval=1m
  fi
}

service_health() {
  curl -fsS --max-time 2 "$SERVICE_URL/-/ready" >/dev/null 2>&1
}

# The token file (rewritten at every start: a new token takes effect on restart) and the config.
render_config() {
  (
    umask 077
    mkdir -p "$PROMETHEUS_AUTH_DIR"
    chmod 700 "$PROMETHEUS_AUTH_DIR"
    printf '%s' "${LAKEPIPE_SERVING_TOKEN:-}" > "$PROMETHEUS_SERVING_TOKEN_FILE"
  )
  local port targets=()
  for port in $SPARK_WORKER_WEBUI_PORTS; do
    targets+=("'${LAKEPIPE_BIND_HOST}:${port}'")
  done
  SPARK_WORKER_TARGETS="[$(IFS=,; echo "${targets[*]}")]" \
    envsubst '${LAKEPIPE_BIND_HOST} ${PROMETHEUS_PORT} ${PUSHGATEWAY_PORT} ${SERVING_PORT}
      ${PROMETHEUS_SERVING_TOKEN_FILE} ${SPARK_MASTER_WEBUI_PORT} ${SPARK_WORKER_TARGETS} ${SPARK_UI_PORT}' \
    < "$PROMETHEUS_TEMPLATE" > "$PROMETHEUS_CONFIG"
  promtool check config "$PROMETHEUS_CONFIG" >/dev/null 2>&1 || {
    promtool check config "$PROMETHEUS_CONFIG" >&2
    echo "The rendered Prometheus config $PROMETHEUS_CONFIG is invalid; fix $PROMETHEUS_TEMPLATE" >&2
    return 1; }
}

require_binaries() {
  command -v prometheus >/dev/null && command -v promtool >/dev/null && command -v prometheus-pushgateway >/dev/null \
    || { echo "Prometheus is not installed: run apt-get install prometheus prometheus-pushgateway as root (./lakepipe test does it when run as root)" >&2
         return 1; }
}

monitoring_start() {
  require_binaries
  select_process prometheus
  render_config
  select_process pushgateway
  service_start
  select_process prometheus
  service_start
}

monitoring_stop() {
  for process in prometheus pushgateway; do
    select_process "$process"
    service_stop
  done
}

monitoring_status() {
  local rc=0
  for process in pushgateway prometheus; do
    select_process "$process"
    service_status || rc=$?
  done
  return "$rc"
}

case "${1:-}" in
  start) monitoring_start ;;
  stop) monitoring_stop ;;
  status) monitoring_status ;;
  restart) monitoring_stop; monitoring_start ;;
  render) require_binaries; select_process prometheus; render_config; echo "$PROMETHEUS_CONFIG" ;;
  *) echo "usage: $0 start|stop|status|restart|render" >&2; exit 2 ;;
esac
