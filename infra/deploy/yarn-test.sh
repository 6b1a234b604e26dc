#!/usr/bin/env bash
# Runs a lakepipe job on a real YARN cluster with config/spark-yarn.conf: Hadoop's MiniYARNCluster (a
# ResourceManager and one NodeManager in one JVM, on ephemeral ports of 127.0.0.1), spark-submit of
# the pyspark wheel with HADOOP_CONF_DIR pointing at the cluster's client configuration. Two runs:
#  1. the file ingest of one landed date, in cluster deploy mode in the queue "lakepipe", with
#     authentication and encryption on: spark-submit exits 0, the application SUCCEEDED in that queue
#     with one attempt, bronze holds the rows the audit row says were written, an event log exists;
#  2. the same job for a date with nothing landed, which fails: spark-submit exits non-zero (what
#     Airflow sees) and YARN made exactly one attempt (spark.yarn.maxAppAttempts 1).
# The pipeline config travels as YARN recommends for files: spark.yarn.dist.files, --config <its name>.
# What this machine lacks is replaced, and only that: no HDFS (Spark's jars are given as local: paths,
# event logs go to a local folder, the credential store line is dropped), no /etc/lakepipe (the shipped
# config is the test's own), no Spark shuffle service in
# the NodeManager (its jar is not on Maven Central: dynamic allocation runs with shuffle tracking
# instead), and smaller containers. Stops what it started; exit 1 with the reason on the first failure.
# Usage: infra/deploy/yarn-test.sh [ds]   (default 2001-01-15; the date's landing folder must exist)
set -euo pipefail
LAKEPIPE_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export LAKEPIPE_HOME
source "$LAKEPIPE_HOME/infra/lib/spark-env.sh"

DS="${1:-2001-01-15}"
# A date before the flights data begins: nothing is landed for it, so the ingest fails.
MISSING_DS=1999-01-01
JAR="${LAKEPIPE_JARS_DIR:-$LAKEPIPE_HOME/jobs-ingest/target}/jobs-ingest.jar"
LIBS="$LAKEPIPE_HOME/.lakepipe/yarn-test/libs"
SPARK_SUBMIT="$LAKEPIPE_HOME/.lakepipe/venv-airflow/bin/spark-submit"
PYTHON="$LAKEPIPE_HOME/.lakepipe/venv-mlflow/bin/python"
OPENS="$(sed -n 's:.*<spark.java17.opens>\(.*\)</spark.java17.opens>.*:\1:p' "$LAKEPIPE_HOME/pom.xml")"
fail() { echo "yarn-test FAILED: $*" >&2; exit 1; }

[[ -f "$JAR" ]] || fail "no job jar at $JAR; build it (mvn -q -DskipTests package -pl jobs-ingest -am)"
compgen -G "$LIBS/hadoop-client-minicluster-*.jar" >/dev/null || fail "no $LIBS; run ./lakepipe setup"
[[ -x "$SPARK_SUBMIT" && -x "$PYTHON" ]] || fail "Spark or the MLflow venv is not installed; run ./lakepipe setup"
compgen -G "$LAKEPIPE_HOME/.lakepipe/landing/flights/ds=$DS/*" >/dev/null \
  || fail "nothing landed for ds=$DS in .lakepipe/landing/flights; run ./lakepipe land $DS $DS"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/lakepipe-yarn-test.XXXXXX")"
YARN_PID=""
cleanup() {
  local rc=$?
  if [[ -n "$YARN_PID" ]]; then
    # (No redirection here: on a bare exec it would stay, and silence the lines below.)
    exec {YARN_IN}>&-
    for _ in $(seq 30); do kill -0 "$YARN_PID" 2>/dev/null || break; sleep 1; done
    kill "$YARN_PID" 2>/dev/null || true
  fi
  if (( rc == 0 )); then rm -rf "$WORK"; else echo "Logs kept in $WORK (containers: $WORK/yarn/target)" >&2; fi
}
trap cleanup EXIT
T0="$(date +%s)"

# The cluster runs until its standard input closes (cleanup closes it). LAKEPIPE_MINI_CLUSTER_JAVA_OPTS:
# more options for its JVM (the test suite sets its JIT and GC flags).
mkdir -p "$WORK/yarn"
exec {YARN_IN}> >(cd "$WORK/yarn" && exec java -Xmx768m ${LAKEPIPE_MINI_CLUSTER_JAVA_OPTS:-} $OPENS -cp "$LIBS/*:$SPARK_HOME/jars/*" \
  "$LAKEPIPE_HOME/infra/deploy/yarn/MiniYarn.java" "$WORK/hadoop-conf" >"$WORK/yarn.log" 2>&1)
YARN_PID=$!
for _ in $(seq 90); do
  grep -q '^ready' "$WORK/yarn.log" 2>/dev/null && break
  kill -0 "$YARN_PID" 2>/dev/null || fail "the YARN cluster did not start; see $WORK/yarn.log"
  sleep 1
done
grep -q '^ready' "$WORK/yarn.log" || fail "the YARN cluster did not start within 90 s; see $WORK/yarn.log"
echo "YARN cluster up in $(( $(date +%s) - T0 )) s: $(grep '^ready' "$WORK/yarn.log")"

# The profile, with only what points at infrastructure this machine lacks replaced (see above).
mkdir -p "$WORK/events"
grep -vE '^spark\.(yarn\.archive|yarn\.dist\.files|eventLog\.dir|dynamicAllocation\.[a-zA-Z]+|shuffle\.service\.[a-z]+|hadoop\.hadoop\.security\.credential\.provider\.path|(driver|executor)\.(memory|cores)) ' \
  "$LAKEPIPE_HOME/config/spark-yarn.conf" > "$WORK/spark-yarn.conf"
cat >> "$WORK/spark-yarn.conf" <<CONF
spark.yarn.jars                                   local:$SPARK_HOME/jars/*
spark.eventLog.dir                                file:$WORK/events
spark.dynamicAllocation.enabled                   true
spark.dynamicAllocation.shuffleTracking.enabled   true
spark.dynamicAllocation.minExecutors              0
spark.dynamicAllocation.initialExecutors          1
spark.dynamicAllocation.maxExecutors              1
spark.driver.memory                               1g
spark.driver.cores                                1
spark.executor.memory                             1g
spark.executor.cores                              1
spark.yarn.dist.files                             $WORK/lakepipe.conf
CONF
grep -q '^spark.yarn.queue  *lakepipe$' "$WORK/spark-yarn.conf" || fail "the profile lost its queue"
# The driver runs in a YARN container, which has neither the submitter's environment (LAKEPIPE_HOME)
# nor its files: the config names every path itself, as a cluster config must, and YARN ships it into
# each container's working directory (spark.yarn.dist.files), where --config lakepipe.conf finds it.
cat > "$WORK/lakepipe.conf" <<CONF
include "$LAKEPIPE_HOME/config/local.conf"
lakepipe.home = "$LAKEPIPE_HOME"
lakepipe.lakehouse = "$WORK/lakehouse"
CONF

# spark-submit with the cluster's client configuration only (no loopback override for containers).
submit() {
  (unset SPARK_LOCAL_IP; HADOOP_CONF_DIR="$WORK/hadoop-conf" "$SPARK_SUBMIT" \
    --properties-file "$WORK/spark-yarn.conf" --class io.lakepipe.ingest.files.IngestFilesJob "$JAR" \
    --config lakepipe.conf --ds "$1" --source flights)
}
# "<final status> <queue> <attempts>" of an application: the last report spark-submit printed, and the
# attempts whose containers the NodeManager ran (container_<cluster>_<app>_<attempt>_<n>).
app_report() {
  local log="$1" app="$2" status queue attempts
  status="$(grep -oP '^\s*final status: \K\S+' "$log" | tail -1)"
  queue="$(grep -oP '^\s*queue: \K\S+' "$log" | tail -1)"
  attempts="$(find "$WORK/yarn/target" -type d -name "container_${app#application_}_*" -printf '%f\n' \
    | sed -nE 's/^container_[0-9]+_[0-9]+_([0-9]+)_[0-9]+$/\1/p' | sort -u | wc -l)"
  echo "${status:-none} ${queue:-none} $attempts"
}
# The driver's (application master's) log of an application's first attempt.
am_log() {
  find "$WORK/yarn/target" -path "*/$1/container_*_01_000001/stderr" | head -1
}

T1="$(date +%s)"
submit "$DS" > "$WORK/run-ok.log" 2>&1 || fail "spark-submit exited $? for ds=$DS; see $WORK/run-ok.log"
APP="$(grep -m 1 -oE 'application_[0-9]+_[0-9]+' "$WORK/run-ok.log")" || fail "no application id in $WORK/run-ok.log"
read -r status queue attempts <<< "$(app_report "$WORK/run-ok.log" "$APP")"
[[ "$status" == SUCCEEDED && "$queue" == lakepipe && "$attempts" == 1 ]] \
  || fail "$APP: final status $status in queue $queue after $attempts attempts (expected SUCCEEDED, lakepipe, 1)"
counts="$("$PYTHON" "$LAKEPIPE_HOME/infra/lib/table_counts.py" "$WORK/lakehouse" "$DS")" || fail "could not read the tables in $WORK/lakehouse"
read -r rows audit_status written _ <<< "$counts"
[[ "$audit_status" == SUCCEEDED && "$rows" -gt 0 && "$rows" == "$written" ]] \
  || fail "bronze has $rows rows for $DS, audit says $audit_status with $written written"
compgen -G "$WORK/events/$APP*" >/dev/null || fail "no event log of $APP in $WORK/events"
grep -q 'SecurityManager: authentication enabled' "$(am_log "$APP")" \
  || fail "the driver's log does not show Spark authentication enabled; see $(am_log "$APP")"
echo "ingest ds=$DS: $APP SUCCEEDED in queue lakepipe, 1 attempt; bronze $rows rows = audit; event log written ($(( $(date +%s) - T1 )) s)"

T2="$(date +%s)"
if submit "$MISSING_DS" > "$WORK/run-fail.log" 2>&1; then
  fail "spark-submit exited 0 for ds=$MISSING_DS, which has nothing landed; see $WORK/run-fail.log"
fi
APP2="$(grep -m 1 -oE 'application_[0-9]+_[0-9]+' "$WORK/run-fail.log")" || fail "no application id in $WORK/run-fail.log"
read -r status queue attempts <<< "$(app_report "$WORK/run-fail.log" "$APP2")"
[[ "$status" == FAILED && "$attempts" == 1 ]] \
  || fail "$APP2: final status $status after $attempts attempts (expected FAILED after 1)"
grep -q "No files landed for ds=$MISSING_DS" "$(am_log "$APP2")" \
  || fail "$APP2 failed for another reason than the missing landing folder; see $(am_log "$APP2")"
echo "ingest ds=$MISSING_DS (nothing landed): spark-submit failed, $APP2 FAILED after 1 attempt ($(( $(date +%s) - T2 )) s)"
echo "yarn-test passed in $(( $(date +%s) - T0 )) s"
