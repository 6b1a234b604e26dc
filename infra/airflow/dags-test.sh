#!/usr/bin/env bash
# Run one lakepipe DAG for one logical date, in-process (no scheduler, no executor), and exit
# non-zero unless that DAG run ended in state success.
#
#   infra/airflow/dags-test.sh YYYY-MM-DD [dag_id [option...]]   (dag_id defaults to lakepipe_daily)
#
# Options after the dag_id go to `airflow dags test`, e.g. -c '{"first_training_ds": "2001-01-01"}'.
#
# lakepipe_training is scheduled on an asset, not on dates: it is run with the conf {"ds": ...},
# which names the day it trains for, as a manual trigger would.
#
# Tasks run with LAKEPIPE_TASK_RETRIES=0 unless the caller sets it: `airflow dags test` would
# otherwise wait out every retry_delay (5 minutes, twice) before reporting a failed job.
# The run's verdict is read back from the metadata DB rather than trusted from the exit code
# alone, and every task's state is printed.
set -euo pipefail

usage="usage: $0 YYYY-MM-DD [dag_id [option...]]"
ds="${1:?$usage}"
dag_id="${2:-lakepipe_daily}"
shift $(($# < 2 ? $# : 2))
if ! [[ "$ds" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]]; then
  echo "dags-test: logical date '$ds' is not YYYY-MM-DD. $usage" >&2
  exit 2
fi

# shellcheck source=infra/airflow/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# shellcheck source=infra/airflow/bootstrap.sh
source "$LAKEPIPE_HOME/infra/airflow/bootstrap.sh"
export LAKEPIPE_TASK_RETRIES="${LAKEPIPE_TASK_RETRIES:-0}"

if ! command -v airflow >/dev/null 2>&1; then
  echo "dags-test: no 'airflow' on PATH; install the Airflow virtualenv at $LAKEPIPE_HOME/.lakepipe/venv-airflow." >&2
  exit 2
fi

airflow_bootstrap || exit 1

test_args=("$@" "$dag_id" "$ds")
if [ "$dag_id" = lakepipe_training ]; then
  test_args=(-c "{\"ds\": \"$ds\"}" "$@" "$dag_id" "$ds")
fi
echo "dags-test: airflow dags test ${test_args[*]} (retries=$LAKEPIPE_TASK_RETRIES, AIRFLOW_HOME=$AIRFLOW_HOME)"
test_rc=0
airflow dags test "${test_args[@]}" || test_rc=$?

# Airflow 3.3's `dags test` exits 1 only for a run that ended FAILED (and 0 for any other end); the
# run's state in the DB is the verdict, whatever a future CLI's exit code means.
runs_json="$(airflow dags list-runs "$dag_id" --start-date "$ds" --end-date "${ds}T23:59:59+00:00" -o json 2>/dev/null || true)"
read -r run_state run_id <<<"$(
  RUNS_JSON="$runs_json" DS="$ds" python - <<'PY'
import json
import os

# Airflow's CLI prints Python warnings on stdout too: the JSON is the line that parses as a list.
runs = []
for line in os.environ["RUNS_JSON"].splitlines():
    if line.startswith("["):
        try:
            runs = json.loads(line)
        except ValueError:
            pass
runs = [r for r in runs if str(r.get("logical_date", "")).startswith(os.environ["DS"])]
# Each `dags test` makes a new run, its run_id stamped with run_after: the latest is the one just tested.
runs.sort(key=lambda r: str(r.get("run_after") or ""))
print(f"{runs[-1]['state']} {runs[-1]['run_id']}" if runs else "missing -")
PY
)"

if [ "$run_id" != "-" ]; then
  airflow tasks states-for-dag-run "$dag_id" "$run_id" -o table 2>/dev/null | grep -v "^$" || true
fi

if [ "$run_state" = "success" ] && [ "$test_rc" -eq 0 ]; then
  echo "dags-test: $dag_id $ds succeeded"
  exit 0
fi
echo "dags-test: $dag_id $ds did not succeed (run state: $run_state, 'airflow dags test' exit code: $test_rc);" \
  "the failed task's spark-submit output is in the log above (dags test runs tasks in-process, no log files)." >&2
exit 1
