# shellcheck shell=bash  # sourced, not run
# Prepare the Airflow metadata DB of infra/airflow/env.sh for lakepipe's DAGs: `airflow_bootstrap`.
#
# Migrates the schema (idempotent: a few seconds when it is current) and creates or resizes the pool
# that bounds concurrent Spark jobs (lakepipe_dags.steps puts every Spark step in it). A task whose
# pool does not exist is never queued by the scheduler, so this runs before Airflow starts and
# before `airflow dags test`. Source env.sh first.
#
#   LAKEPIPE_SPARK_POOL        the pool's name (default lakepipe_spark; the DAGs read the same variable)
#   LAKEPIPE_SPARK_POOL_SLOTS  Spark jobs at once (default 1: one local[2] job takes both cores here;
#                              on a cluster, how many jobs its executors hold side by side)

airflow_bootstrap() {
  local log="$AIRFLOW_HOME/bootstrap.log" pool="${LAKEPIPE_SPARK_POOL:-lakepipe_spark}"
  local slots="${LAKEPIPE_SPARK_POOL_SLOTS:-1}"
  if ! [[ "$slots" =~ ^[1-9][0-9]*$ ]]; then
    echo "LAKEPIPE_SPARK_POOL_SLOTS='$slots' is not a positive whole number." >&2
    return 2
  fi
  mkdir -p "$AIRFLOW_HOME"
  # Done before for this SQLite DB, Airflow install and pool: nothing to do. Each `airflow` command
  # costs seconds of CPU (it imports Airflow), paid again by every dags-test.sh run otherwise.
  local db="${AIRFLOW__DATABASE__SQL_ALCHEMY_CONN#sqlite:///}" stamp="$AIRFLOW_HOME/.lakepipe-bootstrap" done_for
  db="${db%%\?*}"
  done_for="$(cat "$LAKEPIPE_HOME/.lakepipe/venv-airflow/.lakepipe-requirements.sha" 2>/dev/null) $db $pool $slots"
  if [[ "$db" != "$AIRFLOW__DATABASE__SQL_ALCHEMY_CONN" && -s "$db" && -f "$stamp" \
      && "$(cat "$stamp")" == "$done_for" ]]; then
    return 0
  fi
  rm -f "$stamp"
  if ! airflow db migrate >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "'airflow db migrate' failed (log: $log); remove $AIRFLOW_HOME to start from an empty DB." >&2
    return 1
  fi
  if ! airflow pools set "$pool" "$slots" "Spark jobs of lakepipe running at once" >>"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "Could not create the Airflow pool $pool (log: $log)." >&2
    return 1
  fi
  echo "$done_for" >"$stamp"
}
