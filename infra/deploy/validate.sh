#!/usr/bin/env bash
# Checks the YARN and Kubernetes templates offline (after infra/deploy/tests, the checker's own tests), with Spark's own code where it can, and fails on
# the first kind of problem found (every problem is listed). No cluster is needed or contacted.
#  1. config/spark-yarn.conf, config/spark-k8s.conf and config/spark-cluster.conf through Spark 3.5.7's
#     properties loader (the jars of the pyspark wheel): unknown keys fail (spark.hadoop.* against
#     Hadoop's and s3a's setting names), every value is converted with its setting's type.
#  2. The driver and executor pods that Spark's own builders (KubernetesDriverBuilder,
#     KubernetesExecutorBuilder) make from config/spark-k8s.conf and the pod templates.
#  3. infra/deploy/validate_k8s.py: every manifest and every Spark-built object against the strict
#     Kubernetes JSON schema of one Kubernetes version, the SparkApplications against the operator's
#     v1beta2 fields (structural), and lakepipe's rules (no literal secrets, non-root pods, ...).
#  4. The ConfigMap's lakepipe.conf, with config/pipelines/ beside it as the ConfigMap
#     lakepipe-pipelines puts it, through ./lakepipe validate: the jobs' own config loader, then
#     every declaration (needs the built job jars).
# Not checked: the Dockerfile is not built (no Docker engine here) and nothing is submitted to a
# cluster. Usage: infra/deploy/validate.sh   (after ./lakepipe setup)
set -euo pipefail
LAKEPIPE_HOME="${LAKEPIPE_HOME:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
export LAKEPIPE_HOME
# shellcheck source=../lib/spark-env.sh
source "$LAKEPIPE_HOME/infra/lib/spark-env.sh"
PY="$LAKEPIPE_HOME/.lakepipe/venv-deploy/bin/python"
HERE="$LAKEPIPE_HOME/infra/deploy"
fail() { echo "[validate] FAILED: $*" >&2; exit 1; }

[[ -n "${SPARK_HOME:-}" && -d "$SPARK_HOME/jars" ]] || fail "no Spark jars (SPARK_HOME); run ./lakepipe setup"
[[ -x "$PY" ]] || fail "no $PY; run ./lakepipe setup (installs infra/python/requirements-deploy.txt)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# Spark's own log lines go to a file, shown when a step fails; the checks' verdicts to the terminal.
LOG="$WORK/spark.log"
check() {
  java -cp "$SPARK_HOME/jars/*" "$HERE/SparkDeployCheck.java" "$@" 2>"$WORK/err" \
    || { grep -v -e '^[0-9/]* [0-9:]* \(INFO\|WARN\)' -e '^\s*at ' -e 'log4j' "$WORK/err" >&2; return 1; }
  cat "$WORK/err" >>"$LOG"
}
# Kubernetes settings must not come from this machine's Hadoop set-up.
unset HADOOP_CONF_DIR YARN_CONF_DIR

echo "[validate] The checker's own tests: each kind of broken manifest fails"
(cd "$LAKEPIPE_HOME" && "$PY" -m pytest -q infra/deploy/tests) || fail "the checker's tests (above)"
echo "[validate] Spark properties files, with Spark's own loader"
check properties "$LAKEPIPE_HOME/config/spark-yarn.conf" "$LAKEPIPE_HOME/config/spark-k8s.conf" \
  "$LAKEPIPE_HOME/config/spark-cluster.conf" || fail "a Spark properties file (above)"
echo "[validate] Kubernetes: the driver and executor pods, built by Spark from config/spark-k8s.conf and the pod templates"
check k8s-pods "$LAKEPIPE_HOME/config/spark-k8s.conf" "$WORK/built" || fail "Spark could not build the pods (above)"
echo "[validate] Kubernetes: manifests and built pods against the Kubernetes schema, SparkApplications, rules"
"$PY" "$HERE/validate_k8s.py" --repo "$LAKEPIPE_HOME" --built "$WORK/built" --config-out "$WORK/lakepipe.conf" \
  || fail "Kubernetes templates (above)"
echo "[validate] Kubernetes: the ConfigMap's lakepipe.conf, with the jobs' own config loader"
cp "$LAKEPIPE_HOME"/config/pipelines/*.conf "$WORK/"  # the ConfigMap lakepipe-pipelines beside it
# The jobs' own loader (unknown keys and nulls fail), then every declaration it includes.
"$LAKEPIPE_HOME/lakepipe" validate "$WORK/lakepipe.conf" || fail "the ConfigMap's lakepipe.conf (above)"
echo "[validate] all cluster templates passed"
