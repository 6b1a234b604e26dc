#!/usr/bin/env bash
# The MLflow tracking server of the local stack: SQLite backend store, artifacts served by the
# server itself (clients upload over HTTP to mlflow-artifacts:/), bound to loopback.
# Usage: infra/mlflow/mlflow.sh start|stop|status|restart
source "$(dirname "${BASH_SOURCE[0]}")/../lib/service.sh"

# shellcheck disable=SC2034  # read by infra/lib/service.sh's functions
SERVICE_NAME=mlflow
SERVICE_URL="http://${LAKEPIPE_BIND_HOST}:${MLFLOW_PORT}"
MLFLOW_BIN="$LAKEPIPE_STATE/venv-mlflow/bin/mlflow"

service_start_command() {
  [[ -x "$MLFLOW_BIN" ]] || { echo "MLflow is not installed; run ./lakepipe setup" >&2; exit 1; }
  # Without MLflow 3's job runner (eight huey consumer processes, 1.7 GB of memory and a second of CPU
  # a minute when idle, measured on 2026-12-07): it runs GenAI scorer jobs, which lakepipe has none
  # of. MLFLOW_SERVER_ENABLE_JOB_EXECUTION=true in the environment turns it back on.
  printf 'MLFLOW_SERVER_ENABLE_JOB_EXECUTION=%q ' "${MLFLOW_SERVER_ENABLE_JOB_EXECUTION:-false}"
  printf '%q ' exec "$MLFLOW_BIN" server \
    --backend-store-uri "sqlite:///$SERVICE_DATA/mlflow.db" \
    --artifacts-destination "$SERVICE_DATA/artifacts" \
    --serve-artifacts \
    --host "$LAKEPIPE_BIND_HOST" --port "$MLFLOW_PORT" \
    --workers "$MLFLOW_WORKERS"
}

service_health() {
  curl -fsS --max-time 2 "$SERVICE_URL/health" >/dev/null 2>&1
}

service_main "$@"
