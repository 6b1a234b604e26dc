#!/usr/bin/env bash
# Drift-triggered retraining through the real check-features job and a real Airflow: with
# lakepipe.training.trigger = on-drift, a day whose distances were scaled by 1.3 (a PSI between
# retrain-psi and max-psi) emits its features event asking for a training ("retrain": true), with the
# drifted feature in its extra, and the unshifted day before it emits its event with "retrain": false
# (the training DAG then only scores it: dags/tests/test_retraining.py decides on such events).
#
#   infra/airflow/drift-trigger-test.sh
#
# Everything is its own: an Airflow home and SQLite DB under a temporary folder (removed at the end
# unless KEEP=1), a lakehouse there with the row features of 2001-01-09..17 built from the flights
# data set (infra/report/feature_days.py; the 17th shifted), and an MLflow experiment of its own
# (deleted at the end). `airflow dags test` runs lakepipe_daily in-process for the 16th and the 17th,
# marking every task but check_features and publish_features successful, so two real spark-submits
# of jobs-features.jar run ($LAKEPIPE_JARS_DIR's, else jobs-features/target/'s: build it first with
# ./mvnw -o package -pl jobs-features -am -DskipTests). The faults suite runs it. The verdict is read from the Airflow DB: the asset events and the tasks' states.
# Needs the running MLflow server of config/services.env; about 3 minutes here.
set -euo pipefail

say() { printf '\033[1m[drift-trigger]\033[0m %s\n' "$*"; }
fail() { printf '[drift-trigger] FAILED: %s\n' "$*" >&2; exit 1; }

# A free loopback port for the API address Airflow derives its execution API URL from (nothing
# listens on it: dags test runs tasks in-process), so no setting points at another Airflow.
AIRFLOW_API_PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export AIRFLOW_API_PORT
# shellcheck source=infra/airflow/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# shellcheck source=infra/airflow/bootstrap.sh
source "$LAKEPIPE_HOME/infra/airflow/bootstrap.sh"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/lakepipe-drift-trigger.XXXXXX")"
export AIRFLOW_HOME="$WORK/airflow"
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="sqlite:///$AIRFLOW_HOME/airflow.db?timeout=60"
export LAKEPIPE_TASK_RETRIES=0
export LAKEPIPE_CONFIG="$WORK/drift.conf"
EXPERIMENT="lakepipe-drift-trigger-test-$(date -u +%Y%m%d%H%M%S)-$$"
MLFLOW="${MLFLOW_TRACKING_URI:-http://127.0.0.1:${MLFLOW_PORT:-5000}}"
export MLFLOW_TRACKING_URI="$MLFLOW"
CALM_DAY=2001-01-16
SHIFTED_DAY=2001-01-17

cleanup() {
  curl -fsS -X POST -H 'Content-Type: application/json' "$MLFLOW/api/2.0/mlflow/experiments/delete" \
    -d "{\"experiment_id\": \"$(curl -fsS "$MLFLOW/api/2.0/mlflow/experiments/get-by-name?experiment_name=$EXPERIMENT" \
      2>/dev/null | sed -n 's/.*"experiment_id": *"\([0-9]*\)".*/\1/p')\"}" >/dev/null 2>&1 || true
  if [ "${KEEP:-0}" = 1 ]; then say "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# The jar the DAG step runs: LAKEPIPE_JARS_DIR's (the test suites' copies), else the build output.
jar="${LAKEPIPE_JARS_DIR:-$LAKEPIPE_HOME/jobs-features/target}/jobs-features.jar"
[ -f "$jar" ] || fail "no $jar; build it: ./mvnw -o package -pl jobs-features -am -DskipTests"
curl -fsS "$MLFLOW/health" >/dev/null || fail "the MLflow server $MLFLOW does not answer: ./lakepipe services start"

cat >"$LAKEPIPE_CONFIG" <<CONF
include file("$LAKEPIPE_HOME/config/local.conf")
lakepipe {
  lakehouse = "$WORK/lakehouse"
  training { trigger = on-drift, drift-experiment = "$EXPERIMENT" }
}
CONF

say "1. Features of 2001-01-09..$SHIFTED_DAY from the flights data set, distances of $SHIFTED_DAY x1.3"
"$LAKEPIPE_HOME/.lakepipe/venv-mlflow/bin/python" "$LAKEPIPE_HOME/infra/report/feature_days.py" \
  "$LAKEPIPE_HOME/.lakepipe/data/flights-3m.parquet" "$WORK/lakehouse/features/flights" \
  2001-01-09 "$SHIFTED_DAY" --shift "$SHIFTED_DAY" 1.3

airflow_bootstrap || fail "airflow bootstrap"
for day in "$CALM_DAY" "$SHIFTED_DAY"; do
  say "2. lakepipe_daily $day: check_features and publish_features for real, the other tasks marked successful"
  airflow dags test lakepipe_daily "$day" \
    --mark-success-pattern '^(wait_for_flights|ingest_.*|check_bronze|build_features|daily_report)$' \
    >"$WORK/dags-test-$day.log" 2>&1 || { tail -n 60 "$WORK/dags-test-$day.log" >&2; fail "dags test $day"; }
done

say "3. What the Airflow DB holds"
AIRFLOW_DB="$AIRFLOW_HOME/airflow.db" CALM_DAY="$CALM_DAY" SHIFTED_DAY="$SHIFTED_DAY" python - <<'PY' || fail "see above"
import json
import os
import sqlite3
import sys

db = sqlite3.connect(os.environ["AIRFLOW_DB"])
calm, shifted = os.environ["CALM_DAY"], os.environ["SHIFTED_DAY"]
# (A run of `dags test` is named after the time it ran, not its logical date.)
states = {
    (str(logical_date)[:10], task): state
    for logical_date, task, state in db.execute(
        "SELECT r.logical_date, t.task_id, t.state FROM task_instance t"
        " JOIN dag_run r ON r.dag_id = t.dag_id AND r.run_id = t.run_id"
        " WHERE t.dag_id = 'lakepipe_daily' AND t.task_id IN ('check_features', 'publish_features')"
    )
}
events = [
    json.loads(extra)
    for (extra,) in db.execute(
        "SELECT e.extra FROM asset_event e JOIN asset a ON a.id = e.asset_id"
        " WHERE a.name = 'lakepipe_features_flights' ORDER BY e.timestamp"
    )
]
print("task states:", states)
print("training events:", events)
problems = []
for day in (calm, shifted):
    for task in ("check_features", "publish_features"):
        if states.get((day, task)) != "success":
            problems.append(f"{task} of {day} is {states.get((day, task))}, not success")
if [(e.get("ds"), e.get("retrain")) for e in events] != [(calm, False), (shifted, True)]:
    problems.append(f"expected the events of {calm} (retrain false) and {shifted} (retrain true); got {events}")
elif "drift" in events[0]:
    problems.append(f"the calm day's event names a drift: {events[0]}")
elif not 0.1 < events[1].get("drift", {}).get("distance", 0) <= 0.25 or set(events[1]["drift"]) != {"distance"}:
    problems.append(f"the shifted day's drift should be distance alone, between 0.1 and 0.25: {events[1]}")
if problems:
    print("\n".join(problems), file=sys.stderr)
    sys.exit(1)
PY
grep -h "Features event for" "$WORK"/dags-test-*.log | sed 's/^/  /' | cut -c1-400 || true
say "ok: $SHIFTED_DAY asked for a training with its drift, $CALM_DAY did not"
