#!/usr/bin/env bash
# Throughput of the file ingest against plain Spark copying the same daily CSV files to Delta and to
# Parquet, in one run. Needs the job jar and the landed files (./lakepipe setup; ./lakepipe land).
# Usage: bench/file-ingest/run.sh [--one-day] [days, default 181 = the whole flights-3m data] [first day]
# With --one-day, the files of those days are ingested as one big day (all their rows under one ds).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
MODE=daily
if [[ "${1:-}" == --one-day ]]; then
  MODE=one-day
  shift
fi
DAYS="${1:-181}"
FIRST="${2:-2001-01-01}"
WORK="$LAKEPIPE_HOME/.lakepipe/bench/file-ingest"
[[ -d "$LAKEPIPE_HOME/.lakepipe/landing/flights/ds=$FIRST" ]] \
  || { echo "Land the flights first: ./lakepipe land" >&2; exit 1; }
rm -rf "$WORK/lakehouse" "$WORK"/plain-* "$WORK/one-day-landing"
run_bench file-ingest io.lakepipe.bench.FileIngestBench "$LAKEPIPE_CONFIG" "$FIRST" "$DAYS" "$WORK" "$MODE" \
  2> >(grep -E "ERROR|Exception|error:" >&2)
