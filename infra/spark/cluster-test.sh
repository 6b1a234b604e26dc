#!/usr/bin/env bash
# Proves that a job jar runs on the Spark standalone cluster in client and in cluster deploy mode by
# configuration alone: starts the cluster and the History Server (unless already running), submits
# the file ingest for one landed date twice with the same jar, --config and properties file
# (config/spark-cluster.conf), once per deploy mode, each into a fresh lakehouse, and checks for each:
# the submission succeeded (client: exit code; cluster: the driver's final state in the master),
# bronze holds the rows the audit table says were written, the application is FINISHED in the
# master's UI and completed in the History Server's REST API, and the cluster's secret was on no
# command line while it ran and is not in its log (the cluster always authenticates). Stops what it started; exit 1 with the
# reason on the first failure.
# Usage: infra/spark/cluster-test.sh [ds [mode...]]   (default 2001-01-15 client cluster; the
# date's landing folder must exist)
# shellcheck disable=SC2034  # read by ingest-run-checks.sh's functions
TEST_NAME=cluster-test
# shellcheck source=ingest-run-checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/ingest-run-checks.sh"
HISTORY_URL="http://${LAKEPIPE_BIND_HOST}:${SPARK_HISTORY_PORT}"
HISTORY="$LAKEPIPE_HOME/infra/spark/history.sh"
trap 'cleanup_runs $?' EXIT

T0="$(date +%s)"
for service in "$CLUSTER" "$HISTORY"; do
  if ! "$service" status >/dev/null 2>&1; then
    STARTED+=("$service")
    "$service" start || fail "$service start did not bring it up"
  fi
done
echo "Cluster and History Server up after $(elapsed "$T0")"

run_mode() {
  local mode="$1" t0
  t0="$(date +%s)"
  echo "--- $mode deploy mode: infra/spark/submit.sh (config/spark-cluster.conf) --deploy-mode $mode"
  submit_ingest "$mode" "$WORK/$mode/lakehouse"

  # The History Server scans the event log folder every 5 s.
  local completed="" waited=0
  until [[ "$completed" == true ]]; do
    (( waited < 30 )) || fail "$mode: $APP_ID not completed in the History Server's /api/v1/applications within 30 s"
    sleep 2; waited=$((waited + 2))
    completed="$(curl -fsS "$HISTORY_URL/api/v1/applications/$APP_ID" 2>/dev/null \
      | jq -r '.attempts[0].completed' 2>/dev/null || true)"
  done
  echo "application $APP_ID: FINISHED in the master UI, completed in the History Server"
  echo "$mode deploy mode passed in $(elapsed "$t0")"
}

for mode in "${MODES[@]}"; do
  run_mode "$mode"
done
echo "cluster-test passed in $(elapsed "$T0") (${MODES[*]}: same jar, --config and properties file; only --deploy-mode changed)"
