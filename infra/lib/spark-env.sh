# shellcheck shell=bash  # sourced, not run
# Environment of a local spark-submit from the pyspark wheel; sourced by ./lakepipe and
# infra/airflow/env.sh so both launch Spark the same way. Expects LAKEPIPE_HOME.

# The wheel's spark-submit looks up its SPARK_HOME with whatever python3 is on PATH, which may not
# have pyspark: name the wheel's folder instead.
if [ -z "${SPARK_HOME:-}" ]; then
  for _lakepipe_spark in "$LAKEPIPE_HOME"/.lakepipe/venv-airflow/lib/python3*/site-packages/pyspark; do
    if [ -x "$_lakepipe_spark/bin/spark-submit" ]; then
      export SPARK_HOME="$_lakepipe_spark"
    fi
  done
  unset _lakepipe_spark
fi

# spark-submit needs a JVM; take the java on PATH when JAVA_HOME is unset.
if [ -z "${JAVA_HOME:-}" ] && command -v java >/dev/null 2>&1; then
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
  export JAVA_HOME
fi

# A local driver binds to loopback rather than guessing a LAN address from the host name
# (config/services.env normally sets it already).
if [ -z "${SPARK_LOCAL_IP:-}" ]; then
  export SPARK_LOCAL_IP=127.0.0.1
fi

# The class-data sharing archive of local drivers (infra/lib/driver-cds.sh), once ./lakepipe setup has
# written it; a JVM whose JDK or class path differs from the archive's warns once and runs without it.
if [ -s "$LAKEPIPE_HOME/.lakepipe/driver-cds/spark-driver.jsa" ]; then
  case " ${SPARK_SUBMIT_OPTS:-} " in
    *" -XX:SharedArchiveFile="*) ;;
    *) export SPARK_SUBMIT_OPTS="${SPARK_SUBMIT_OPTS:+$SPARK_SUBMIT_OPTS }-XX:SharedArchiveFile=$LAKEPIPE_HOME/.lakepipe/driver-cds/spark-driver.jsa" ;;
  esac
fi
