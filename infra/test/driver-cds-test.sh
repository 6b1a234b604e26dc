#!/usr/bin/env bash
# The class-data sharing archive of local Spark drivers (infra/lib/driver-cds.sh), once the test run
# has written it (ensure_cds_archive in infra/test/run.sh):
# - a JVM with spark-submit's class path maps it (-Xshare:on refuses an archive it cannot map) and
#   takes Spark's and Delta's classes from it, not from their jars;
# - spark-env.sh hands it to spark-submit through SPARK_SUBMIT_OPTS, once however often it is sourced;
# - a current archive is kept as it is;
# - a write that fails leaves no archive, not a half-written one (a JVM that maps one crashes), and
#   removes the outdated one it replaces.
#
#   infra/test/driver-cds-test.sh
set -euo pipefail
LAKEPIPE_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export LAKEPIPE_HOME
source "$LAKEPIPE_HOME/infra/lib/spark-env.sh"
source "$LAKEPIPE_HOME/infra/lib/driver-cds.sh"
fail() { echo "driver-cds-test FAILED: $*" >&2; exit 1; }
[[ -s "$DRIVER_CDS_ARCHIVE" ]] || fail "no archive at $DRIVER_CDS_ARCHIVE (ensure_driver_cds writes it)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The class path spark-submit's launcher gives a driver (no SPARK_CONF_DIR or Hadoop configuration here).
"$JAVA_HOME/bin/java" -Xshare:on -XX:SharedArchiveFile="$DRIVER_CDS_ARCHIVE" -Xlog:class+load=info \
  -cp "$SPARK_HOME/conf/:$SPARK_HOME/jars/*" org.apache.spark.deploy.SparkSubmit --version >"$work/load.log" 2>&1 \
  || { tail -n 5 "$work/load.log" >&2; fail "a JVM with spark-submit's class path cannot map the archive"; }
grep -q 'org.apache.spark.deploy.SparkSubmit source: shared objects file (top)' "$work/load.log" \
  || fail "SparkSubmit was not loaded from the archive: $(grep -m1 'org.apache.spark.deploy.SparkSubmit ' "$work/load.log")"
echo "ok   a driver's JVM maps the archive: $(grep -c 'source: shared objects file (top)' "$work/load.log") classes from it"

opts="$(env -u SPARK_SUBMIT_OPTS bash -c 'source "$1"; source "$1"; printf %s "$SPARK_SUBMIT_OPTS"' _ \
  "$LAKEPIPE_HOME/infra/lib/spark-env.sh")"
[[ "$opts" == "-XX:SharedArchiveFile=$DRIVER_CDS_ARCHIVE" ]] \
  || fail "spark-env.sh sourced twice gave SPARK_SUBMIT_OPTS '$opts', not the archive once"
echo "ok   spark-env.sh adds the archive to SPARK_SUBMIT_OPTS once"

before="$(stat -c %Y "$DRIVER_CDS_ARCHIVE")"
out="$(ensure_driver_cds /nonexistent/jobs-ingest.jar /nonexistent/tools.jar)"
[[ -z "$out" && "$(stat -c %Y "$DRIVER_CDS_ARCHIVE")" == "$before" ]] \
  || fail "a current archive was written again: $out"
echo "ok   a current archive is kept"

# An outdated archive (another JDK's) in a folder of its own, and a write whose jars are missing.
DRIVER_CDS_DIR="$work/driver-cds" DRIVER_CDS_ARCHIVE="$work/driver-cds/spark-driver.jsa"
mkdir -p "$DRIVER_CDS_DIR"
echo "not an archive" >"$DRIVER_CDS_ARCHIVE"
echo "openjdk version \"11\"|0" >"$DRIVER_CDS_DIR/built-for"
out="$(ensure_driver_cds "$work/missing/jobs-ingest.jar" "$work/missing/tools.jar")"
[[ "$out" == *"no class-data sharing: writing the archive failed"* ]] || fail "a failed write said: $out"
leftover="$(find "$DRIVER_CDS_DIR" -mindepth 1 ! -name write.log -printf '%f ')"
[[ -z "$leftover" ]] || fail "a failed write left $leftover in $DRIVER_CDS_DIR"
echo "ok   a failed write leaves no archive, and the outdated one is gone"
