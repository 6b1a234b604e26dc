#!/usr/bin/env bash
# The cluster suite of `./lakepipe test`: one authenticated Spark standalone cluster, its History
# Server, Prometheus and the Pushgateway, started once for the six tests that run on them (each
# test starts what is not running and stops only what it started, so here they share). (The YARN
# and Kubernetes checks, which need no standalone cluster, are the deploy suite of ./lakepipe test.)
#
#   infra/test/cluster-suite.sh [ds]     (default 2001-01-15; the day and the two before must be landed)
#
# The monitoring test's scorer serves the scorer's own test bundle (a logistic regression shaped as
# JPMML-SparkML writes it, serving/src/test/resources/bundles/lr-v1), not the one the end-to-end
# suite deploys: ./lakepipe test runs this suite beside that one, which removes and rebuilds its
# deployment folder. (Bundles the pipeline exports are scored by the scorer in PmmlParityIT.)
set -euo pipefail

LAKEPIPE_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export LAKEPIPE_HOME
DS="${1:-2001-01-15}"
export LAKEPIPE_MONITORING_BUNDLE="${LAKEPIPE_MONITORING_BUNDLE:-$LAKEPIPE_HOME/serving/src/test/resources/bundles/lr-v1}"

# The driver UI port that Prometheus scrapes in the monitoring test: one of this suite's own, so
# that a local Spark driver of a suite running beside it (taking 4040 first) cannot move it.
export SPARK_UI_PORT="${LAKEPIPE_TEST_SPARK_UI_PORT:-4077}"

say() { printf '\033[1m[cluster]\033[0m %s\n' "$*"; }
elapsed() { echo "$(($(date +%s) - $1)) s"; }

SHARED=("$LAKEPIPE_HOME/infra/spark/cluster.sh" "$LAKEPIPE_HOME/infra/spark/history.sh"
  "$LAKEPIPE_HOME/infra/monitoring/prometheus.sh")
STARTED=()
stop_started() {
  for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do "${STARTED[$i]}" stop >/dev/null || true; done
}
trap stop_started EXIT

T0="$(date +%s)"
for service in "${SHARED[@]}"; do
  if ! "$service" status >/dev/null 2>&1; then
    STARTED+=("$service")
    "$service" start
  fi
done
say "cluster, History Server, Prometheus and Pushgateway up after $(elapsed "$T0")"

run() {
  local name="$1" t0
  shift
  t0="$(date +%s)"
  say "$name"
  "$@"
  say "$name passed in $(elapsed "$t0")"
}

run "Spark standalone: one job jar in client and in cluster deploy mode, by configuration alone" \
  "$LAKEPIPE_HOME/infra/spark/cluster-test.sh" "$DS"
# Fault 6 in cluster deploy mode: a small driver of its own, so it needs one worker's core at a time.
run "Airflow task kill in cluster deploy mode: a killed task's driver killed on the cluster, a retry's first, a failed driver fails spark-submit" \
  "$LAKEPIPE_HOME/infra/airflow/task-kill-cluster-test.sh"
# Its job runs would repeat cluster-test.sh's: the same ingest on the same secured cluster, where
# every run is already checked for the secret on command lines and in its log ("none").
run "Training, export and batch scoring in cluster deploy mode, each worker with a /tmp of its own: models pass through the lakehouse's staging folder" \
  "$LAKEPIPE_HOME/infra/spark/cluster-training-test.sh" "$DS"
run "Spark authentication and encryption: the cluster's secret files and log; a worker and an application without the secret refused" \
  "$LAKEPIPE_HOME/infra/spark/security-test.sh" "$DS" none
# Cluster mode only through submit.sh: client mode on s3a is what its Airflow tasks run, and
# submit.sh's client mode is cluster-test.sh's.
run "Lakehouse on s3a: the file ingest in cluster mode, the DAG's ingest and features tasks through Airflow (client mode)" \
  "$LAKEPIPE_HOME/infra/spark/s3-lakehouse-test.sh" "$DS" cluster
run "Monitoring: Prometheus scrapes the cluster, a job's pushed metrics and the scorer; every dashboard query answers" \
  "$LAKEPIPE_HOME/infra/monitoring/monitoring-test.sh" "$DS"
say "cluster suite passed in $(elapsed "$T0")"
