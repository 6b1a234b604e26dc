#!/usr/bin/env bash
# Range runs against daily runs: every stage of lakepipe_daily (the same jobs, in the same order) for N
# days, once as N daily runs of each job (as `airflow backfill create` or the daily schedule runs them)
# into one lakehouse, once as one range run of each job (--until, as lakepipe_backfill runs them) into
# another; then both lakehouses are compared ds by ds (infra/report/compare_lakehouses.py), and the
# floor of a task is measured beside them: spark-submit of an empty main, and of a main that only
# starts and stops a lakepipe Spark session. Every job is started by `./lakepipe run`, as a user would,
# with the JVM options of config/spark-defaults.conf (SPARK_SUBMIT_OPTS adds more).
#
# Needs the job jars and data (./lakepipe setup), the stack (./lakepipe services start) and the days
# landed (./lakepipe land); the flight events of the days are published to Kafka here (replay).
# Works under .lakepipe/bench/backfill, afresh each run. Prints wall seconds; a ratio is range / daily.
# Usage: bench/backfill/run.sh [days, default 7] [first day, default 2001-01-01]
set -euo pipefail
# shellcheck disable=SC2034  # read by ../lib.sh
BENCH_JOB=ingest
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
DAYS="${1:-7}"
FIRST="${2:-2001-01-01}"
[[ "$DAYS" =~ ^[0-9]+$ ]] && ((DAYS >= 1 && DAYS <= 181)) || { echo "days must be 1..181, not '$DAYS'" >&2; exit 2; }
LAST="$(date -u -d "$FIRST + $((DAYS - 1)) day" +%F)"
WORK="$LAKEPIPE_HOME/.lakepipe/bench/backfill"
LAKEPIPE="$LAKEPIPE_HOME/lakepipe"
rm -rf "$WORK"
mkdir -p "$WORK"

# The daily DAG's Spark steps, in its order: job and its own options.
STEPS=(
  "ingest-files --source flights"
  "ingest-jdbc --source airports"
  "ingest-kafka --source flight-events"
  "check-table --table bronze-flights"
  "build-features --view flights"
  "check-features --view flights"
  "report"
)

for name in daily range; do
  cat >"$WORK/$name.conf" <<CONF
include file("$LAKEPIPE_CONFIG")
lakepipe.lakehouse = "$WORK/$name/lakehouse"
CONF
done

for ((offset = 0; offset < DAYS; offset++)); do
  day="$(date -u -d "$FIRST + $offset day" +%F)"
  compgen -G "$LAKEPIPE_HOME/.lakepipe/landing/flights/ds=$day/part-*" >/dev/null \
    || { echo "$day is not landed: ./lakepipe land $FIRST $LAST" >&2; exit 1; }
done
echo "[backfill] publishing the flight events of $FIRST..$LAST to Kafka"
"$LAKEPIPE" replay "$FIRST" "$LAST" --rate 0 >"$WORK/replay.log" 2>&1

# calc <awk expression>: its value (bc is not on every machine).
calc() { awk "BEGIN { printf \"%.6f\", $* }"; }

# seconds <command...>: runs it with its output in the work folder's log, prints its wall seconds.
seconds() {
  local started ended
  started="$(date +%s.%N)"
  "$@" >>"$WORK/jobs.log" 2>&1 || { echo "failed: $* (log: $WORK/jobs.log)" >&2; exit 1; }
  ended="$(date +%s.%N)"
  calc "$ended - $started"
}

echo "[backfill] floor: spark-submit of an empty main, and of a main that starts a lakepipe session"
build="$WORK/build"
compile_bench backfill "$build" "$SPARK_HOME/jars/*:$JOB_JAR"
submit() {
  "$LAKEPIPE_HOME/.lakepipe/venv-airflow/bin/spark-submit" --master "local[2]" \
    --properties-file "$LAKEPIPE_HOME/config/spark-defaults.conf" --jars "$JOB_JAR" --class "$@"
}
empty_main="$(seconds submit io.lakepipe.bench.EmptyMain "$build/bench.jar")"
session_main="$(seconds submit io.lakepipe.bench.SessionMain "$build/bench.jar" "$WORK/daily.conf")"

declare -A daily_seconds range_seconds
started_all="$(date +%s)"
for ((offset = 0; offset < DAYS; offset++)); do
  day="$(date -u -d "$FIRST + $offset day" +%F)"
  echo "[backfill] daily runs: day $((offset + 1)) of $DAYS, $day ($(($(date +%s) - started_all)) s)"
  for step in "${STEPS[@]}"; do
    read -r job options <<<"$step"
    # shellcheck disable=SC2086 # the job's options, as words
    s="$(LAKEPIPE_CONFIG="$WORK/daily.conf" seconds "$LAKEPIPE" run "$job" "$day" $options)"
    daily_seconds[$job]="$(calc "${daily_seconds[$job]:-0} + $s")"
  done
done
for step in "${STEPS[@]}"; do
  read -r job options <<<"$step"
  echo "[backfill] range run: $job $FIRST..$LAST ($(($(date +%s) - started_all)) s)"
  # shellcheck disable=SC2086
  range_seconds[$job]="$(LAKEPIPE_CONFIG="$WORK/range.conf" seconds "$LAKEPIPE" run "$job" "$FIRST" --until "$LAST" $options)"
done

echo "[backfill] comparing the two lakehouses, $FIRST..$LAST"
"$LAKEPIPE_HOME/.lakepipe/venv-mlflow/bin/python" "$LAKEPIPE_HOME/infra/report/compare_lakehouses.py" \
  --config "$WORK/daily.conf" --other-config "$WORK/range.conf" --from "$FIRST" --to "$LAST" >"$WORK/compare.log" 2>&1 \
  && same="the same" || same="DIFFERENT (see $WORK/compare.log)"

printf '\n%d days, %s..%s, wall seconds (this machine, one run)\n' "$DAYS" "$FIRST" "$LAST"
printf '%-16s %12s %12s %8s %14s\n' job "daily runs" "range run" ratio "range per day"
daily_total=0 range_total=0
for step in "${STEPS[@]}"; do
  read -r job _ <<<"$step"
  d="${daily_seconds[$job]}" r="${range_seconds[$job]}"
  daily_total="$(calc "$daily_total + $d")" range_total="$(calc "$range_total + $r")"
  printf '%-16s %12.1f %12.1f %8.2f %14.1f\n' "$job" "$d" "$r" "$(calc "$r / $d")" "$(calc "$r / $DAYS")"
done
printf '%-16s %12.1f %12.1f %8.2f %14.1f\n' "every stage" "$daily_total" "$range_total" \
  "$(calc "$range_total / $daily_total")" "$(calc "$range_total / $DAYS")"
printf '\nfloor of one task: spark-submit of an empty main %.1f s; of a main that starts and stops a lakepipe session %.1f s\n' \
  "$empty_main" "$session_main"
printf 'a daily task on average: %.1f s (%.1fx the session floor)\n' \
  "$(calc "$daily_total / ($DAYS * ${#STEPS[@]})")" "$(calc "$daily_total / ($DAYS * ${#STEPS[@]} * $session_main)")"
printf 'the tables of both lakehouses: %s\n' "$same"
