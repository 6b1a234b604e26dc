#!/usr/bin/env bash
# Training, export and batch scoring in cluster deploy mode on the standalone cluster, whose two
# workers each have a /tmp of their own (infra/spark/cluster.sh), as the hosts of a real cluster have
# their own disks. With one core per worker, a cluster-mode driver takes one worker and its executor
# runs on the other: every Spark ML task writes and reads on another "host" than the driver's. A model
# saved to, or loaded from, the driver's local temp folder then loses its parts; models pass through
# lakepipe.staging on the lakehouse instead (io.lakepipe.core.spark.ModelStaging).
#
# Builds three days of features (ds and the two days before) into a fresh lakehouse with local range runs,
# then submits train-model, serve-export and export-pmml for ds in cluster mode, and checks: each
# driver FINISHED, each audit row SUCCEEDED, the model version registered and aliased champion, the
# predictions of every feature row of ds, and the PMML bundle of that version.
# Usage: infra/spark/cluster-training-test.sh [ds]   (ds and the two days before must be landed)
TEST_NAME=cluster-training-test
# shellcheck source=ingest-run-checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/ingest-run-checks.sh" "${1:-2001-01-15}" none
trap 'cleanup_runs $?' EXIT

T0="$(date +%s)"
if ! "$CLUSTER" status >/dev/null 2>&1; then
  STARTED+=("$CLUSTER")
  "$CLUSTER" start || fail "$CLUSTER start did not bring it up"
fi

# The workers must not share the driver's temp folder, or this test proves nothing.
for pid_file in "$LAKEPIPE_HOME"/.lakepipe/run/spark-worker-*.pid; do
  pid="$(cat "$pid_file")"
  grep -q ' /tmp .* - tmpfs spark-worker-tmp ' "/proc/$pid/mountinfo" 2>/dev/null \
    || fail "the worker of $pid_file (pid $pid) shares this machine's /tmp: restart the cluster" \
      "(infra/spark/cluster.sh restart); it needs a mount namespace (root, or user namespaces)"
done
echo "Cluster up after $(elapsed "$T0"); each worker has a /tmp of its own"

FIRST="$(date -u -d "$DS - 2 day" +%F)"
for day in $(seq 0 2); do
  day="$(date -u -d "$FIRST + $day day" +%F)"
  compgen -G "$LAKEPIPE_HOME/.lakepipe/landing/flights/ds=$day/*" >/dev/null \
    || fail "nothing landed for ds=$day; run ./lakepipe land $FIRST $DS"
done

LAKEHOUSE="$WORK/lakehouse"
MODEL="lakepipe_cluster_training_$(date -u +%Y%m%d%H%M%S)"
CONFIG="$WORK/test.conf"
cat >"$CONFIG" <<CONF
include "$LAKEPIPE_HOME/config/local.conf"
lakepipe {
  lakehouse = "$LAKEHOUSE"
  export.dir = "$WORK/exports"
  export.pmml.location = "$WORK/deploy"
  mlflow.model-name = "$MODEL"
  # A driver in cluster mode has none of this shell's variables: the scorer's jar by its path.
  export.serving-check.scorer-jar = "${LAKEPIPE_JARS_DIR:-$LAKEPIPE_HOME/serving/target}/lakepipe-serving.jar"
  # One cheap candidate: the test is about where the model's parts go, not about the search.
  train.candidates = [
    { name = logistic_regression, type = logistic-regression,
      grid { max-iter = [20], reg-param = [0.01], elastic-net-param = [0.0] } }
  ]
}
CONF
JARS="${LAKEPIPE_JARS_DIR:-}"

# "<module> <main class> <options>" of a job of the catalog, with its own options checked.
resolve() {
  PYTHONPATH="$LAKEPIPE_HOME/dags" "$LAKEPIPE_HOME/.lakepipe/venv-airflow/bin/python" \
    -m lakepipe_dags.catalog submit "$@"
}
jar_of() { echo "${JARS:-$LAKEPIPE_HOME/jobs-$1/target}/jobs-$1.jar"; }

# A job on this machine (./lakepipe run, local[2]), to build the days the training reads.
local_job() {
  local job="$1" ds="$2"
  shift 2
  LAKEPIPE_CONFIG="$CONFIG" "$LAKEPIPE_HOME/lakepipe" run "$job" "$ds" "$@" >"$WORK/$job-$ds.log" 2>&1 \
    || fail "$job for $ds failed; see $WORK/$job-$ds.log"
}

# A job in cluster deploy mode through infra/spark/submit.sh; its driver must end FINISHED.
cluster_job() {
  local job="$1" ds="$2" module main_class options log="$WORK/$1-cluster.log" driver_id state
  shift 2
  read -r module main_class options <<<"$(resolve "$job" "$@")" || fail "cannot resolve $job"
  local t0
  t0="$(date +%s)"
  # shellcheck disable=SC2086
  "$SUBMIT" --deploy-mode cluster --class "$main_class" "$(jar_of "$module")" \
    --config "$CONFIG" --ds "$ds" $options >"$log" 2>&1 || fail "$job: spark-submit failed; see $log"
  driver_id="$(grep -m 1 -oE 'driver-[0-9]+-[0-9]+' "$log" || true)"
  [[ -n "$driver_id" ]] || fail "$job: no driver id in $log"
  RUN_IDS+=("$driver_id")
  state="$(curl -fsS "$MASTER_UI/json/" \
    | jq -r --arg id "$driver_id" '.completeddrivers[] | select(.id == $id) | .state' || true)"
  [[ "$state" == FINISHED ]] || fail "$job: driver $driver_id ended ${state:-in no known state}; see" \
    "$(compgen -G "$LAKEPIPE_HOME/.lakepipe/services/spark-worker-*/work/$driver_id")/stderr"
  echo "$job: driver $driver_id FINISHED in cluster mode after $(elapsed "$t0")"
}

# "<rows of the table for ds> <status of the job's last audit row for ds> <rows written> ..."
counts() { "$PYTHON" "$LAKEPIPE_HOME/infra/lib/table_counts.py" "$LAKEHOUSE" "$DS" "$1" "$2"; }

T1="$(date +%s)"
# Range runs (--until): one application a job for the three days, as a backfill writes them.
local_job ingest-files "$FIRST" --until "$DS" --source flights
local_job ingest-jdbc "$FIRST" --source airports
local_job build-features "$FIRST" --until "$DS" --view flights
echo "features of $FIRST..$DS built by local range runs after $(elapsed "$T1")"

# export-pmml before serve-export: the champion alias moves once the scorer has served the bundle
# (config/local.conf's serving check), in the driver's worker, the scorer's jar named below.
cluster_job train-model "$DS" --model flights-delay
cluster_job export-pmml "$DS"
cluster_job serve-export "$DS"

read -r features train_status _ <<<"$(counts features/flights train-model:flights-delay)"
[[ "$train_status" == SUCCEEDED ]] || fail "train-model's audit row for $DS says $train_status"
read -r predictions status _ <<<"$(counts predictions/flights serve-export)"
[[ "$status" == SUCCEEDED && "$predictions" -gt 0 && "$predictions" == "$features" ]] \
  || fail "predictions: $predictions rows for $DS of $features feature rows, audit $status"
read -r _ pmml_status _ <<<"$(counts features/flights export-pmml)"
[[ "$pmml_status" == SUCCEEDED ]] || fail "export-pmml's audit row for $DS says $pmml_status"
bundle="$WORK/deploy/$MODEL/current"
[[ -s "$bundle/model.pmml" ]] && jq -e --arg m "$MODEL" '.model_name == $m' "$bundle/bundle.json" >/dev/null \
  || fail "no PMML bundle of $MODEL in $bundle"
echo "trained, exported and scored in cluster mode: $predictions predictions of $MODEL for $DS," \
  "its PMML bundle in $bundle"
echo "cluster-training-test passed in $(elapsed "$T0")"
