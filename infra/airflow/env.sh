# shellcheck shell=bash  # sourced, not run
# Environment for running lakepipe's Airflow locally: `source infra/airflow/env.sh`.
#
# Sets everything Airflow 3 reads from the environment so that `airflow db migrate`,
# `airflow dags test lakepipe_daily <ds>` and the other CLI commands work with no airflow.cfg edits
# and no prompts. Values a cluster deployment may replace (the Spark connection, JAVA_HOME,
# SPARK_LOCAL_IP) are only set when not already set; paths derived from LAKEPIPE_HOME always are,
# so a stray AIRFLOW_HOME from another project never points lakepipe at the wrong database.
# bash only (uses BASH_SOURCE); safe to source more than once.

if [ -z "${LAKEPIPE_HOME:-}" ]; then
  LAKEPIPE_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
fi
export LAKEPIPE_HOME

# Ports and addresses of the local stack (MLFLOW_TRACKING_URI, SPARK_LOCAL_IP, ...), shared with ./lakepipe.
if [ -f "$LAKEPIPE_HOME/config/services.env" ]; then
  # shellcheck source=config/services.env
  source "$LAKEPIPE_HOME/config/services.env"
fi

# Airflow: metadata DB (SQLite) and logs under a git-ignored folder; DAGs straight from the work tree.
# LAKEPIPE_AIRFLOW_INSTANCE names a second, separate Airflow of this checkout (its own DB, logs and
# pid file), as the end-to-end test starts one beside a developer's own; set its port apart too.
export AIRFLOW_HOME="$LAKEPIPE_HOME/.lakepipe/${LAKEPIPE_AIRFLOW_INSTANCE:-airflow}"
export AIRFLOW__CORE__DAGS_FOLDER="$LAKEPIPE_HOME/dags"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
# A writer waits up to 60 s for SQLite's lock (Python's default is 5 s): under load, the scheduler of
# the backfill test held it longer and `airflow backfill create` failed with "database is locked".
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="sqlite:///$AIRFLOW_HOME/airflow.db?timeout=60"
# Airflow 3 has no SequentialExecutor any more; LocalExecutor is its default, also on SQLite.
export AIRFLOW__CORE__EXECUTOR=LocalExecutor

# The API server of the local Airflow (UI, REST API /api/v2, and the Execution API that tasks run by
# the scheduler's LocalExecutor report to) on loopback at the port in config/services.env; started by
# infra/airflow/airflow.sh. Airflow's own defaults are 0.0.0.0 and http://localhost:8080/execution/.
# `airflow dags test` runs tasks in-process and uses none of these.
export AIRFLOW__API__HOST="${LAKEPIPE_BIND_HOST:-127.0.0.1}"
export AIRFLOW__API__PORT="${AIRFLOW_API_PORT:-8080}"
# Links in task logs and failure alerts point at this API server.
export AIRFLOW__API__BASE_URL="${AIRFLOW__API__BASE_URL:-http://${AIRFLOW__API__HOST}:${AIRFLOW__API__PORT}/}"
# A URL set by hand (e.g. a remote API server) is kept; one this file derived follows a changed port.
if [ -z "${AIRFLOW__CORE__EXECUTION_API_SERVER_URL:-}" ] \
  || [ "$AIRFLOW__CORE__EXECUTION_API_SERVER_URL" = "${_LAKEPIPE_EXECUTION_API_URL:-}" ]; then
  _LAKEPIPE_EXECUTION_API_URL="http://${AIRFLOW__API__HOST}:${AIRFLOW__API__PORT}/execution/"
  export _LAKEPIPE_EXECUTION_API_URL
  export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="$_LAKEPIPE_EXECUTION_API_URL"
fi

# Spark connection read by SparkSubmitOperator (conn_id spark_default). The provider turns
# conn_type "spark" + host "local[2]" (no port) into `--master local[2]`, takes --deploy-mode from
# extra "deploy-mode", and runs extra "spark-binary" from PATH; it only accepts spark-submit,
# spark2-submit or spark3-submit there (a path is refused, and so is the old "spark-home" extra).
# A cluster sets e.g. '{"conn_type": "spark", "host": "spark://master", "port": 7077, ...}'.
if [ -z "${AIRFLOW_CONN_SPARK_DEFAULT:-}" ]; then
  export AIRFLOW_CONN_SPARK_DEFAULT='{"conn_type": "spark", "host": "local[2]", "extra": {"deploy-mode": "client", "spark-binary": "spark-submit"}}'
fi

# The landing folder of the flight files, watched by lakepipe_daily's wait_for_flights sensor (an
# "fs" connection: its path extra is the folder that holds ds=YYYY-MM-DD/). Matches the default of
# lakepipe.sources.flights.location; a deployment that lands elsewhere sets its own.
if [ -z "${AIRFLOW_CONN_LAKEPIPE_LANDING_FLIGHTS:-}" ]; then
  export AIRFLOW_CONN_LAKEPIPE_LANDING_FLIGHTS="{\"conn_type\": \"fs\", \"extra\": {\"path\": \"$LAKEPIPE_HOME/.lakepipe/landing/flights\"}}"
fi

# The local landing area of every other declared file source, one folder per source (the default
# locations of config/pipelines/*.conf): a DAG waits for <source>/ds=YYYY-MM-DD/ under it.
if [ -z "${AIRFLOW_CONN_LAKEPIPE_LANDING:-}" ]; then
  export AIRFLOW_CONN_LAKEPIPE_LANDING="{\"conn_type\": \"fs\", \"extra\": {\"path\": \"$LAKEPIPE_HOME/.lakepipe/landing\"}}"
fi

# The Airflow venv first: it holds `airflow` and the `spark-submit` of the pyspark wheel that the
# connection's spark-binary names.
_lakepipe_venv="$LAKEPIPE_HOME/.lakepipe/venv-airflow"
case ":$PATH:" in
  *":$_lakepipe_venv/bin:"*) ;;
  *) export PATH="$_lakepipe_venv/bin:$PATH" ;;
esac
unset _lakepipe_venv
# Before it, the spark-submit that tasks run (infra/airflow/bin/spark-submit): the venv's, made to die
# with its task and never to run beside an earlier attempt of it.
case ":$PATH:" in
  ":$LAKEPIPE_HOME/infra/airflow/bin:"*) ;;
  *) export PATH="$LAKEPIPE_HOME/infra/airflow/bin:$PATH" ;;
esac

# SPARK_HOME of the wheel, JAVA_HOME, a loopback driver: shared with ./lakepipe run.
. "$LAKEPIPE_HOME/infra/lib/spark-env.sh"
