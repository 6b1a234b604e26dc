#!/usr/bin/env bash
# The second data set, onboarded by configuration and one DAG file (config/pipelines/birdstrikes.conf,
# dags/birdstrikes.py): the section "A second data set: bird strikes" of docs/contributing.md followed
# word for word on a copy of the checkout (infra/test/recipe-test.sh) against a fresh lakehouse, a
# registered model name of its own and an Airflow instance of its own; then
# infra/report/check_data_product.py checks what the runs left: bronze and quarantine per ds, features
# and labels, audit rows, the MLflow training run, its registered version and the gate's decision.
#
#   infra/test/onboarding-test.sh
#
# Everything it writes is under .lakepipe/onboarding/ (removed at the start).
set -euo pipefail
LAKEPIPE_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="$LAKEPIPE_HOME/.lakepipe"
WORK="$STATE/onboarding"
DAYS=(1999-01-01 2000-01-01 2001-01-01)

say() { printf '\033[1m[onboarding]\033[0m %s\n' "$*"; }

rm -rf "$WORK"
mkdir -p "$WORK"
# No champion of an earlier run on the same tracking server decides what this one promotes.
cat >"$WORK/onboarding.conf" <<CONF
include file("$LAKEPIPE_HOME/config/local.conf")
lakepipe {
  lakehouse = "$WORK/lakehouse"
  models.birdstrike-damage.model-name = "lakepipe_birdstrike_damage_test_$(date -u +%Y%m%d%H%M%S)"
}
CONF

say "The recipe 'A second data set: bird strikes' of docs/contributing.md, on a copy of the checkout"
LAKEPIPE_AIRFLOW_INSTANCE=airflow-onboarding \
  "$LAKEPIPE_HOME/infra/test/recipe-test.sh" "A second data set: bird strikes" "$WORK/onboarding.conf"

say "What the runs left"
# Of these years' reports, 11 repeat an earlier one value for value and 4 have a damage code the
# FAA does not use (C or B): all 15 are quarantined, with their reasons.
(cd "$LAKEPIPE_HOME/infra/report" && "$STATE/venv-mlflow/bin/python" check_data_product.py \
  --config "$WORK/onboarding.conf" --source birdstrikes --view birdstrikes --model birdstrike-damage \
  --ds "${DAYS[@]}" --min-quarantined 15 --expect-reason "damage is not one of" --expect-reason duplicate)
