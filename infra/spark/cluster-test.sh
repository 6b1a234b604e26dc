#!/usr/bin/env bash
# Proves that a job jar runs on the Spark standalone cluster in client and in cluster deploy mode by
# configuration alone: starts the cluster and the History Server (unless already running), submits
# the file ingest for one landed date twice with the same jar, --config and properties file
# (config/spark-cluster.conf), once per deploy mode, each into a fresh lakehouse, and checks for each:
# the submission succeeded (client: exit code; cluster: the driver's final state in the master),
# bronze holds the rows the audit table says were written, and the application is FINISHED in the
# master's UI and completed in the History Server's REST API. Stops what it started; exit 1 with the
# reason on the first failure.
# Usage: infra/spark/cluster-test.sh [ds [mode...]]   (default 2001-01-15 client cluster; the
# date's landing folder must exist)
# The job jar: $LAKEPIPE_JARS_DIR/jobs-ingest.jar, else jobs-ingest/target/jobs-ingest.jar.
set -euo pipefail

LAKEPIPE_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export LAKEPIPE_HOME
set -a
# shellcheck source=../../config/services.env
source "$LAKEPIPE_HOME/config/services.env"
set +a
source "$LAKEPIPE_HOME/infra/lib/spark-env.sh"

DS="${1:-2001-01-15}"
MODES=("${@:2}")
(( ${#MODES[@]} )) || MODES=(client cluster)
JAR="${LAKEPIPE_JARS_DIR:-$LAKEPIPE_HOME/jobs-ingest/target}/jobs-ingest.jar"
MAIN_CLASS=io.lakepipe.ingest.files.IngestFlightFilesJob
PROPERTIES="$LAKEPIPE_HOME/config/spark-cluster.conf"
SPARK_SUBMIT="$LAKEPIPE_HOME/.lakepipe/venv-airflow/bin/spark-submit"
# spark-submit with the profile and the cluster's shared secret (authentication is on).
SUBMIT="$LAKEPIPE_HOME/infra/spark/submit.sh"
PYTHON="$LAKEPIPE_HOME/.lakepipe/venv-mlflow/bin/python"
MASTER_UI="http://${LAKEPIPE_BIND_HOST}:${SPARK_MASTER_WEBUI_PORT}"
HISTORY_URL="http://${LAKEPIPE_BIND_HOST}:${SPARK_HISTORY_PORT}"
CLUSTER="$LAKEPIPE_HOME/infra/spark/cluster.sh"
HISTORY="$LAKEPIPE_HOME/infra/spark/history.sh"

fail() { echo "cluster-test FAILED: $*" >&2; exit 1; }
elapsed() { echo "$(( $(date +%s) - $1 )) s"; }

[[ -f "$JAR" ]] || fail "no job jar at $JAR; build it (mvn -o -q -DskipTests package -pl jobs-ingest -am) or set LAKEPIPE_JARS_DIR"
[[ -x "$SPARK_SUBMIT" && -x "$PYTHON" ]] || fail "Spark or the MLflow venv is not installed; run ./lakepipe setup"
compgen -G "$LAKEPIPE_HOME/.lakepipe/landing/flights/ds=$DS/*" >/dev/null \
  || fail "nothing landed for ds=$DS in .lakepipe/landing/flights; run ./lakepipe land $DS $DS"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/lakepipe-cluster-test.XXXXXX")"
STARTED=()
RUN_IDS=()
cleanup() {
  local rc=$?
  for (( i=${#STARTED[@]}-1; i>=0; i-- )); do "${STARTED[$i]}" stop >/dev/null || true; done
  if (( rc == 0 )); then
    # The runs' driver and executor folders on the workers each hold a copy of the jar.
    for id in "${RUN_IDS[@]}"; do rm -rf "$LAKEPIPE_HOME"/.lakepipe/services/spark-worker-*/work/"$id"; done
    rm -rf "$WORK"
  else
    echo "Logs and lakehouses kept in $WORK" >&2
  fi
}
trap cleanup EXIT

T0="$(date +%s)"
for service in "$CLUSTER" "$HISTORY"; do
  if ! "$service" status >/dev/null 2>&1; then
    STARTED+=("$service")
    "$service" start || fail "$service start did not bring it up"
  fi
done
echo "Cluster and History Server up after $(elapsed "$T0")"

# Rows of bronze for the date, and the audit row of the run: "<bronze rows> <status> <rows written>".
# os._exit: the deltalake runtime can abort while the interpreter tears down.
table_counts() {
  "$PYTHON" - "$1" "$DS" <<'PY'
import os, sys, datetime
from deltalake import DeltaTable
lakehouse, ds = sys.argv[1], datetime.date.fromisoformat(sys.argv[2])
bronze = DeltaTable(f"{lakehouse}/bronze/flights").to_pyarrow_table(columns=["ds"])
rows = sum(1 for d in bronze.column("ds").to_pylist() if d == ds)
audit = [r for r in DeltaTable(f"{lakehouse}/audit/job_runs").to_pyarrow_table().to_pylist()
         if r["ds"] == ds and r["job"] == "ingest-files"]
last = audit[-1] if audit else {"status": "NONE", "rows_written": -1}
print(rows, last["status"], last["rows_written"], flush=True)
os._exit(0)
PY
}

run_mode() {
  local mode="$1" t0 log lakehouse app_id driver_id="" driver_state counts
  t0="$(date +%s)"
  log="$WORK/$mode.log"
  lakehouse="$WORK/$mode/lakehouse"
  mkdir -p "$WORK/$mode"
  # Only the lakehouse differs from config/local.conf; on a real cluster it is an s3a:// URI.
  cat > "$WORK/$mode/test.conf" <<CONF
include "$LAKEPIPE_HOME/config/local.conf"
lakepipe.lakehouse = "$lakehouse"
CONF
  echo "--- $mode deploy mode: infra/spark/submit.sh (config/spark-cluster.conf) --deploy-mode $mode"
  "$SUBMIT" --deploy-mode "$mode" --class "$MAIN_CLASS" \
    "$JAR" --config "$WORK/$mode/test.conf" --ds "$DS" >"$log" 2>&1 \
    || fail "$mode: spark-submit exited $?; see $log"

  if [[ "$mode" == cluster ]]; then
    # spark-submit exits 0 whatever the driver's fate: ask the master for the driver's final state.
    driver_id="$(grep -m 1 -oE 'driver-[0-9]+-[0-9]+' "$log" || true)"
    [[ -n "$driver_id" ]] || fail "cluster: no driver id in $log"
    driver_state="$(curl -fsS "$MASTER_UI/json/" \
      | jq -r --arg id "$driver_id" '.completeddrivers[] | select(.id == $id) | .state' || true)"
    local driver_dir
    driver_dir="$(compgen -G "$LAKEPIPE_HOME/.lakepipe/services/spark-worker-*/work/$driver_id" || true)"
    [[ "$driver_state" == FINISHED ]] \
      || fail "cluster: driver $driver_id ended ${driver_state:-in no known state}; see $driver_dir/stderr"
    app_id="$(grep -m 1 -oE 'app-[0-9]+-[0-9]+' "$driver_dir/stderr" || true)"
    echo "driver $driver_id FINISHED on a worker ($driver_dir)"
  else
    app_id="$(grep -m 1 -oE 'app-[0-9]+-[0-9]+' "$log" || true)"
  fi
  [[ -n "$app_id" ]] || fail "$mode: no application id in the driver's log"
  RUN_IDS+=("$app_id" ${driver_id:+"$driver_id"})

  counts="$(table_counts "$lakehouse")" || fail "$mode: could not read the tables in $lakehouse"
  read -r rows status written <<< "$counts"
  [[ "$status" == SUCCEEDED && "$rows" -gt 0 && "$rows" == "$written" ]] \
    || fail "$mode: bronze has $rows rows for $DS, audit says $status with $written written"
  echo "bronze: $rows rows for ds=$DS; audit: $status, $written written"

  local app_state
  app_state="$(curl -fsS "$MASTER_UI/json/" \
    | jq -r --arg id "$app_id" '.completedapps[] | select(.id == $id) | .state' || true)"
  [[ "$app_state" == FINISHED ]] || fail "$mode: $app_id is '${app_state:-missing}' among the master's completed applications"
  # The History Server scans the event log folder every 5 s.
  local completed="" waited=0
  until [[ "$completed" == true ]]; do
    (( waited < 30 )) || fail "$mode: $app_id not completed in the History Server's /api/v1/applications within 30 s"
    sleep 2; waited=$((waited + 2))
    completed="$(curl -fsS "$HISTORY_URL/api/v1/applications/$app_id" 2>/dev/null \
      | jq -r '.attempts[0].completed' 2>/dev/null || true)"
  done
  echo "application $app_id: FINISHED in the master UI, completed in the History Server"
  echo "$mode deploy mode passed in $(elapsed "$t0")"
}

for mode in "${MODES[@]}"; do
  [[ "$mode" == client || "$mode" == cluster ]] || fail "unknown deploy mode '$mode': client or cluster"
  run_mode "$mode"
done
echo "cluster-test passed in $(elapsed "$T0") (${MODES[*]}: same jar, --config and properties file; only --deploy-mode changed)"
