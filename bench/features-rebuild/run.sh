#!/usr/bin/env bash
# The feature job rebuilding one day with N days of history already built, against building that day
# in a lakehouse that holds only that day, in one run (goal: ratio <= 1.1). Prepares its own bronze
# tables from the flights-3m and airports data under .lakepipe/bench/features-rebuild, afresh each run.
# Needs the features job jar (mvn -pl jobs-features -am package, or ./lakepipe setup) and the data
# (./lakepipe setup). JOB_JAR=<jar> runs it against another build of jobs-features.
# Usage: bench/features-rebuild/run.sh [history-days, default 90]
# shellcheck disable=SC2034  # read by ../lib.sh, sourced below
BENCH_JOB=features
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
HISTORY_DAYS="${1:-90}"
[[ "$HISTORY_DAYS" =~ ^[0-9]+$ ]] && (( HISTORY_DAYS >= 1 && HISTORY_DAYS <= 180 )) \
  || { echo "history-days must be 1..180 (flights-3m holds 181 days), not '$HISTORY_DAYS'" >&2; exit 2; }
WORK="$LAKEPIPE_HOME/.lakepipe/bench/features-rebuild"
AIRPORTS="$LAKEPIPE_HOME/.lakepipe/data/airports.csv"
[[ -f "$AIRPORTS" && -e "$LAKEPIPE_HOME/.lakepipe/data/flights-3m.parquet" ]] \
  || { echo "The flights and airports data are missing: ./lakepipe setup" >&2; exit 1; }
rm -rf "$WORK/history" "$WORK/alone"
run_bench features-rebuild io.lakepipe.bench.FeaturesRebuildBench \
  "$LAKEPIPE_CONFIG" "$HISTORY_DAYS" "$WORK" "$AIRPORTS" \
  2> >(grep -E "ERROR|Exception|failed|error:" >&2)
