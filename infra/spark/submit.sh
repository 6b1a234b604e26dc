#!/usr/bin/env bash
# spark-submit to the authenticated standalone cluster of infra/spark/cluster.sh with the cluster
# profile (config/spark-cluster.conf), giving the application the cluster's shared secret without
# putting it on a command line: the secret is in .lakepipe/spark-auth/submit.jvmopts (owner-only,
# written by cluster.sh start), which the JVM reads as an @argfile.
# - spark-submit's JVM (the driver in client deploy mode): SPARK_SUBMIT_OPTS=@submit.jvmopts.
# - a driver that a worker starts (cluster deploy mode) gets the secret only in its environment, yet
#   Spark 3.5 requires spark.authenticate.secret in its conf: the same @argfile is appended to the
#   profile's spark.driver.extraJavaOptions (the worker drops -Dspark.authenticate.secret options but
#   not an @argfile; the standalone master ignores spark.driver.defaultJavaOptions). The path must
#   exist on the worker: true on one machine, shared storage on a real cluster.
# Executors get the secret from their worker's environment.
# Usage: infra/spark/submit.sh [--deploy-mode client|cluster] [spark-submit options] jar [args]
#   SPARK_AUTH_OPTS_FILE: another @argfile (the security test's wrong secret).
#   LAKEPIPE_DRIVER_JAVA_OPTS: more JVM options for a driver that a worker starts (the test suite's
#   JIT and GC flags; in client mode the driver is spark-submit's JVM, which SPARK_SUBMIT_OPTS sets).
set -euo pipefail

LAKEPIPE_HOME="${LAKEPIPE_HOME:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
export LAKEPIPE_HOME
set -a
# shellcheck source=../../config/services.env
source "$LAKEPIPE_HOME/config/services.env"
set +a
source "$LAKEPIPE_HOME/infra/lib/spark-env.sh"

PROPERTIES="$LAKEPIPE_HOME/config/spark-cluster.conf"
OPTS_FILE="${SPARK_AUTH_OPTS_FILE:-$LAKEPIPE_HOME/.lakepipe/spark-auth/submit.jvmopts}"
[[ -f "$OPTS_FILE" ]] || {
  echo "No Spark secret file $OPTS_FILE: start the cluster (infra/spark/cluster.sh start) first" >&2; exit 1; }

# A setting of the properties file, its backslash-continued lines joined (java.util.Properties).
profile_value() {
  awk -v key="$1" '
    !cont && $1 == key { sub(/^[ \t]*[^ \t]+[ \t]+/, ""); cont = 1 }
    cont { l = $0; sub(/^[ \t]+/, "", l); more = sub(/\\$/, "", l); v = v l; if (!more) { print v; exit } }
  ' "$PROPERTIES"
}

mode=client
args=("$@")
for (( i=0; i<${#args[@]}; i++ )); do
  case "${args[$i]}" in
    --deploy-mode) mode="${args[$((i + 1))]:-}" ;;
    --deploy-mode=*) mode="${args[$i]#--deploy-mode=}" ;;
  esac
done
driver_opts=()
if [[ "$mode" == cluster ]]; then
  driver_opts=(--conf "spark.driver.extraJavaOptions=$(profile_value spark.driver.extraJavaOptions) @$OPTS_FILE${LAKEPIPE_DRIVER_JAVA_OPTS:+ $LAKEPIPE_DRIVER_JAVA_OPTS}")
fi
export SPARK_SUBMIT_OPTS="@$OPTS_FILE${SPARK_SUBMIT_OPTS:+ $SPARK_SUBMIT_OPTS}"
exec "$LAKEPIPE_HOME/.lakepipe/venv-airflow/bin/spark-submit" --properties-file "$PROPERTIES" \
  "${driver_opts[@]}" "$@"
