#!/usr/bin/env bash
# Training time and test ROC AUC per model type on the first N rows of flights-3m (default 1M and 3M),
# next to scikit-learn's HistGradientBoosting fit on the same rows (reference.py) and the route-delay-share
# baseline, all measured on the same test days in the same run: one table per row count.
# Needs the train job jar (./lakepipe setup, or mvn -pl jobs-train -am package) and the data.
# Usage: bench/train-models/run.sh [rows...]     e.g. bench/train-models/run.sh 1000000
# shellcheck disable=SC2034  # read by ../lib.sh, sourced below
BENCH_JOB=train
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
FLIGHTS="$LAKEPIPE_HOME/.lakepipe/data/flights-3m.parquet"
[[ -e "$FLIGHTS" ]] || { echo "The flights data are missing: ./lakepipe setup" >&2; exit 1; }
export SPARK_DRIVER_MEMORY="${SPARK_DRIVER_MEMORY:-12g}"
[[ $# -gt 0 ]] || set -- 1000000 3000000
PYTHON="$LAKEPIPE_HOME/.lakepipe/venv-mlflow/bin/python"
[[ -x "$PYTHON" ]] || { echo "The MLflow environment (scikit-learn) is missing: ./lakepipe setup" >&2; exit 1; }
for rows in "$@"; do
  work="$LAKEPIPE_HOME/.lakepipe/bench/train-models/rows-$rows"
  mkdir -p "$work"
  run_bench train-models io.lakepipe.bench.TrainModelsBench "$LAKEPIPE_CONFIG" "$FLIGHTS" "$rows" "$work" \
    2> >(grep -E "ERROR|Exception|failed|error:" >&2)
  "$PYTHON" "$LAKEPIPE_HOME/bench/train-models/reference.py" "$work" "$rows"
done
