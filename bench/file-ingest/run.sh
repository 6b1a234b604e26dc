#!/usr/bin/env bash
# Throughput of the file ingest against plain Spark copying the same daily CSV files to Delta and to
# Parquet, in one run. Needs the job jar and the landed files (./lakepipe setup; ./lakepipe land).
# Usage: bench/file-ingest/run.sh [days, default 181 = the whole flights-3m data] [first day]
set -euo pipefail
LAKEPIPE_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export LAKEPIPE_HOME
source "$LAKEPIPE_HOME/config/services.env"
source "$LAKEPIPE_HOME/infra/lib/spark-env.sh"
DAYS="${1:-181}"
FIRST="${2:-2001-01-01}"
JOB_JAR="$LAKEPIPE_HOME/jobs-ingest/target/jobs-ingest.jar"
WORK="$LAKEPIPE_HOME/.lakepipe/bench/file-ingest"
BUILD="$WORK/build"
[[ -f "$JOB_JAR" ]] || { echo "Build the job jar first: ./lakepipe setup" >&2; exit 1; }
[[ -d "$LAKEPIPE_HOME/.lakepipe/landing/flights/ds=$FIRST" ]] \
  || { echo "Land the flights first: ./lakepipe land" >&2; exit 1; }

rm -rf "$WORK"
mkdir -p "$BUILD/classes"
javac -nowarn -d "$BUILD/classes" -cp "$SPARK_HOME/jars/*:$JOB_JAR" \
  "$LAKEPIPE_HOME/bench/file-ingest/src/io/lakepipe/bench/FileIngestBench.java"
jar cf "$BUILD/bench.jar" -C "$BUILD/classes" .

"$LAKEPIPE_HOME/.lakepipe/venv-airflow/bin/spark-submit" \
  --master "local[2]" \
  --properties-file "$LAKEPIPE_HOME/config/spark-defaults.conf" \
  --jars "$JOB_JAR" \
  --class io.lakepipe.bench.FileIngestBench \
  "$BUILD/bench.jar" "${LAKEPIPE_CONFIG:-$LAKEPIPE_HOME/config/local.conf}" "$FIRST" "$DAYS" "$WORK" \
  2> >(grep -E "ERROR|Exception" >&2)
