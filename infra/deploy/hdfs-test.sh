#!/usr/bin/env bash
# Runs the file ingest with its landing area and its lakehouse on a real HDFS: Hadoop's MiniDFSCluster
# (a NameNode and one DataNode in one JVM, every port an ephemeral one on 127.0.0.1), the landed day
# copied into it, spark-submit of the pyspark wheel in local mode with the project's Spark properties
# and a config whose paths are all hdfs://. Two runs:
#  1. the landed date: spark-submit exits 0, and read back from HDFS by delta-rs (a second Delta
#     implementation, over HDFS's own protocol) bronze holds exactly the rows the audit row says were
#     written, the quarantine the rows it says were quarantined, and read = written + quarantined;
#  2. a date with nothing landed on HDFS: spark-submit exits non-zero with the "No files landed" error
#     naming the hdfs:// folder.
# Stops what it started; exit 1 with the reason on the first failure.
# Usage: infra/deploy/hdfs-test.sh [ds]   (default 2001-01-15; the date's landing folder must exist)
set -euo pipefail
LAKEPIPE_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export LAKEPIPE_HOME
source "$LAKEPIPE_HOME/infra/lib/spark-env.sh"

DS="${1:-2001-01-15}"
# A date before the flights data begins: nothing is landed for it, so the ingest fails.
MISSING_DS=1999-01-01
JAR="${LAKEPIPE_JARS_DIR:-$LAKEPIPE_HOME/jobs-ingest/target}/jobs-ingest.jar"
# The YARN test's jars: the same hadoop-client-minicluster holds the MiniDFSCluster.
LIBS="$LAKEPIPE_HOME/.lakepipe/yarn-test/libs"
LANDED="$LAKEPIPE_HOME/.lakepipe/landing/flights/ds=$DS"
SPARK_SUBMIT="$LAKEPIPE_HOME/.lakepipe/venv-airflow/bin/spark-submit"
PYTHON="$LAKEPIPE_HOME/.lakepipe/venv-mlflow/bin/python"
OPENS="$(sed -n 's:.*<spark.java17.opens>\(.*\)</spark.java17.opens>.*:\1:p' "$LAKEPIPE_HOME/pom.xml")"
fail() { echo "hdfs-test FAILED: $*" >&2; exit 1; }

[[ -f "$JAR" ]] || fail "no job jar at $JAR; build it (mvn -o -q -DskipTests package -pl jobs-ingest -am)"
compgen -G "$LIBS/hadoop-client-minicluster-*.jar" >/dev/null || fail "no $LIBS; run ./lakepipe setup"
[[ -x "$SPARK_SUBMIT" && -x "$PYTHON" ]] || fail "Spark or the MLflow venv is not installed; run ./lakepipe setup"
compgen -G "$LANDED/*" >/dev/null \
  || fail "nothing landed for ds=$DS in .lakepipe/landing/flights; run ./lakepipe land $DS $DS"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/lakepipe-hdfs-test.XXXXXX")"
DFS_PID=""
cleanup() {
  local rc=$?
  if [[ -n "$DFS_PID" ]]; then
    # (No redirection here: on a bare exec it would stay, and silence the lines below.)
    exec {DFS_IN}>&-
    for _ in $(seq 30); do kill -0 "$DFS_PID" 2>/dev/null || break; sleep 1; done
    kill "$DFS_PID" 2>/dev/null || true
  fi
  if (( rc == 0 )); then rm -rf "$WORK"; else echo "Logs and the HDFS storage kept in $WORK" >&2; fi
}
trap cleanup EXIT
T0="$(date +%s)"

# The cluster runs until its standard input closes (cleanup closes it); it copies the landed day in
# before it says ready. LAKEPIPE_MINI_CLUSTER_JAVA_OPTS: more options for its JVM (the test suite
# sets its JIT and GC flags).
exec {DFS_IN}> >(exec java -Xmx512m ${LAKEPIPE_MINI_CLUSTER_JAVA_OPTS:-} $OPENS -cp "$LIBS/*:$SPARK_HOME/jars/*" \
  "$LAKEPIPE_HOME/infra/deploy/hdfs/MiniDfs.java" "$WORK/dfs" "$LANDED" "/landing/flights/ds=$DS" \
  >"$WORK/dfs.log" 2>&1)
DFS_PID=$!
for _ in $(seq 90); do
  grep -q '^ready' "$WORK/dfs.log" 2>/dev/null && break
  kill -0 "$DFS_PID" 2>/dev/null || fail "HDFS did not start; see $WORK/dfs.log"
  sleep 1
done
grep -q '^ready' "$WORK/dfs.log" || fail "HDFS did not start within 90 s; see $WORK/dfs.log"
HDFS="$(sed -n 's/^ready //p' "$WORK/dfs.log")"
echo "ok HDFS up at $HDFS with ds=$DS landed in it ($(( $(date +%s) - T0 )) s)"
# Nothing of it may listen beyond loopback (the NameNode's and DataNode's servers all have addresses).
if command -v ss >/dev/null; then
  listening="$(ss -Hltnp | grep "pid=$DFS_PID," | awk '{print $4}' || true)"
  [[ -n "$listening" ]] || fail "ss shows no listening socket of the HDFS process $DFS_PID"
  outside="$(grep -vE '^(\[::ffff:)?127\.0\.0\.1\]?:[0-9]+$' <<< "$listening" || true)"
  [[ -z "$outside" ]] || fail "HDFS listens beyond loopback: $(echo $outside)"
  echo "ok HDFS listens on 127.0.0.1 only ($(wc -l <<< "$listening") ports)"
fi

# Every path of the pipeline on HDFS; one DataNode, so one replica of each block.
cat > "$WORK/lakepipe.conf" <<CONF
include "$LAKEPIPE_HOME/config/local.conf"
lakepipe.home = "$LAKEPIPE_HOME"
lakepipe.lakehouse = "$HDFS/lakehouse"
lakepipe.sources.flights.location = "$HDFS/landing/flights"
CONF
submit() {
  "$SPARK_SUBMIT" --master "local[2]" --properties-file "$LAKEPIPE_HOME/config/spark-defaults.conf" \
    --conf spark.hadoop.dfs.replication=1 --class io.lakepipe.ingest.files.IngestFilesJob "$JAR" \
    --config "$WORK/lakepipe.conf" --ds "$1" --source flights
}

T1="$(date +%s)"
submit "$DS" > "$WORK/run-ok.log" 2>&1 || fail "spark-submit exited $? for ds=$DS; see $WORK/run-ok.log"
echo "ok ingest ds=$DS exited 0 ($(( $(date +%s) - T1 )) s)"
counts="$("$PYTHON" "$LAKEPIPE_HOME/infra/lib/table_counts.py" "$HDFS/lakehouse" "$DS")" \
  || fail "could not read bronze and the audit from $HDFS/lakehouse"
read -r rows status written rows_read quarantined <<< "$counts"
[[ "$status" == SUCCEEDED && "$rows" -gt 0 && "$rows" == "$written" ]] \
  || fail "bronze on HDFS has $rows rows for $DS, the audit says $status with $written written"
echo "ok bronze on HDFS: $rows rows for ds=$DS = the audit's rows written"
# A clean day leaves no quarantine table behind: then there is nothing to count.
bad=0
if (( quarantined > 0 )); then
  bad="$("$PYTHON" "$LAKEPIPE_HOME/infra/lib/table_counts.py" "$HDFS/lakehouse" "$DS" quarantine/flights \
    | cut -d' ' -f1)" || fail "could not read the quarantine from $HDFS/lakehouse"
fi
[[ "$bad" == "$quarantined" && "$rows_read" == $(( written + quarantined )) ]] \
  || fail "the audit says $rows_read read, $written written, $quarantined quarantined; the quarantine on HDFS has $bad"
echo "ok audit: $rows_read read = $written written + $quarantined quarantined (quarantine on HDFS: $bad rows)"

T2="$(date +%s)"
if submit "$MISSING_DS" > "$WORK/run-fail.log" 2>&1; then
  fail "spark-submit exited 0 for ds=$MISSING_DS, which has nothing landed; see $WORK/run-fail.log"
fi
grep -qF "No files landed for ds=$MISSING_DS in $HDFS/landing/flights/ds=$MISSING_DS" "$WORK/run-fail.log" \
  || fail "ds=$MISSING_DS failed for another reason than the missing hdfs:// folder; see $WORK/run-fail.log"
echo "ok ingest ds=$MISSING_DS (nothing landed): exited non-zero, \"No files landed\" naming $HDFS/landing/flights/ds=$MISSING_DS ($(( $(date +%s) - T2 )) s)"
echo "hdfs-test passed in $(( $(date +%s) - T0 )) s"
