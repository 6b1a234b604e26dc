#!/usr/bin/env bash
# The test command: `./lakepipe test [suite...]`. With no suite it runs all of them, as CI does: set-up,
# the job jars, then the suites in two lanes side by side that share nothing (the Maven unit,
# integration and fault tests and the second data set's onboarding beside the DAG, end-to-end,
# standalone cluster, YARN and Kubernetes tests), and the secret scan last. Each suite's output
# goes to .lakepipe/logs/test/<suite>.log (streamed to the terminal when one suite runs alone); a
# failed suite prints its log's tail. A table of each suite's time ends every run, failed or not.
#
# The run has a budget, LAKEPIPE_TEST_BUDGET_MINUTES (80), counted from the end of the set-up: past
# it the run stops and fails, so that a change that makes the suite slow is caught in its own
# session, before CI's limit of 90 minutes (which also counts the set-up: 4m19s on a fresh clone
# with PyTorch). It was 60 until the deep-learning family's tests; on 2026-12-06, a slow day here
# (benchmarks 35% slower than the day before), the suites' lanes took about an hour.
set -euo pipefail

LAKEPIPE_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export LAKEPIPE_HOME
STATE="$LAKEPIPE_HOME/.lakepipe"
TEST_LOGS="$STATE/logs/test"
LAKEPIPE="$LAKEPIPE_HOME/lakepipe"
SELF="$LAKEPIPE_HOME/infra/test/run.sh"
# The job jars the DAG and cluster suites run: a copy, so that a Maven build beside them (the
# integration tests repackage each module) never rewrites a jar while a Spark job reads it.
export LAKEPIPE_TEST_JARS="$STATE/test-jars"
# The last of the three landed days the end-to-end and cluster suites run on.
TEST_DS="${LAKEPIPE_TEST_DS:-2001-01-15}"
BUDGET_MINUTES="${LAKEPIPE_TEST_BUDGET_MINUTES:-80}"
# JIT and GC of the Spark drivers the suites start: each runs for seconds, where C2's compiling
# costs more CPU than its code returns (the file ingest of a day: 40 s of CPU with the defaults, 20 s
# with these). The Maven test JVMs get the same flags from the parent POM (lakepipe.test.jvm, where
# they are measured). Nothing a job computes depends on them.
TEST_JVM_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"

SUITES=(unit it faults dags e2e onboarding cluster deploy secrets)
declare -A ABOUT=(
  [unit]="Maven unit tests: each job's transformations on a local SparkSession"
  [it]="Maven integration tests: jobs against the real MLflow, S3, PostgreSQL and Kafka"
  [faults]="Maven fault tests: a driver killed with SIGKILL, the broker stopped under a stream, a scorer stopped under load; an Airflow task's job killed with its task (infra/airflow/task-kill-test.sh); a drifted day triggering a training (infra/airflow/drift-trigger-test.sh)"
  [dags]="pytest: the DAGs, their helpers, the report, monitoring, deploy and security tools, the PyTorch trainer"
  [e2e]="the DAGs through Airflow one by one and as a backfill, compared; the Airflow UI in Chromium"
  [onboarding]="the second data set (bird strikes), declared only: its recipe in docs/contributing.md on a copy, its DAG for three years, the model; the benchmarks compile"
  [cluster]="one Spark standalone cluster: client and cluster mode, authentication, the s3a lakehouse, monitoring"
  [deploy]="the YARN and Kubernetes templates (no cluster), and the file ingest on a MiniYARNCluster and on a MiniDFSCluster"
  [secrets]="secret scan: the repository and the logs of everything above"
)

say() { printf '\033[1m[lakepipe test]\033[0m %s\n' "$*"; }
die() { printf '[lakepipe test] error: %s\n' "$*" >&2; exit 1; }
minutes() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

mvn_run() {
  (cd "$LAKEPIPE_HOME" && ./mvnw -B --no-transfer-progress "$@" \
    -Dmlflow.tracking.uri="$MLFLOW_TRACKING_URI" -Dlakepipe.mlflow.python="$STATE/venv-mlflow/bin/python" \
    -Dlakepipe.torch.python="$STATE/venv-torch/bin/python")
}

# --- the suites: each runs in a process of its own (set -e holds in it), output to its log ---------

# The job jars of every module, copied for the suites that spark-submit them.
copy_test_jars() {
  rm -rf "$LAKEPIPE_TEST_JARS"
  mkdir -p "$LAKEPIPE_TEST_JARS"
  local module
  # The shaded jar of each job module (target/<module>.jar; jobs-core, a library, has none), not
  # the thin or test jars beside it; and tools.jar, the simulators that ./lakepipe land and replay run.
  for module in "$LAKEPIPE_HOME"/jobs-* "$LAKEPIPE_HOME/tools"; do
    if [[ -f "$module/target/$(basename "$module").jar" ]]; then
      cp "$module/target/$(basename "$module").jar" "$LAKEPIPE_TEST_JARS/"
    fi
  done
  cp "$LAKEPIPE_HOME/serving/target/lakepipe-serving.jar" "$LAKEPIPE_TEST_JARS/"
  touch "$LAKEPIPE_TEST_JARS/.built"
}

# The jars, built again when a source or pom changed since they were copied (a suite run alone).
ensure_test_jars() {
  if [[ -f "$LAKEPIPE_TEST_JARS/.built" ]] && [[ -z "$(cd "$LAKEPIPE_HOME" && find . -path ./.lakepipe -prune \
      -o \( -name pom.xml -o -path '*/src/main/*' \) -newer "$LAKEPIPE_TEST_JARS/.built" -print -quit)" ]]; then
    return 0
  fi
  echo "Building the job jars (mvn -DskipTests package)"
  mvn_run -q -DskipTests package || return 1
  copy_test_jars
}

suite_unit() {
  mvn_run test
}

# The integration suites skip the unit tests, and in a whole run also the repackaging of the job
# jars built from the same sources at its start (about 10 s a module).
it_mvn_args() {
  echo -Dlakepipe.unit.skip=true ${LAKEPIPE_TEST_JARS_FRESH:+-Dlakepipe.shade.skip=true}
}

suite_it() {
  # The Spark of MLflow's Python loader (the read-back of logged models) is short-lived too, and
  # nothing looks at its UI.
  export SPARK_SUBMIT_OPTS="${SPARK_SUBMIT_OPTS:+$SPARK_SUBMIT_OPTS }$TEST_JVM_OPTS -Dspark.ui.enabled=false"
  # shellcheck disable=SC2046  # it_mvn_args prints several arguments, split on purpose
  mvn_run verify $(it_mvn_args) -Dlakepipe.it.excludedGroups=faults
}

suite_faults() {
  # shellcheck disable=SC2046  # it_mvn_args prints several arguments, split on purpose
  mvn_run verify $(it_mvn_args) -Dlakepipe.it.groups=faults || return 1
  # An Airflow task's job killed with its task, and a retry beside a hung attempt (real processes).
  ensure_test_jars
  "$LAKEPIPE_HOME/infra/airflow/task-kill-test.sh"
  # The training trigger on-drift: a shifted day's event asks for a training, a calm one's does not
  # (the real check-features job in an Airflow of its own).
  LAKEPIPE_JARS_DIR="$LAKEPIPE_TEST_JARS" "$LAKEPIPE_HOME/infra/airflow/drift-trigger-test.sh"
}

suite_dags() {
  local venv_airflow="$STATE/venv-airflow/bin/python" venv_mlflow="$STATE/venv-mlflow/bin/python"
  cd "$LAKEPIPE_HOME"
  # ruff's lint and format check of dags/, infra/ and notebooks/ (ruff.toml), under a second.
  "$LAKEPIPE_HOME/infra/test/python-style.sh"
  # ShellCheck over every script (.shellcheckrc).
  "$LAKEPIPE_HOME/infra/test/shell-style.sh"
  # The Python locks against their inputs (every input pinned and locked, every package hashed), and
  # every import of each virtualenv's code declared in its requirements (infra/python/check_env.py).
  "$venv_airflow" infra/python/check_env.py locks
  "$venv_airflow" infra/python/check_env.py imports airflow
  "$venv_mlflow" infra/python/check_env.py imports mlflow
  "$STATE/venv-deploy/bin/python" infra/python/check_env.py imports deploy
  "$STATE/venv-torch/bin/python" infra/python/check_env.py imports torch
  "$venv_airflow" -m pytest -q dags/tests
  # (infra/deploy/tests run first thing in the cluster suite's template check, validate.sh.)
  # One run each: every folder has its own pytest.ini (its rootdir and import path).
  "$venv_mlflow" -m pytest -q infra/report/tests
  "$venv_mlflow" -m pytest -q infra/security/tests
  "$venv_mlflow" -m pytest -q infra/monitoring/tests
  "$venv_mlflow" -m pytest -q infra/python/tests
  # The deep-learning family's trainer: two processes training together, its ONNX file against torch.
  "$STATE/venv-torch/bin/python" -m pytest -q jobs-train/src/test/python
}

# The three days the end-to-end and cluster suites read, landed (in full, as the demo lands them)
# unless they already are.
ensure_test_days() {
  local first day missing=0
  first="$(date -u -d "$TEST_DS - 2 day" +%F)"
  for day in "$first" "$(date -u -d "$TEST_DS - 1 day" +%F)" "$TEST_DS"; do
    compgen -G "$STATE/landing/flights/ds=$day/part-*" >/dev/null || missing=1
  done
  if ((missing)); then "$LAKEPIPE" land "$first" "$TEST_DS"; fi
}

# Class-data sharing for the Spark drivers that spark-submit starts on this machine: the archive that
# ./lakepipe setup writes for users' drivers (infra/lib/driver-cds.sh), written here by the test jars
# when setup did not build (a day's ingest: 16 s of CPU without it, 13 s with it).
ensure_cds_archive() {
  source "$LAKEPIPE_HOME/infra/lib/spark-env.sh"
  source "$LAKEPIPE_HOME/infra/lib/driver-cds.sh"
  rm -rf "$STATE/test-cds" # where the tests kept an archive of their own before
  ensure_driver_cds "$LAKEPIPE_TEST_JARS/jobs-ingest.jar" "$LAKEPIPE_TEST_JARS/tools.jar"
}

# SPARK_SUBMIT_OPTS of a suite's spark-submits: TEST_JVM_OPTS, the archive when there is one, and
# the given options. use_test_jvm_opts [option...]
use_test_jvm_opts() {
  local opts="$TEST_JVM_OPTS"
  source "$LAKEPIPE_HOME/infra/lib/driver-cds.sh"
  [[ -s "$DRIVER_CDS_ARCHIVE" ]] && opts+=" -XX:SharedArchiveFile=$DRIVER_CDS_ARCHIVE"
  export SPARK_SUBMIT_OPTS="${SPARK_SUBMIT_OPTS:+$SPARK_SUBMIT_OPTS }$opts${*:+ $*}"
}
# Executors on a cluster get the same JIT flag, and so does a driver that YARN starts (one flag each: a
# -D value in SPARK_SUBMIT_OPTS cannot hold a space).
EXECUTOR_C1="-Dspark.executor.defaultJavaOptions=-XX:TieredStopAtLevel=1"
DRIVER_C1="-Dspark.driver.defaultJavaOptions=-XX:TieredStopAtLevel=1"

suite_e2e() {
  ensure_test_jars
  ensure_test_days
  ensure_cds_archive
  "$LAKEPIPE_HOME/infra/test/driver-cds-test.sh"
  export LAKEPIPE_JARS_DIR="$LAKEPIPE_TEST_JARS"
  # Local drivers: no Spark UI either (nothing here looks at it).
  use_test_jvm_opts -Dspark.ui.enabled=false
  "$LAKEPIPE_HOME/infra/airflow/e2e.sh" "$TEST_DS"
}

suite_onboarding() {
  ensure_test_jars
  export LAKEPIPE_JARS_DIR="$LAKEPIPE_TEST_JARS"
  use_test_jvm_opts -Dspark.ui.enabled=false
  "$LAKEPIPE_HOME/infra/test/onboarding-test.sh"
  # The benchmarks still build against the jars (they run by hand, not here: bench/*/README.md).
  JARS_DIR="$LAKEPIPE_TEST_JARS" "$LAKEPIPE_HOME/bench/compile.sh"
}

suite_cluster() {
  ensure_test_jars
  ensure_test_days
  # (The archive, when the e2e suite has written one: this suite may run beside it.)
  export LAKEPIPE_JARS_DIR="$LAKEPIPE_TEST_JARS"
  # Client-mode drivers and the executors (the monitoring test scrapes the drivers' UI: it stays on).
  use_test_jvm_opts "$EXECUTOR_C1"
  # The drivers that a worker starts (cluster deploy mode, through infra/spark/submit.sh), and the
  # master, workers and History Server: short-lived or idle, none needs C2 either.
  export LAKEPIPE_DRIVER_JAVA_OPTS="$TEST_JVM_OPTS" SPARK_DAEMON_JAVA_OPTS="$TEST_JVM_OPTS"
  "$LAKEPIPE_HOME/infra/test/cluster-suite.sh" "$TEST_DS"
}

suite_deploy() {
  ensure_test_jars
  ensure_test_days
  export LAKEPIPE_JARS_DIR="$LAKEPIPE_TEST_JARS" LAKEPIPE_JOB_JAR="$LAKEPIPE_TEST_JARS/jobs-ingest.jar"
  # (The drivers' archive comes through spark-env.sh, which the deploy scripts source: the Hadoop
  # configuration that spark-submit to YARN adds at the end of the class path leaves it usable.)
  export SPARK_SUBMIT_OPTS="${SPARK_SUBMIT_OPTS:+$SPARK_SUBMIT_OPTS }$TEST_JVM_OPTS $EXECUTOR_C1 $DRIVER_C1"
  # The MiniYARNCluster's and MiniDFSCluster's own JVMs.
  export LAKEPIPE_MINI_CLUSTER_JAVA_OPTS="$TEST_JVM_OPTS"
  "$LAKEPIPE_HOME/infra/deploy/validate.sh"
  "$LAKEPIPE_HOME/infra/deploy/yarn-test.sh" "$TEST_DS"
  "$LAKEPIPE_HOME/infra/deploy/hdfs-test.sh" "$TEST_DS"
}

suite_secrets() {
  "$STATE/venv-mlflow/bin/python" "$LAKEPIPE_HOME/infra/security/secret_scan.py"
}

# --- running and timing them -----------------------------------------------------------------

RESULTS=""
RUN_STARTED=$(date +%s)
LANES_JIFFIES=""
# How long each suite took when it last passed on this machine: the progress lines' "usually".
DURATIONS="$STATE/logs/test-durations"
STREAM=0
# LAKEPIPE_TEST_KEEP_GOING=1: a failed suite does not stop the others (to see every failure at once).
KEEP_GOING="${LAKEPIPE_TEST_KEEP_GOING:-0}"

# Runs one suite in its own process, appends "<suite> <passed|failed> <seconds>" to $RESULTS.
run_suite() {
  local suite="$1" started rc=0 log="$TEST_LOGS/$1.log"
  started=$(date +%s)
  rm -f "$TEST_LOGS/$suite.cpu"
  say "$suite: ${ABOUT[$suite]}  (log: ${log#"$LAKEPIPE_HOME"/})"
  if ((STREAM)); then
    "$SELF" --one "$suite" 2>&1 | tee "$log" || rc=$?
  else
    "$SELF" --one "$suite" >"$log" 2>&1 || rc=$?
  fi
  local seconds=$(($(date +%s) - started))
  if ((rc == 0)); then
    echo "$suite passed $seconds" >>"$RESULTS"
    echo "$seconds" >"$DURATIONS/$suite"
    say "$suite passed in $(minutes "$seconds")"
  else
    echo "$suite failed $seconds" >>"$RESULTS"
    if ((!STREAM)); then
      printf -- '---- last 80 lines of %s ----\n' "$log" >&2
      tail -n 80 "$log" >&2
      printf -- '---- end of %s ----\n' "$log" >&2
    fi
    say "$suite FAILED after $(minutes "$seconds") (exit $rc); its whole output is in $log" >&2
  fi
  return "$rc"
}

# The table of suite times, whatever happened.
print_table() {
  local total=$(($(date +%s) - RUN_STARTED))
  local cpu
  printf '\n%-10s %-8s %8s %8s\n' suite result time cpu
  if [[ -s "$RESULTS" ]]; then
    while read -r suite result seconds; do
      cpu="$(cat "$TEST_LOGS/$suite.cpu" 2>/dev/null || true)"
      printf '%-10s %-8s %8s %8s\n' "$suite" "$result" "$(minutes "$seconds")" "${cpu:+$(minutes "$cpu")}"
    done <"$RESULTS"
  fi
  printf '%-10s %-8s %8s   (wall clock; the budget of %d min counts from the end of the set-up)\n' total "" \
    "$(minutes "$total")" "$BUDGET_MINUTES"
  if [[ -n "$LANES_JIFFIES" ]]; then
    echo "The CPUs were $(cpu_busy_percent "$LANES_JIFFIES" "$(cpu_jiffies)")% busy from the start of the lanes to the end."
  fi
  echo
}

# The budget counts from the end of the set-up: installs (pip, npm, apt, Maven downloads) depend on
# the network and the caches, not on the tests a change makes slower.
BUDGET_STARTED=$RUN_STARTED
over_budget() {
  (($(date +%s) - BUDGET_STARTED > BUDGET_MINUTES * 60))
}

# One line on where a lane is: its suite (k of n), for how long (and how long it usually takes), the
# last line its log shows, and the suites still to come.
lane_progress() {
  local lane_index="$1" lane="$2" suite started k=0 n usual step
  read -r suite started <"$TEST_LOGS/.lane-$lane_index" 2>/dev/null || return 0
  IFS=+ read -r -a lane_suites <<<"$lane"
  n=${#lane_suites[@]}
  for k in "${!lane_suites[@]}"; do [[ "${lane_suites[$k]}" == "$suite" ]] && break; done
  usual="$(cat "$DURATIONS/$suite" 2>/dev/null || true)"
  # The last line of the suite's log that says something (not a library's logging noise), cut short.
  step="$(grep -v -e '^SLF4J' -e '^[[:space:]]*$' -e '^\[[0-9:]*\] \[[0-9]*\]' "$TEST_LOGS/$suite.log" 2>/dev/null \
    | tail -n 1 | sed 's/\x1b\[[0-9;]*m//g' | cut -c 1-110)"
  local left="${lane_suites[*]:$((k + 1))}"
  say "$suite ($((k + 1)) of $n in its lane) for $(minutes $(($(date +%s) - started)))${usual:+ (last passed in $(minutes "$usual"))}," \
    "total $(minutes $(($(date +%s) - RUN_STARTED)))${left:+; then ${left// /, }}${step:+ | $step}"
}

# "<busy> <total>" jiffies of all CPUs since boot (/proc/stat): the lanes' progress lines and the
# table say how busy the machine was, which tells waiting suites from CPU-bound ones.
cpu_jiffies() {
  awk '/^cpu / { total = 0; for (i = 2; i <= NF; i++) total += $i; print total - $5 - $6, total }' /proc/stat
}
# The busy share of the CPUs between two cpu_jiffies readings: cpu_busy_percent "<b0> <t0>" "<b1> <t1>".
cpu_busy_percent() {
  local b0 t0 b1 t1
  read -r b0 t0 <<<"$1"
  read -r b1 t1 <<<"$2"
  echo $(((b1 - b0) * 100 / (t1 - t0 > 0 ? t1 - t0 : 1)))
}

# Runs lanes side by side; a lane is suites joined by "+", run one after the other. Stops every lane
# when one fails or when the budget is spent; returns non-zero then.
run_lanes() {
  local -a pids=() names=()
  local lane pid i rc=0 waited=0 jiffies_then jiffies_now
  LANES_JIFFIES="$(cpu_jiffies)"
  jiffies_then="$LANES_JIFFIES"
  set -m   # each lane in a process group of its own, so that it can be stopped whole
  for lane in "$@"; do
    (
      IFS=+ read -r -a lane_suites <<<"$lane"
      failed=0
      for suite in "${lane_suites[@]}"; do
        printf '%s %s\n' "$suite" "$(date +%s)" >"$TEST_LOGS/.lane-${#pids[@]}"
        run_suite "$suite" || { failed=1; ((KEEP_GOING)) || exit 1; }
      done
      exit "$failed"
    ) &
    pids+=($!)
    names+=("$lane")
  done
  set +m
  while :; do
    local running=0
    for i in "${!pids[@]}"; do
      pid="${pids[$i]}"
      [[ -n "$pid" ]] || continue
      if kill -0 "$pid" 2>/dev/null; then
        running=1
      else
        wait "$pid" || rc=1
        pids[$i]=""
      fi
    done
    ((running && (!rc || KEEP_GOING))) || break
    if over_budget; then
      say "the test run passed its budget of $BUDGET_MINUTES minutes (LAKEPIPE_TEST_BUDGET_MINUTES): stopping" \
        "what still runs. A change made the suite slower than it may be: make the slow tests leaner." >&2
      rc=2
      break
    fi
    sleep 5
    waited=$((waited + 5))
    if ((waited % 120 == 0)); then
      jiffies_now="$(cpu_jiffies)"
      say "CPUs $(cpu_busy_percent "$jiffies_then" "$jiffies_now")% busy over the last 2 minutes"
      jiffies_then="$jiffies_now"
      for i in "${!pids[@]}"; do
        [[ -n "${pids[$i]}" ]] && lane_progress "$i" "${names[$i]}"
      done
    fi
  done
  for i in "${!pids[@]}"; do
    pid="${pids[$i]}"
    [[ -n "$pid" ]] || continue
    say "stopping the lane ${names[$i]} (its suite that was running is not in the table)" >&2
    kill -TERM -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  return "$rc"
}

# --- main ------------------------------------------------------------------------------------

# The environment of the local stack (ports, MLFLOW_TRACKING_URI, credentials) for every suite.
set -a
# shellcheck source=../../config/services.env
source "$LAKEPIPE_HOME/config/services.env"
set +a

if [[ "${1:-}" == --one ]]; then
  # One suite, in this process; then the CPU seconds of the processes it waited for (Maven, its test
  # JVMs, spark-submit, Airflow's CLI; not the services it started in the background) to a file
  # beside its log: on 2 busy cores, CPU time is what a suite costs the others.
  "suite_$2"
  times >"$TEST_LOGS/$2.cpu.times"   # (not in a pipe: a subshell has no children of its own)
  awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, t, "m"); cpu += t[1] * 60 + t[2] } }
    END { printf "%d\n", cpu + 0.5 }' "$TEST_LOGS/$2.cpu.times" >"$TEST_LOGS/$2.cpu"
  rm -f "$TEST_LOGS/$2.cpu.times"
  exit 0
fi

asked=("$@")
for suite in "${asked[@]}"; do
  [[ -n "${ABOUT[$suite]:-}" ]] || die "unknown suite '$suite'; suites: ${SUITES[*]}"
done
mkdir -p "$TEST_LOGS" "$DURATIONS"
RESULTS="$(mktemp "${TMPDIR:-/tmp}/lakepipe-test-results.XXXXXX")"
trap 'print_table; rm -f "$RESULTS"' EXIT

needs() {  # whether any of the asked suites is among the given ones
  local suite wanted
  for suite in "${asked[@]}"; do for wanted in "$@"; do [[ "$suite" == "$wanted" ]] && return 0; done; done
  return 1
}

started=$(date +%s)
# Also Chromium (the e2e suite's browser check) and Prometheus (the cluster suite's monitoring test).
"$LAKEPIPE" setup --no-build --for-tests
if ((${#asked[@]} == 0)) || needs it faults e2e onboarding cluster; then "$LAKEPIPE" services start; fi
# The scorer's token of the monitoring test, exported so that the secret scan looks for it too.
export LAKEPIPE_SERVING_TOKEN="${LAKEPIPE_SERVING_TOKEN:-$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')}"
echo "setup passed $(($(date +%s) - started))" >>"$RESULTS"
BUDGET_STARTED=$(date +%s)

if ((${#asked[@]} == 0)); then
  # Everything, as CI runs it: the jars; then two lanes of about the same length that share no
  # process, port or folder (the Maven suites; the DAG, end-to-end and cluster tests); the scan last.
  # The jars first, which both lanes run (and the integration suites then reuse rather than
  # repackage), and the days they read.
  started=$(date +%s)
  ensure_test_jars >"$TEST_LOGS/jars.log" 2>&1 || { tail -n 40 "$TEST_LOGS/jars.log" >&2; die "building the jars failed"; }
  export LAKEPIPE_TEST_JARS_FRESH=1
  ensure_test_days >>"$TEST_LOGS/jars.log" 2>&1 || { tail -n 40 "$TEST_LOGS/jars.log" >&2; die "landing the test days failed"; }
  echo "jars passed $(($(date +%s) - started))" >>"$RESULTS"
  failed=0
  # (deploy after cluster: on 2026-12-06 the lanes took 44 and 40 minutes with it in the first,
  # and the CPUs were 71% busy while onboarding ran alone at the end.)
  run_lanes "unit+it+faults+onboarding" "dags+e2e+cluster+deploy" || failed=1
  ((!failed || KEEP_GOING)) || exit 1
  run_suite secrets || failed=1
  ((!failed)) || die "some suites failed (table below)"
else
  STREAM=$((${#asked[@]} == 1))
  failed=0
  for suite in "${asked[@]}"; do
    run_suite "$suite" || { failed=1; ((KEEP_GOING)) || exit 1; }
  done
  ((!failed)) || die "some suites failed (table below)"
fi
total=$(($(date +%s) - RUN_STARTED))
tests=$(($(date +%s) - BUDGET_STARTED))
if ((tests > BUDGET_MINUTES * 60)); then
  die "the tests passed but took $(minutes "$tests") after the set-up, over the budget of $BUDGET_MINUTES minutes (LAKEPIPE_TEST_BUDGET_MINUTES): make the slow tests leaner before adding more"
fi
say "All tests passed in $(minutes "$total")"
