#!/usr/bin/env bash
# Backfills a range of days through a started Airflow and follows it to the end, as a user watching
# the UI would: lakepipe_training is unpaused (so the backfill's features event triggers it), a run of
# lakepipe_backfill is started over the range through the REST API (the call the UI's trigger form
# makes), and a progress line is printed whenever a task changes state or a range step reaches another
# day, until the backfill and the training it triggered have finished.
#
#   infra/airflow/backfill.sh <first ds> <last ds>
#
# The Airflow is the one of infra/airflow/env.sh (LAKEPIPE_AIRFLOW_INSTANCE and AIRFLOW_API_PORT select
# another); it must be running (./lakepipe airflow start). Used by ./lakepipe demo and by the e2e suite.
# Prints "backfill <run id>" and "training <run id>" as its last two lines; exits non-zero when a run
# fails (with its tasks' states) or does not finish within LAKEPIPE_BACKFILL_TIMEOUT seconds (3600).
set -euo pipefail
usage="usage: $0 <first ds> <last ds>"
first="${1:?$usage}" last="${2:?$usage}"
LAKEPIPE_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=env.sh
source "$LAKEPIPE_HOME/infra/airflow/env.sh"
TIMEOUT="${LAKEPIPE_BACKFILL_TIMEOUT:-3600}"
BASE="http://$AIRFLOW__API__HOST:$AIRFLOW__API__PORT"
PASSWORDS="${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE:-$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated}"
started=$(date +%s)

say() { printf '\033[1m[backfill %s]\033[0m %s\n' "$(elapsed)" "$*" >&2; }
elapsed() { local s=$(($(date +%s) - started)); printf '%dm%02ds' $((s / 60)) $((s % 60)); }
fail() { say "FAILED: $*"; exit 1; }

# A token of the admin user; the password and the token go to curl in owner-only files, never on a
# command line.
AUTH="$(mktemp)"
trap 'rm -f "$AUTH"' EXIT
[[ -s "$PASSWORDS" ]] || fail "no Airflow at $AIRFLOW_HOME: start it with ./lakepipe airflow start"
(
  umask 077
  jq '{username: "admin", password: .admin}' "$PASSWORDS" \
    | curl -fsS --max-time 30 -X POST "$BASE/auth/token" -H 'Content-Type: application/json' --data @- \
    | jq -r '"Authorization: Bearer \(.access_token)"' >"$AUTH"
) || fail "cannot log in to the Airflow at $BASE: is it running (./lakepipe airflow status)?"
api() { curl -fsS --max-time 30 -H @"$AUTH" "$BASE/api/v2/$1"; }
api_send() {
  curl -fsS --max-time 30 -X "$1" -H @"$AUTH" -H 'Content-Type: application/json' "$BASE/api/v2/$2" --data "$3"
}
uri() { jq -rn --arg v "$1" '$v | @uri'; }
run_ids() { api "dags/$1/dagRuns?order_by=run_after&limit=1000" | jq -r '.dag_runs[].dag_run_id'; }
run_state() { api "dags/$1/dagRuns/$(uri "$2")" | jq -r .state; }
# "<task> <state> <seconds>" of each task of a run.
task_lines() {
  api "dags/$1/dagRuns/$(uri "$2")/taskInstances?limit=100" \
    | jq -r '.task_instances[] | "\(.task_id) \(.state // "none") \(.duration // 0 | floor)"'
}
# The newest "day k of n" line a range step's log holds, as "day k of n, <day>".
range_day() {
  local log
  log="$(ls -t "$AIRFLOW_HOME/logs/dag_id=$1/run_id=$2/task_id=$3"/attempt=*.log 2>/dev/null | head -n 1)"
  [[ -n "$log" ]] || return 0
  grep -o 'day [0-9]* of [0-9]*, [0-9-]*' "$log" | tail -n 1 || true
}

# Why a run is queued: the DAGs run one run at a time, and a run left running (an Airflow stopped
# during it resumes it when it starts again) holds the next until it ends.
queued_behind() {
  local dag="$1" run="$2" other
  seen[$dag/queued]=yes
  other="$(api "dags/$dag/dagRuns?state=running&limit=1" | jq -r '.dag_runs[0] | "\(.dag_run_id) (running since \(.start_date))"' 2>/dev/null || true)"
  if [[ -n "$other" && "$other" != null* ]]; then
    echo "behind $other, as $dag runs one run at a time; it starts when that one ends (mark that one failed in the UI to stop it)"
  else
    echo "(waiting for the scheduler)"
  fi
}

declare -A seen
# Prints what changed in a run since the last look; returns 0 when it has finished (success), 1 while it
# runs, and fails the script when it failed.
follow() {
  local dag="$1" run="$2" task state seconds line key state_of_run day
  state_of_run="$(run_state "$dag" "$run")"
  while read -r task state seconds; do
    line="$state"
    if [[ "$state" == running ]]; then
      day="$(range_day "$dag" "$run" "$task")"
      line="running${day:+, $day}"
    fi
    [[ "$state" == success ]] && line="success in ${seconds} s"
    key="$dag/$task"
    if [[ "${seen[$key]:-}" != "$line" && "$state" != none && "$state" != scheduled ]]; then
      seen[$key]="$line"
      say "$dag $task: $line"
    fi
  done < <(task_lines "$dag" "$run")
  case "$state_of_run" in
    success) return 0 ;;
    queued)
      # Not finished: without this return, the status of the line above (0) said it was.
      [[ -n "${seen[$dag/queued]:-}" ]] || say "$dag: queued $(queued_behind "$dag" "$run")"
      return 1
      ;;
    failed)
      task_lines "$dag" "$run" | sed 's/^/  /' >&2
      fail "$dag run $run failed; its task logs are under $AIRFLOW_HOME/logs/dag_id=$dag/run_id=$run/"
      ;;
    *) return 1 ;;
  esac
}

# Unpaused before the run: a paused DAG gets no run from an asset event. lakepipe_daily is left as it is
# (unpaused with no runs, its catch-up would run every day of the data).
for dag in lakepipe_training lakepipe_backfill; do
  api_send PATCH "dags/$dag" '{"is_paused": false}' >/dev/null || fail "cannot unpause $dag"
done
before="$(run_ids lakepipe_training || true)"
run="$(api_send POST dags/lakepipe_backfill/dagRuns \
  "$(jq -cn --arg first "$first" --arg last "$last" '{logical_date: null, conf: {start: $first, "end": $last}}')" \
  | jq -r .dag_run_id)" || fail "cannot trigger lakepipe_backfill"
say "lakepipe_backfill $first..$last started: $BASE/dags/lakepipe_backfill/runs/$(uri "$run")"
# Both runs are followed at once: the training starts when the backfill publishes its features, and the
# Spark pool may run its tasks before the backfill's last ones.
training="" backfill_done="" training_done=""
until [[ -n "$backfill_done" && -n "$training_done" ]]; do
  if [[ -z "$backfill_done" ]] && follow lakepipe_backfill "$run"; then
    backfill_done=yes
    say "lakepipe_backfill finished"
  fi
  if [[ -z "$training" ]]; then
    training="$(comm -13 <(sort <<<"$before") <(run_ids lakepipe_training | sort) | tail -n 1)"
    [[ -z "$training" ]] || say "lakepipe_training started: $BASE/dags/lakepipe_training/runs/$(uri "$training")"
  fi
  if [[ -n "$training" && -z "$training_done" ]] && follow lakepipe_training "$training"; then
    training_done=yes
    say "lakepipe_training finished"
  fi
  (($(date +%s) - started < TIMEOUT)) || fail "the backfill and its training did not finish within $TIMEOUT s"
  [[ -n "$backfill_done" && -n "$training_done" ]] || sleep 5
done
say "done: the backfill of $first..$last and its training"
printf 'backfill %s\ntraining %s\n' "$run" "$training"
