# shellcheck shell=bash  # sourced, not run
# Shared by the bench/<name>/run.sh scripts: compiles bench/<name>/src against Spark and the job jar,
# and runs its main class with spark-submit on local[2], as the jobs run. Benchmarks print ratios
# against a baseline measured in the same run; none of them fails on a timing.
# The job jar is jobs-<BENCH_JOB>/target/jobs-<BENCH_JOB>.jar: a run.sh sets BENCH_JOB before sourcing
# this file (default ingest). Exporting JOB_JAR runs a bench against another build of that job.
set -euo pipefail
LAKEPIPE_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export LAKEPIPE_HOME
source "$LAKEPIPE_HOME/config/services.env"
source "$LAKEPIPE_HOME/infra/lib/spark-env.sh"
JOB_JAR="${JOB_JAR:-$LAKEPIPE_HOME/jobs-${BENCH_JOB:-ingest}/target/jobs-${BENCH_JOB:-ingest}.jar}"
# A bench that feeds its job through the demo's simulators (module tools) sets BENCH_WITH_TOOLS=1:
# tools.jar then comes after the job jar, so that the job's own classes are the job jar's.
BENCH_JARS=("$JOB_JAR")
if [[ "${BENCH_WITH_TOOLS:-0}" == 1 ]]; then
  BENCH_JARS+=("${TOOLS_JAR:-$LAKEPIPE_HOME/tools/target/tools.jar}")
fi
LAKEPIPE_CONFIG="${LAKEPIPE_CONFIG:-$LAKEPIPE_HOME/config/local.conf}"

# compile_bench <name> <build folder> <class path>: bench/<name>/src with bench/common/src (the
# progress lines) into <build folder>/bench.jar.
compile_bench() {
  local name="$1" build="$2" classpath="$3"
  rm -rf "$build"
  mkdir -p "$build/classes"
  find "$LAKEPIPE_HOME/bench/$name/src" "$LAKEPIPE_HOME/bench/common/src" -name '*.java' -print0 \
    | xargs -0 javac -nowarn -d "$build/classes" -cp "$classpath"
  jar cf "$build/bench.jar" -C "$build/classes" .
}

# run_bench <name> <main class> [args...]: the work folder is .lakepipe/bench/<name>.
run_bench() {
  local name="$1" main_class="$2"; shift 2
  local build="$LAKEPIPE_HOME/.lakepipe/bench/$name/build"
  local jar
  for jar in "${BENCH_JARS[@]}"; do
    [[ -f "$jar" ]] || { echo "No jar at $jar: build it first (./lakepipe setup)" >&2; exit 1; }
  done
  local class_path jar_list
  class_path="$(IFS=:; echo "${BENCH_JARS[*]}")"
  jar_list="$(IFS=,; echo "${BENCH_JARS[*]}")"
  compile_bench "$name" "$build" "$SPARK_HOME/jars/*:$class_path"
  "$LAKEPIPE_HOME/.lakepipe/venv-airflow/bin/spark-submit" \
    --master "local[2]" \
    --properties-file "$LAKEPIPE_HOME/config/spark-defaults.conf" \
    --jars "$jar_list" \
    --class "$main_class" \
    "$build/bench.jar" "$@"
}
