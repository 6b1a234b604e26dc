#!/usr/bin/env bash
# Proves that the pipeline runs on the authenticated standalone cluster with its lakehouse on s3a://
# (the local S3 server), by configuration alone: config/cluster-s3.conf and config/spark-cluster.conf,
# the same job jar. Starts the cluster (unless running) and makes sure the lakehouse bucket exists
# (infra/s3/s3.sh bucket); runs the file ingest of one landed date through infra/spark/submit.sh in
# client and in cluster deploy mode, each into a fresh s3a:// lakehouse; then runs the real DAG task,
# `airflow tasks test lakepipe_daily ingest_flights <ds>`, against the cluster in client deploy mode
# (Spark connection, secret, config and properties file from the environment, a separate Airflow
# instance), then the DAG's ingest_airports and build_features the same way. For each run: the
# submission succeeded, bronze (features) read back from s3a by delta-rs holds the rows the audit
# row says were written, the master lists the application FINISHED, and no log holds a secret.
# Stops what it started; removes its lakehouses on success; exit 1 with the reason on the first failure.
# Usage: infra/spark/s3-lakehouse-test.sh [ds [mode...]]   (default 2001-01-15 client cluster; the
# Airflow run always uses client mode). S3_LAKEHOUSE_BUCKET: the bucket (default lakepipe-lakehouse).
# shellcheck disable=SC2034  # read by ingest-run-checks.sh's functions
TEST_NAME=s3-lakehouse-test
# shellcheck source=ingest-run-checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/ingest-run-checks.sh"
BUCKET="${S3_LAKEHOUSE_BUCKET:-lakepipe-lakehouse}"
# A prefix of each run's own, so every run starts from fresh lakehouses: S3Proxy's filesystem backend
# keeps the folders of deleted objects and lists them as objects, so a reused prefix would look to
# s3a like a table folder that is not a Delta table (DELTA_TABLE_NOT_FOUND, seen here).
PREFIX="s3a://$BUCKET/tests/$(basename "$WORK")"
BASE_CONFIG="$LAKEPIPE_HOME/config/cluster-s3.conf"
# Airflow's own instance (DB, logs) beside the developer's .lakepipe/airflow, never touching it.
AIRFLOW_INSTANCE="${S3_LAKEHOUSE_AIRFLOW_INSTANCE:-s3-cluster-test}"

# The test's objects, removed from the bucket when it passed (kept to look at when it failed). One
# DELETE per object: S3Proxy 2.6.0 never answered pyarrow's multi-object DeleteObjects here. Its
# filesystem backend also lists its folders as objects, which are not found when deleted; the empty
# folders stay on its disk.
remove_prefix() {
  "$PYTHON" - "$PREFIX" <<'PY'
import os, sys
from urllib.parse import urlparse
from pyarrow import fs
endpoint = urlparse(os.environ["LAKEPIPE_S3_ENDPOINT"])
s3 = fs.S3FileSystem(endpoint_override=endpoint.netloc, scheme=endpoint.scheme, request_timeout=30,
                     region=os.environ.get("AWS_REGION", "us-east-1"), allow_bucket_creation=False)
root = sys.argv[1].removeprefix("s3a://")
entries = s3.get_file_info(fs.FileSelector(root, recursive=True, allow_not_found=True))
for entry in sorted(entries, key=lambda e: -len(e.path)):
    if entry.type == fs.FileType.File:
        try:
            s3.delete_file(entry.path)
        except FileNotFoundError:
            pass
PY
}
cleanup() {
  local rc=$?
  if (( rc == 0 )); then
    remove_prefix || echo "(could not remove $PREFIX)" >&2
  else
    echo "Lakehouses kept under $PREFIX" >&2
  fi
  cleanup_runs "$rc"
}
trap cleanup EXIT
[[ -n "${AWS_ACCESS_KEY_ID:-}" && -n "${AWS_SECRET_ACCESS_KEY:-}" ]] \
  || fail "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set; run ./lakepipe setup"

T0="$(date +%s)"
"$LAKEPIPE_HOME/infra/s3/s3.sh" bucket "$BUCKET" \
  || fail "the lakehouse bucket $BUCKET could not be made on $LAKEPIPE_S3_ENDPOINT; is the S3 server up (./lakepipe services start)?"
if ! "$CLUSTER" status >/dev/null 2>&1; then
  STARTED+=("$CLUSTER")
  "$CLUSTER" start || fail "$CLUSTER start did not bring it up"
fi
echo "Bucket $BUCKET and the authenticated cluster up after $(elapsed "$T0")"

run_mode() {
  local mode="$1" t0
  t0="$(date +%s)"
  echo "--- $mode deploy mode: infra/spark/submit.sh --deploy-mode $mode, lakehouse $PREFIX/$mode/lakehouse"
  submit_ingest "$mode" "$PREFIX/$mode/lakehouse" "$BASE_CONFIG"
  echo "$mode deploy mode passed in $(elapsed "$t0")"
}

for mode in "${MODES[@]}"; do
  run_mode "$mode"
done

# --- the DAG's tasks through Airflow, against the secured cluster, client deploy mode -------------
# `airflow tasks test lakepipe_daily <task> <ds>` with everything from the environment: the Spark
# connection, the cluster's secret, the config and properties file as Variables, a separate instance.
airflow_task() {
  local task="$1" config="$2" log="$3"
  (
    export LAKEPIPE_AIRFLOW_INSTANCE="$AIRFLOW_INSTANCE"
    export AIRFLOW_CONN_SPARK_DEFAULT="{\"conn_type\": \"spark\", \"host\": \"spark://${LAKEPIPE_BIND_HOST}\", \"port\": ${SPARK_MASTER_PORT}, \"extra\": {\"deploy-mode\": \"client\", \"spark-binary\": \"spark-submit\"}}"
    # The cluster's secret for spark-submit's JVM, from the owner-only @argfile (never a command line),
    # before the options the caller set (the test suite's JIT and GC flags).
    export SPARK_SUBMIT_OPTS="@$LAKEPIPE_HOME/.lakepipe/spark-auth/submit.jvmopts${SPARK_SUBMIT_OPTS:+ $SPARK_SUBMIT_OPTS}"
    export AIRFLOW_VAR_LAKEPIPE_CONFIG="$config"
    export AIRFLOW_VAR_LAKEPIPE_SPARK_PROPERTIES_FILE="$LAKEPIPE_HOME/config/spark-cluster.conf"
    # The jars: LAKEPIPE_JARS_DIR when set, else each module's target/ (lakepipe_dags.steps).
    # A failure should fail the test now, not wait out the DAG's retries.
    export LAKEPIPE_TASK_RETRIES=0
    # shellcheck source=../airflow/env.sh
    source "$LAKEPIPE_HOME/infra/airflow/env.sh"
    # shellcheck source=../airflow/bootstrap.sh
    source "$LAKEPIPE_HOME/infra/airflow/bootstrap.sh"
    airflow_bootstrap
    airflow tasks test lakepipe_daily "$task" "$DS"
  ) >"$log" 2>&1 || fail "airflow: 'airflow tasks test lakepipe_daily $task $DS' exited $?; see $log"
  # `airflow tasks test` exits 0 also when the task failed (seen with Airflow 3 here): read the
  # state it recorded instead.
  grep -q 'new_state=success' "$log" && ! grep -q 'new_state=failed' "$log" \
    || fail "airflow: task $task did not succeed ($(grep -o 'new_state=[a-z_]*' "$log" | tail -n 1)); see $log"
  # The command the Spark provider logged: the connection's master and mode, the Variables' files.
  local expected
  for expected in "--master spark://${LAKEPIPE_BIND_HOST}:${SPARK_MASTER_PORT}" "--deploy-mode client" \
      "--properties-file $LAKEPIPE_HOME/config/spark-cluster.conf" "--config $config"; do
    grep -F "Spark-Submit cmd" "$log" | grep -q -F -- "$expected" \
      || fail "airflow: $task's spark-submit command lacks '$expected'; see $log"
  done
}

T1="$(date +%s)"
lakehouse="$PREFIX/airflow/lakehouse"
write_config "$WORK/airflow/test.conf" "$lakehouse" "$BASE_CONFIG"
echo "--- Airflow: airflow tasks test lakepipe_daily ingest_flights $DS (instance $AIRFLOW_INSTANCE, client mode), lakehouse $lakehouse"
airflow_task ingest_flights "$WORK/airflow/test.conf" "$WORK/airflow-ingest_flights.log"
check_ingest_run client "$WORK/airflow-ingest_flights.log" "$lakehouse"
echo "Airflow task ingest_flights passed in $(elapsed "$T1")"

# The features of the day from that bronze (and the airports, ingested from PostgreSQL by the
# executors): the DAG's next Spark tasks, on the same s3a lakehouse. S3_LAKEHOUSE_FEATURES=0 skips them.
if [[ "${S3_LAKEHOUSE_FEATURES:-1}" == 1 ]]; then
  T2="$(date +%s)"
  FEATURES_JAR="${LAKEPIPE_JARS_DIR:-$LAKEPIPE_HOME/jobs-features/target}/jobs-features.jar"
  [[ -f "$FEATURES_JAR" ]] || fail "no job jar at $FEATURES_JAR; build it (mvn -o -q -DskipTests package -pl jobs-features -am), or set S3_LAKEHOUSE_FEATURES=0"
  for task in ingest_airports build_features; do
    echo "--- Airflow: airflow tasks test lakepipe_daily $task $DS"
    airflow_task "$task" "$WORK/airflow/test.conf" "$WORK/airflow-$task.log"
    app="$(grep -m 1 -oE 'app-[0-9]+-[0-9]+' "$WORK/airflow-$task.log" || true)"
    [[ -n "$app" ]] || fail "airflow: no application id in $WORK/airflow-$task.log"
    RUN_IDS+=("$app")
    state="$(curl -fsS "$MASTER_UI/json/" | jq -r --arg id "$app" '.completedapps[] | select(.id == $id) | .state' || true)"
    [[ "$state" == FINISHED ]] || fail "airflow: $task's $app is '${state:-missing}' among the master's completed applications"
  done
  counts="$(table_counts "$lakehouse" features/flights build-features:flights)" || fail "could not read the features in $lakehouse"
  read -r rows status written _ <<< "$counts"
  [[ "$status" == SUCCEEDED && "$rows" -gt 0 && "$rows" == "$written" ]] \
    || fail "airflow: features have $rows rows for $DS, audit says build-features:flights $status with $written written"
  echo "features: $rows rows for ds=$DS; audit: build-features:flights $status, $written written; ingest_airports and build_features FINISHED in the master"
  echo "Airflow tasks ingest_airports and build_features passed in $(elapsed "$T2")"
fi

# Neither the cluster's secret nor the S3 secret key may show in any log of these runs. (grep takes
# them as a pattern file: printf is a shell builtin, so they are on no command line.)
if grep -r -l -F -f <(printf '%s\n' "$AWS_SECRET_ACCESS_KEY" ${LAKEPIPE_SPARK_AUTH_SECRET:+"$LAKEPIPE_SPARK_AUTH_SECRET"}) \
    "$WORK" --include='*.log' >/dev/null; then
  fail "a secret (S3 secret key or the Spark secret) is in a log under $WORK"
fi
echo "s3-lakehouse-test passed in $(elapsed "$T0") (${MODES[*]} and Airflow client mode; lakehouse on $PREFIX)"
