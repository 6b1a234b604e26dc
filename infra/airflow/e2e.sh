#!/usr/bin/env bash
# The end-to-end test of the DAGs against the real local stack (started by ./lakepipe services):
#
#   infra/airflow/e2e.sh YYYY-MM-DD        (the last of three days; ./lakepipe test passes 2001-01-15)
#
# 1. One by one: `airflow dags test lakepipe_daily` for the first two of the three days into a
#    fresh lakehouse, as a daily schedule runs them (no training: the backfill's is the one checked).
# 2. Backfill: a separate Airflow (standalone: scheduler, LocalExecutor, triggerer, API server) on
#    its own port and DB, with the Variable lakepipe_config pointing at a second fresh lakehouse, is
#    given a run of lakepipe_backfill over the three days through its REST API, the call the
#    UI's trigger form makes; each of its Spark steps writes the three days in one application
#    (--until), and its scheduler runs lakepipe_training from the one asset event it publishes. The
#    backfill run must succeed, the training must score, and compare_lakehouses.py must find both
#    lakehouses' tables the same for the two days both hold. check_pipeline.py then checks the
#    backfilled lakehouse: the tables, the daily report pages, the audit rows, the MLflow run, the
#    model version, the champion alias and the bundle; `./lakepipe serve` scores with that champion,
#    and lakepipe_promote takes it to a prod of the test's own. Then the recipe "Adding a DAG step" of
#    docs/contributing.md is followed word for word on a copy of the checkout against the backfilled
#    lakehouse (infra/test/recipe-test.sh: its config, its DAG, its commands), and so are "Adding a
#    source" and "Adding a feature"; the notebooks run headless with papermill on it and its
#    training run (infra/test/notebooks-test.sh).
# 3. A headless Chromium logs in to that Airflow's UI and finds the DAGs and a successful run;
#    its screenshots are kept under .lakepipe/test-artifacts/.
#
# Everything it writes is under .lakepipe/e2e/ (removed at the start) and .lakepipe/test-artifacts/.
set -euo pipefail

usage="usage: $0 YYYY-MM-DD"
last_day="${1:?$usage}"
[[ "$last_day" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || { echo "$usage" >&2; exit 2; }
first_day="$(date -u -d "$last_day - 2 day" +%F)"
middle_day="$(date -u -d "$last_day - 1 day" +%F)"

LAKEPIPE_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export LAKEPIPE_HOME
STATE="$LAKEPIPE_HOME/.lakepipe"
E2E="$STATE/e2e"
ARTIFACTS="$STATE/test-artifacts"
REPORT_PYTHON="$STATE/venv-mlflow/bin/python"
AIRFLOW_PYTHON="$STATE/venv-airflow/bin/python"
# The backfill's Airflow: an instance of its own beside a developer's (port, DB, log servers).
E2E_INSTANCE=airflow-e2e
E2E_PORT="${AIRFLOW_E2E_PORT:-8081}"
# Step 2f's prod scorer.
E2E_PROD_SCORER_PORT=8799
BACKFILL_TIMEOUT_SECONDS="${LAKEPIPE_E2E_BACKFILL_TIMEOUT:-2400}"

say() { printf '\033[1m[e2e]\033[0m %s\n' "$*"; }
fail() { printf '[e2e] FAILED: %s\n' "$*" >&2; exit 1; }

# The registered model of this run (both lakehouses' trainings), so that no champion of an earlier
# run on the same tracking server decides what this one promotes and exports.
E2E_MODEL="lakepipe_flights_delay_e2e_$(date -u +%Y%m%d%H%M%S)"

# A config that is local.conf with every written location moved under one folder.
write_config() {
  local name="$1" root="$E2E/$1"
  mkdir -p "$root"
  cat >"$E2E/$name.conf" <<CONF
include file("$LAKEPIPE_HOME/config/local.conf")
lakepipe {
  lakehouse = "$root/lakehouse"
  export.dir = "$root/exports"
  export.pmml.location = "$root/deploy"
  mlflow.model-name = "$E2E_MODEL"
  # Its validated champion goes to this test's own prod (step 2f), not the local stack's.
  environment.promote-to = "$E2E/prod.conf"
  # The serving check's parity, not this machine's latency, as in ExportPmmlIT: with Airflow, MLflow and
  # the next day's jobs beside the scorer, two fresh-clone CI runs measured a p99 of 28 ms against the
  # default budget of 20, kept no champion and failed export_bundle. Latency is bench/serving's to
  # measure; ExportPmmlIT tests a scorer too slow for its budget.
  export.serving-check.p99-budget-ms = 10000
  # The default candidates but XGBoost and the perceptron, with fewer iterations where they cost most
  # (the defaults took 250 s of each of the two trainings this test had; 20 trees of depth 5 took 33 of the
  # 77 s left; the perceptron 22 s of each training, searched and refit). Their paths are tested
  # elsewhere: TrainModelIT trains XGBoost against the real tracking server, MlflowModelDirectoryIT
  # scores its logged model, ExportPmmlIT promotes an XGBoost challenger through the real serving
  # check, PmmlParityIT scores both families' PMML like Spark, TrainingPipelineTest searches them.
  train.candidates = [
    { name = logistic_regression, type = logistic-regression,
      grid { max-iter = [20], reg-param = [0.001, 0.01], elastic-net-param = [0.0] } }
    { name = gradient_boosted_trees, type = gbt, grid { max-iter = [8], max-depth = [4], step-size = [0.3] } }
    # The deep-learning family through the DAG: its PyTorch process in a barrier task of the job's Spark.
    { name = torch_mlp, type = torch, grid { epochs = [2], batch-size = [256], hidden-layers = [[16]] } }
  ]
}
CONF
}

e2e_airflow() {
  LAKEPIPE_AIRFLOW_INSTANCE="$E2E_INSTANCE" AIRFLOW_API_PORT="$E2E_PORT" \
    "$LAKEPIPE_HOME/infra/airflow/airflow.sh" "$@"
}

# The Airflow CLI against the backfill's instance.
# A command in the environment of the backfill's instance: `e2e_in airflow ...`, or a function of
# bootstrap.sh.
e2e_in() {
  (
    export LAKEPIPE_AIRFLOW_INSTANCE="$E2E_INSTANCE" AIRFLOW_API_PORT="$E2E_PORT"
    source "$LAKEPIPE_HOME/infra/airflow/env.sh"
    source "$LAKEPIPE_HOME/infra/airflow/bootstrap.sh"
    "$@"
  )
}
e2e_cli() { e2e_in airflow "$@"; }

# The backfill's Airflow through its REST API (/api/v2), with a token of the admin user: one curl
# a question, where an `airflow` CLI call would start a Python process that imports Airflow every
# time the wait below looks (seconds of CPU each, taken from the jobs being waited for). The password
# and the token go to curl in owner-only files, never on a command line.
api_login() {
  (
    umask 077
    jq '{username: "admin", password: .admin}' \
      "$STATE/$E2E_INSTANCE/simple_auth_manager_passwords.json.generated" >"$E2E/api-login.json"
    token="$(curl -fsS --max-time 30 -X POST "http://127.0.0.1:$E2E_PORT/auth/token" \
      -H 'Content-Type: application/json' --data @"$E2E/api-login.json" | jq -r .access_token)"
    printf 'Authorization: Bearer %s\n' "$token" >"$E2E/api-auth.header"
    rm -f "$E2E/api-login.json"
  )
}
api() {
  curl -fsS --max-time 30 -H @"$E2E/api-auth.header" "http://127.0.0.1:$E2E_PORT/api/v2/$1"
}
# A write through the same API: method, path, JSON body.
api_send() {
  curl -fsS --max-time 30 -X "$1" -H @"$E2E/api-auth.header" -H 'Content-Type: application/json' \
    "http://127.0.0.1:$E2E_PORT/api/v2/$2" --data "$3"
}

# The state of one task of a run.
task_state() {
  api "dags/$1/dagRuns/$(jq -rn --arg id "$2" '$id | @uri')/taskInstances/$3" | jq -r .state
}

# Waits until a task of a run is in the state given (a failed run stops the test): dag, run, task, state.
wait_for_task() {
  local started state
  started=$(date +%s)
  until [[ "$(task_state "$1" "$2" "$3" 2>/dev/null || true)" == "$4" ]]; do
    state="$(api "dags/$1/dagRuns/$(jq -rn --arg id "$2" '$id | @uri')" | jq -r .state)"
    if [[ "$state" == failed ]]; then
      api "dags/$1/dagRuns/$(jq -rn --arg id "$2" '$id | @uri')/taskInstances" \
        | jq -r '.task_instances[] | "  \(.task_id): \(.state)"' >&2 || true
      grep -F "run_id=$2" "$STATE/logs/$E2E_INSTANCE.log" | grep -F "state mismatch" >&2 || true
      fail "$1 run $2 failed before its task $3 was $4; logs under $STATE/$E2E_INSTANCE/logs"
    fi
    (($(date +%s) - started < 300)) || fail "$1 run $2: task $3 not $4 within 300 s (now $(task_state "$1" "$2" "$3"))"
    sleep 2
  done
}

# Airflow 3.3 fails a resumed approval task ("state mismatch") when the exit of the worker that parked
# it reaches the scheduler after an answer has already queued it again: the scheduler takes it for a
# task killed outside Airflow (apache/airflow#71580 is the same race for deferred tasks). Seconds on a
# loaded machine; a person answers later than that, this test waits for the scheduler's line on the
# parked attempt before answering.
wait_for_parked_attempt() {
  local started
  started=$(date +%s)
  until grep -qF "TaskInstance Finished: dag_id=lakepipe_promote, task_id=approve, run_id=$1," \
    "$STATE/logs/$E2E_INSTANCE.log"; do
    (($(date +%s) - started < 120)) || fail "lakepipe_promote run $1: the scheduler did not see approve park within 120 s"
    sleep 1
  done
}

# lakepipe_promote through the started Airflow: a run waits for its approval; the answer is the REST
# call the UI's "Required actions" makes. Approve (with a comment) or Reject; prints the run id.
promote() {
  local run
  run="$(api_send POST dags/lakepipe_promote/dagRuns '{"logical_date": null}' | jq -r .dag_run_id)"
  wait_for_task lakepipe_promote "$run" approve awaiting_input
  wait_for_parked_attempt "$run"
  api_send PATCH "dags/lakepipe_promote/dagRuns/$(jq -rn --arg id "$run" '$id | @uri')/taskInstances/approve/-1/hitlDetails" \
    "$(jq -cn --arg choice "$1" '{chosen_options: [$choice], params_input: {comment: "e2e: \($choice)"}}')" >/dev/null
  printf '%s\n' "$run"
}

rm -rf "${E2E:?}" "${STATE:?}/$E2E_INSTANCE"
mkdir -p "$E2E" "$ARTIFACTS"
write_config one-by-one
write_config backfill
# The prod environment of step 2f: its own registered model, scorer and tables (config/prod.conf's keys).
cat >"$E2E/prod.conf" <<CONF
include file("$E2E/backfill.conf")
lakepipe {
  environment { name = "prod", scorer-url = "http://127.0.0.1:$E2E_PROD_SCORER_PORT", promote-to = "" }
  mlflow.model-name = "${E2E_MODEL}_prod"
  export.dir = "$E2E/prod/exports"
  export.pmml.location = "$E2E/prod/deploy"
  tables.predictions-flights = "$E2E/prod/predictions/flights"
  tables.prediction-quality-flights = "$E2E/prod/quality/predictions_flights"
}
CONF
trap 'e2e_airflow stop >/dev/null 2>&1 || true' EXIT

say "Publishing the flight events of $first_day..$last_day to Kafka (the upstream system's part)"
"$LAKEPIPE_HOME/lakepipe" replay "$first_day" "$last_day" --rate 0

# The last day is the backfill's alone: a daily run of it would add one day of seven Spark steps and
# a second training (about 6 minutes of the suite) to compare one more day, where the two before
# already compare the daily path's history across a day boundary with the range run's.
say "1. One by one: lakepipe_daily for $first_day and $middle_day, as a daily schedule runs them"
for day in "$first_day" "$middle_day"; do
  LAKEPIPE_CONFIG="$E2E/one-by-one.conf" "$LAKEPIPE_HOME/infra/airflow/dags-test.sh" "$day" lakepipe_daily
done

say "2. Backfill of $first_day..$last_day with lakepipe_backfill, through the scheduler of a started Airflow (port $E2E_PORT)"
export LAKEPIPE_START_DATE="$first_day" LAKEPIPE_END_DATE="$last_day" LAKEPIPE_TASK_RETRIES=0
export AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=8795 AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT=8796
# Every CLI write happens before the scheduler starts: beside a running scheduler, CLI writes failed
# with SQLite's "database is locked" in CI (a transaction that read before it writes is refused at
# once when another holds the write lock). Its metadata DB migrated and its Spark pool made, as
# `e2e_airflow start` would.
e2e_in airflow_bootstrap
e2e_cli dags reserialize >"$E2E/reserialize.log" 2>&1 || { cat "$E2E/reserialize.log" >&2; fail "airflow dags reserialize"; }
e2e_cli variables set lakepipe_config "$E2E/backfill.conf" >/dev/null
# lakepipe_daily stays paused: unpaused, its catch-up would run the same days again.
e2e_cli dags unpause lakepipe_promote >/dev/null
e2e_airflow start
api_login
# As ./lakepipe demo runs it: unpauses lakepipe_training and lakepipe_backfill through the REST API,
# triggers the backfill as the UI's form does, and follows it and the training it triggers.
runs="$(e2e_in env LAKEPIPE_BACKFILL_TIMEOUT="$BACKFILL_TIMEOUT_SECONDS" "$LAKEPIPE_HOME/infra/airflow/backfill.sh" "$first_day" "$last_day")" \
  || fail "the backfill through lakepipe_backfill"
training_run="$(awk '$1 == "training" {print $2}' <<<"$runs")"
[[ "$(task_state lakepipe_training "$training_run" batch_score)" == success ]] \
  || fail "lakepipe_training run $training_run did not score: $(task_state lakepipe_training "$training_run" batch_score)"
"$REPORT_PYTHON" "$LAKEPIPE_HOME/infra/report/compare_lakehouses.py" \
  --config "$E2E/one-by-one.conf" --other-config "$E2E/backfill.conf" --from "$first_day" --to "$middle_day"
"$REPORT_PYTHON" "$LAKEPIPE_HOME/infra/report/check_pipeline.py" --config "$E2E/backfill.conf" \
  --from "$first_day" --to "$last_day" --train-ds "$last_day"

say "2a. ./lakepipe serve: that champion from the registry, scored through /invocations as the command prints"
LAKEPIPE_CONFIG="$E2E/backfill.conf" "$LAKEPIPE_HOME/lakepipe" serve start --port 8797 >"$E2E/serve.out" 2>&1 \
  || { cat "$E2E/serve.out" >&2; fail "./lakepipe serve start"; }
cat "$E2E/serve.out"
# The curl it printed (two lines, joined by a backslash), run as printed.
answer="$(bash -c "$(sed -n '/^  curl /,$p' "$E2E/serve.out")" || true)"
"$LAKEPIPE_HOME/lakepipe" serve stop >/dev/null
[[ "$answer" =~ ^\{\"predictions\":\[[0-9.eE+-]+\]\}$ ]] || fail "the printed /invocations call answered '$answer'"
say "The printed /invocations call answered $answer"

say "2f. lakepipe_promote: the validated champion to prod after an approval, then rejected once; prod's scorer"
approved_run="$(promote Approve)"
wait_for_task lakepipe_promote "$approved_run" check_target_scorer success
rejected_run="$(promote Reject)"
wait_for_task lakepipe_promote "$rejected_run" copy_to_target skipped
"$REPORT_PYTHON" "$LAKEPIPE_HOME/infra/report/check_promotion.py" --config "$E2E/backfill.conf" \
  --approved-by admin --airflow-run "$approved_run"
LAKEPIPE_CONFIG="$E2E/prod.conf" "$LAKEPIPE_HOME/lakepipe" serve start --port "$E2E_PROD_SCORER_PORT" \
  >"$E2E/serve-prod.out" 2>&1 || { cat "$E2E/serve-prod.out" >&2; fail "./lakepipe serve start (prod)"; }
prod_health="$(curl -fsS --max-time 10 "http://127.0.0.1:$E2E_PROD_SCORER_PORT/health" || true)"
"$LAKEPIPE_HOME/lakepipe" serve stop >/dev/null
staging_champion="$(curl -fsS --max-time 10 \
  "$MLFLOW_TRACKING_URI/api/2.0/mlflow/registered-models/alias?name=$E2E_MODEL&alias=champion" | jq -r .model_version.version)"
[[ "$(jq -r '"\(.model_name) v\(.model_version)"' <<<"$prod_health")" == "$E2E_MODEL v$staging_champion" ]] \
  || fail "prod's scorer serves '$prod_health', not $E2E_MODEL v$staging_champion"
say "prod's scorer serves the approved bundle: $prod_health"

# After the comparison and the checks: the recipe's check writes its own audit row into the
# backfilled lakehouse.
say "2b. The recipe 'Adding a DAG step' of docs/contributing.md, followed as written on a copy of the checkout"
"$LAKEPIPE_HOME/infra/test/recipe-test.sh" "Adding a DAG step" "$E2E/backfill.conf"

say "2c. The recipe 'Adding a source' of docs/contributing.md, followed as written on a copy of the checkout"
"$LAKEPIPE_HOME/infra/test/recipe-test.sh" "Adding a source" "$E2E/backfill.conf"

say "2d. The notebooks, headless, on the backfilled lakehouse and its training run"
"$LAKEPIPE_HOME/infra/test/notebooks-test.sh" "$E2E/backfill.conf"

# Last of the steps on the backfilled lakehouse: it adds a column to ds $last_day of its features.
say "2e. The recipe 'Adding a feature' of docs/contributing.md, followed as written on a copy of the checkout"
"$LAKEPIPE_HOME/infra/test/recipe-test.sh" "Adding a feature" "$E2E/backfill.conf"

say "3. The Airflow UI in headless Chromium"
"$AIRFLOW_PYTHON" "$LAKEPIPE_HOME/infra/ui/airflow_ui_check.py" --url "http://127.0.0.1:$E2E_PORT" --user admin \
  --password-file "$STATE/$E2E_INSTANCE/simple_auth_manager_passwords.json.generated" \
  --expect-dags lakepipe_daily,lakepipe_training,lakepipe_backfill --successful-run-of lakepipe_backfill --screenshots "$ARTIFACTS"

say "3b. MLflow's compare view of the training's candidates in headless Chromium"
experiment="$(PYTHONPATH="$LAKEPIPE_HOME/infra/report" "$REPORT_PYTHON" -c \
  'import sys; from lakepipe_config import load_config, setting; print(setting(load_config(sys.argv[1]), "mlflow.experiment"))' \
  "$E2E/backfill.conf")"
"$AIRFLOW_PYTHON" "$LAKEPIPE_HOME/infra/ui/mlflow_compare_check.py" --url "$MLFLOW_TRACKING_URI" \
  --experiment "$experiment" --ds "$last_day" --screenshots "$ARTIFACTS"

# What the started Airflow's own processes (API server, scheduler, DAG processor, triggerer) cost:
# CPU the backfill's jobs could not use.
airflow_seconds=0
for pid in $(pgrep -f airflow || true); do
  # (2>/dev/null first: a process that ended meanwhile has no environ file to open.)
  if tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ" | grep -qx "AIRFLOW_HOME=$STATE/$E2E_INSTANCE"; then
    airflow_seconds=$((airflow_seconds + $(ps -o times= -p "$pid" || echo 0)))
  fi
done
say "Airflow's own processes used ${airflow_seconds} s of CPU"
say "Passed: one by one ($first_day..$middle_day) and backfilled ($first_day..$last_day) (screenshots in $ARTIFACTS)"
