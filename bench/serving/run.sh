#!/usr/bin/env bash
# Latency and throughput of the online scorer (serving/): one record in-process (the Scorer alone) and
# over HTTP on loopback at a fixed rate (1,000 requests/s, open loop), batches in-process and over HTTP,
# for a logistic regression and a gradient-boosted-trees model shaped like the flights model, and for
# any real bundle given with --bundle. Prints a table, then every figure as key=value lines.
# Needs serving/target/lakepipe-serving.jar (built here when missing). No Spark, no services.
# First, in the same run, the Spark side (spark/run.sh): PipelineModel.transform of a one-row
# DataFrame for the same model kinds, so that the ratios compare figures measured together.
# Usage: bench/serving/run.sh [--no-spark] [--rate N] [--seconds N] [--kinds lr,gbt] [--bundle <dir>]... [--shadow] [--prediction-log]
# (--shadow: the HTTP rows again, with the bundle as its own shadow model; --prediction-log: again,
# keeping every answer in a prediction log.)
set -euo pipefail
LAKEPIPE_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAR="${SERVING_JAR:-$LAKEPIPE_HOME/serving/target/lakepipe-serving.jar}"
WORK="$LAKEPIPE_HOME/.lakepipe/bench/serving"
if [[ ! -f "$JAR" ]]; then
  echo "Building $JAR" >&2
  (cd "$LAKEPIPE_HOME" && ./mvnw -q -pl serving package -DskipTests)
fi
args=()
with_spark=1
for arg in "$@"; do
  if [[ "$arg" == "--no-spark" ]]; then with_spark=0; else args+=("$arg"); fi
done
rm -f "$WORK/spark-results.properties"
if (( with_spark )); then
  "$LAKEPIPE_HOME/bench/serving/spark/run.sh"
fi
rm -rf "$WORK/build" "$WORK/bundles"
mkdir -p "$WORK/build/classes"
find "$LAKEPIPE_HOME/bench/serving/src" "$LAKEPIPE_HOME/bench/common/src" -name '*.java' -print0 \
  | xargs -0 javac -nowarn -d "$WORK/build/classes" -cp "$JAR"
# The hook for the Spark comparison: a benchmark of PipelineModel.transform on a one-row DataFrame writes
# spark.<model>.one_row_p50_us=... and spark.<model>.one_row_p99_us=... lines into this file before this
# script runs; they are printed with the ratio to the in-process scorer (speedup_vs_spark_*).
exec java -Xmx1g -cp "$WORK/build/classes:$JAR" io.lakepipe.bench.ServingBench "$JAR" "$WORK" \
  --spark-results "$WORK/spark-results.properties" "${args[@]}"
