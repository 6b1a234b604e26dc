#!/usr/bin/env bash
# The Spark History Server: the UI of finished (and running) applications from the event logs in
# $SPARK_EVENTS_DIR, on $LAKEPIPE_BIND_HOST:$SPARK_HISTORY_PORT. The cluster profile
# (config/spark-cluster.conf) writes those logs; logs older than a week are removed.
# Usage: infra/spark/history.sh start|stop|status|restart
source "$(dirname "${BASH_SOURCE[0]}")/../lib/service.sh"
source "$LAKEPIPE_HOME/infra/lib/spark-env.sh"

# shellcheck disable=SC2034  # read by infra/lib/service.sh's functions
SERVICE_NAME=spark-history
SERVICE_URL="http://${LAKEPIPE_BIND_HOST}:${SPARK_HISTORY_PORT}"
: "${SPARK_DAEMON_MEMORY:=512m}"
export SPARK_DAEMON_MEMORY

service_start_command() {
  [[ -x "${SPARK_HOME:-}/bin/spark-class" ]] || {
    echo "Spark (the pyspark wheel) is not installed; run ./lakepipe setup" >&2; exit 1; }
  mkdir -p "$SPARK_EVENTS_DIR"
  # The web UI binds to SPARK_LOCAL_IP (config/services.env); new logs are picked up within 5 s.
  printf 'SPARK_HISTORY_OPTS=%q ' "-Dspark.history.fs.logDirectory=file:$SPARK_EVENTS_DIR \
-Dspark.history.ui.port=$SPARK_HISTORY_PORT -Dspark.history.fs.update.interval=5s \
-Dspark.history.fs.cleaner.enabled=true -Dspark.history.fs.cleaner.maxAge=7d"
  printf '%q ' exec "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.history.HistoryServer
}

service_health() {
  curl -fsS --max-time 2 "$SERVICE_URL/api/v1/version" >/dev/null 2>&1
}

service_main "$@"
