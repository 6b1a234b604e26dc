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

# Airflow: metadata DB (SQLite) and logs under a git-ignored folder; DAGs straight from the work tree.
export AIRFLOW_HOME="$LAKEPIPE_HOME/.lakepipe/airflow"
export AIRFLOW__CORE__DAGS_FOLDER="$LAKEPIPE_HOME/dags"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="sqlite:///$AIRFLOW_HOME/airflow.db"
# Airflow 3 removed the SequentialExecutor; LocalExecutor runs on SQLite for one local scheduler.
export AIRFLOW__CORE__EXECUTOR=LocalExecutor
# Airflow 3 writes a random JWT secret into each generated airflow.cfg; the API server, scheduler and
# task supervisors must share one, so keep the one in $AIRFLOW_HOME/airflow.cfg (created by `db migrate`).

# Spark connection read by SparkSubmitOperator (conn_id spark_default). The provider turns
# conn_type "spark" + host "local[2]" (no port) into `--master local[2]`, takes --deploy-mode from
# extra "deploy-mode", and runs extra "spark-binary" from PATH; it only accepts spark-submit,
# spark2-submit or spark3-submit there (a path is refused, and so is the old "spark-home" extra).
# A cluster sets e.g. '{"conn_type": "spark", "host": "spark://master", "port": 7077, ...}'.
if [ -z "${AIRFLOW_CONN_SPARK_DEFAULT:-}" ]; then
  export AIRFLOW_CONN_SPARK_DEFAULT='{"conn_type": "spark", "host": "local[2]", "extra": {"deploy-mode": "client", "spark-binary": "spark-submit"}}'
fi

# The Airflow venv first: it holds `airflow` and the `spark-submit` of the pyspark wheel that the
# connection's spark-binary names.
case ":$PATH:" in
  *":$LAKEPIPE_HOME/.lakepipe/venv-airflow/bin:"*) ;;
  *) export PATH="$LAKEPIPE_HOME/.lakepipe/venv-airflow/bin:$PATH" ;;
esac

# spark-submit needs a JVM; take the java on PATH when JAVA_HOME is unset.
if [ -z "${JAVA_HOME:-}" ] && command -v java >/dev/null 2>&1; then
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
  export JAVA_HOME
fi

# A local driver binds to loopback rather than guessing a LAN address from the host name.
if [ -z "${SPARK_LOCAL_IP:-}" ]; then
  export SPARK_LOCAL_IP=127.0.0.1
fi
