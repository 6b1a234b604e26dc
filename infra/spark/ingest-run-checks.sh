# shellcheck shell=bash disable=SC2034  # sourced: its variables are for the scripts that source it
# Shared by infra/spark/cluster-test.sh, security-test.sh and s3-lakehouse-test.sh: the file ingest of one landed date on the
# standalone cluster, and what its run must leave. Source it after setting TEST_NAME, with the
# script's arguments: [ds [mode...]] (default 2001-01-15, client and cluster deploy mode).
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
MAIN_CLASS=io.lakepipe.ingest.files.IngestFilesJob
SPARK_SUBMIT="$LAKEPIPE_HOME/.lakepipe/venv-airflow/bin/spark-submit"
# spark-submit with the cluster profile and the cluster's shared secret (authentication is on).
SUBMIT="$LAKEPIPE_HOME/infra/spark/submit.sh"
PYTHON="$LAKEPIPE_HOME/.lakepipe/venv-mlflow/bin/python"
MASTER_URL="spark://${LAKEPIPE_BIND_HOST}:${SPARK_MASTER_PORT}"
MASTER_UI="http://${LAKEPIPE_BIND_HOST}:${SPARK_MASTER_WEBUI_PORT}"
CLUSTER="$LAKEPIPE_HOME/infra/spark/cluster.sh"

fail() { echo "$TEST_NAME FAILED: $*" >&2; exit 1; }
elapsed() { echo "$(( $(date +%s) - $1 )) s"; }

# "none": no job run of this script's own (the cluster suite runs security-test.sh so, after
# cluster-test.sh has checked the same on its runs of the same authenticated cluster).
[[ "${MODES[*]}" == none ]] && MODES=()
for mode in "${MODES[@]}"; do
  [[ "$mode" == client || "$mode" == cluster ]] || fail "unknown deploy mode '$mode': client, cluster or none"
done
[[ -f "$JAR" ]] || fail "no job jar at $JAR; build it (mvn -o -q -DskipTests package -pl jobs-ingest -am) or set LAKEPIPE_JARS_DIR"
[[ -x "$SPARK_SUBMIT" && -x "$PYTHON" ]] || fail "Spark or the MLflow venv is not installed; run ./lakepipe setup"
[[ -n "${LAKEPIPE_SPARK_AUTH_SECRET:-}" ]] || fail "LAKEPIPE_SPARK_AUTH_SECRET is not set; run ./lakepipe setup"
compgen -G "$LAKEPIPE_HOME/.lakepipe/landing/flights/ds=$DS/*" >/dev/null \
  || fail "nothing landed for ds=$DS in .lakepipe/landing/flights; run ./lakepipe land $DS $DS"

# Not under /tmp: each worker of infra/spark/cluster.sh has a /tmp of its own, as hosts do, and the
# drivers and executors read the config and write the lakehouse of this folder.
mkdir -p "$LAKEPIPE_HOME/.lakepipe/tmp"
WORK="$(mktemp -d "$LAKEPIPE_HOME/.lakepipe/tmp/$TEST_NAME.XXXXXX")"
# Services this test started (stopped again at the end), and the runs whose folders it removes.
STARTED=()
RUN_IDS=()

# Stops what the test started; on success removes its runs' folders (each holds a copy of the jar)
# and its work folder, on failure keeps them to look at. Call from the script's EXIT trap.
cleanup_runs() {
  local rc="$1"
  for (( i=${#STARTED[@]}-1; i>=0; i-- )); do "${STARTED[$i]}" stop >/dev/null || true; done
  if (( rc == 0 )); then
    for id in "${RUN_IDS[@]}"; do rm -rf "$LAKEPIPE_HOME"/.lakepipe/services/spark-worker-*/work/"$id"; done
    rm -rf "$WORK"
  else
    echo "Logs and lakehouses kept in $WORK" >&2
  fi
}

# A config that is `base` (default config/local.conf) with its own lakehouse: a local folder, or an
# s3a:// URI (config/cluster-s3.conf as base).
write_config() {
  mkdir -p "$(dirname "$1")"
  cat > "$1" <<CONF
include "${3:-$LAKEPIPE_HOME/config/local.conf}"
lakepipe.lakehouse = "$2"
CONF
}

# Rows of a table for the date, and the last audit row of a job for it: "<rows> <status> <rows written>";
# by default bronze flights and the file ingest: table_counts <lakehouse> [table folder] [audit job].
# An s3a:// lakehouse is read from the S3 server of LAKEPIPE_S3_ENDPOINT with the AWS_* credentials
# of the environment, by delta-rs (infra/lib/table_counts.py): a second Delta implementation reading
# what Spark committed.
table_counts() {
  "$PYTHON" "$LAKEPIPE_HOME/infra/lib/table_counts.py" "$1" "$DS" "${2:-bronze/flights}" "${3:-ingest-files:flights}"
}

# The cluster's secret must never be on a command line (ps shows those to every user of the machine)
# nor in a log. grep takes it as a pattern file: printf is a shell builtin, so not on grep's own
# command line.
has_secret() { grep -F -q -f <(printf '%s\n' "$LAKEPIPE_SPARK_AUTH_SECRET") "$@"; }
check_no_secret_in_ps() {
  if ps -eo args= | has_secret; then
    fail "the Spark secret is on a process's command line (ps) $1"
  fi
}

# The file ingest of DS through $SUBMIT in `mode` into `lakehouse` (a config over `base config`, default
# local.conf, in $WORK/<mode>/), its output in $WORK/<mode>.log, then check_ingest_run. While it
# runs, no process's command line may hold the cluster's secret; afterwards, neither may its log.
# Sets APP_ID. submit_ingest <mode> <lakehouse> [base config]
submit_ingest() {
  local mode="$1" lakehouse="$2" base_config="${3:-}" log="$WORK/$1.log" pid rc=0
  write_config "$WORK/$mode/test.conf" "$lakehouse" ${base_config:+"$base_config"}
  "$SUBMIT" --deploy-mode "$mode" --class "$MAIN_CLASS" \
    "$JAR" --config "$WORK/$mode/test.conf" --ds "$DS" --source flights >"$log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    check_no_secret_in_ps "while the $mode run is on"
    sleep 1
  done
  wait "$pid" || rc=$?
  ((rc == 0)) || fail "$mode: spark-submit exited $rc; see $log"
  if has_secret "$log"; then fail "$mode: the secret is in the driver's log $log"; fi
  check_ingest_run "$mode" "$log" "$lakehouse"
}

# After a submission in `mode` whose spark-submit output is in `log`: the driver ended FINISHED
# (cluster mode, where spark-submit exits 0 whatever the driver's fate), bronze holds the rows the
# audit row says were written, and the master lists the application FINISHED. Sets APP_ID.
check_ingest_run() {
  local mode="$1" log="$2" lakehouse="$3" driver_id="" driver_state driver_dir counts app_state
  if [[ "$mode" == cluster ]]; then
    driver_id="$(grep -m 1 -oE 'driver-[0-9]+-[0-9]+' "$log" || true)"
    [[ -n "$driver_id" ]] || fail "cluster: no driver id in $log"
    driver_state="$(curl -fsS "$MASTER_UI/json/" \
      | jq -r --arg id "$driver_id" '.completeddrivers[] | select(.id == $id) | .state' || true)"
    driver_dir="$(compgen -G "$LAKEPIPE_HOME/.lakepipe/services/spark-worker-*/work/$driver_id" || true)"
    [[ "$driver_state" == FINISHED ]] \
      || fail "cluster: driver $driver_id ended ${driver_state:-in no known state}; see $driver_dir/stderr"
    APP_ID="$(grep -m 1 -oE 'app-[0-9]+-[0-9]+' "$driver_dir/stderr" || true)"
    echo "driver $driver_id FINISHED on a worker ($driver_dir)"
  else
    APP_ID="$(grep -m 1 -oE 'app-[0-9]+-[0-9]+' "$log" || true)"
  fi
  [[ -n "$APP_ID" ]] || fail "$mode: no application id in the driver's log"
  RUN_IDS+=("$APP_ID" ${driver_id:+"$driver_id"})

  counts="$(table_counts "$lakehouse")" || fail "$mode: could not read the tables in $lakehouse"
  read -r rows status written _ <<< "$counts"
  [[ "$status" == SUCCEEDED && "$rows" -gt 0 && "$rows" == "$written" ]] \
    || fail "$mode: bronze has $rows rows for $DS, audit says $status with $written written"
  app_state="$(curl -fsS "$MASTER_UI/json/" \
    | jq -r --arg id "$APP_ID" '.completedapps[] | select(.id == $id) | .state' || true)"
  [[ "$app_state" == FINISHED ]] || fail "$mode: $APP_ID is '${app_state:-missing}' among the master's completed applications"
  echo "bronze: $rows rows for ds=$DS; audit: $status, $written written; $APP_ID FINISHED in the master"
}
