#!/usr/bin/env bash
# The Spark side of the serving benchmark: PipelineModel.transform of a one-row DataFrame for the
# flights pipeline (lr, gbt), written to .lakepipe/bench/serving/spark-results.properties, which
# bench/serving/run.sh prints beside the Spark-free scorer. Needs the train job jar and the data.
# shellcheck disable=SC2034  # read by bench/lib.sh, sourced below
BENCH_JOB=train
source "$(dirname "${BASH_SOURCE[0]}")/../../lib.sh"
FLIGHTS="$LAKEPIPE_HOME/.lakepipe/data/flights-3m.parquet"
[[ -e "$FLIGHTS" ]] || { echo "The flights data are missing: ./lakepipe setup" >&2; exit 1; }
run_bench serving/spark io.lakepipe.bench.SparkOneRowBench "$FLIGHTS" \
  "$LAKEPIPE_HOME/.lakepipe/bench/serving/spark-results.properties" \
  2> >(grep -E "ERROR|Exception|failed" >&2)
