#!/usr/bin/env bash
# A lakepipe job started as an Airflow task starts it never outlives its task, nor runs beside a retry
# of it (issue 18, fault 6). The job is the real Kafka ingest in continuous mode (it runs until
# stopped), submitted with the `spark-submit` that infra/airflow/env.sh puts first on PATH, by a Python
# process that stands for the task and holds the same AIRFLOW_CTX_* variables Airflow sets:
#
# 1. the task process is killed with SIGKILL: the job's JVM must be gone within 30 s;
# 2. a second attempt of the same task starts while the first one's job still runs under a living
#    task process (a task Airflow gave up on while it hung): the first job must be stopped before the
#    second one runs, and the second dies with its own task.
#
#   infra/airflow/task-kill-test.sh        (needs the broker of ./lakepipe services start and the jars)
set -euo pipefail
LAKEPIPE_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export LAKEPIPE_HOME
source "$LAKEPIPE_HOME/infra/airflow/env.sh"
# The test copy of a module's shaded jar, else the module's own build.
module_jar() {
  local jar="${LAKEPIPE_TEST_JARS:-$LAKEPIPE_HOME/.lakepipe/test-jars}/$1.jar"
  [[ -f "$jar" ]] || jar="$LAKEPIPE_HOME/$1/target/$1.jar"
  [[ -f "$jar" ]] || { echo "task-kill-test: no $1.jar; run ./lakepipe setup" >&2; exit 2; }
  echo "$jar"
}
JAR="$(module_jar jobs-ingest)"
# The topic is created by the demo's simulator, as ./lakepipe airflow start does.
TOOLS_JAR="$(module_jar tools)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/lakepipe-task-kill.XXXXXX")"
TASKS=()
cleanup() {
  local pid
  for pid in "${TASKS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in "${DRIVERS[@]:-}"; do [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null || true; done
  rm -f "$PIDFILE"
  if ((OK)); then rm -rf "$WORK"; else echo "task-kill-test: its files are kept in $WORK" >&2; fi
}
OK=0
DRIVERS=()
fail() { echo "task-kill-test FAILED: $*" >&2; tail -n 20 "$WORK"/*.log >&2 || true; exit 1; }
say() { echo "task-kill-test: $*"; }

export AIRFLOW_CTX_DAG_ID=lakepipe_task_kill_test AIRFLOW_CTX_TASK_ID=ingest_flight_events
AIRFLOW_CTX_DAG_RUN_ID="test__$(date -u +%Y%m%dT%H%M%S)_$$"
export AIRFLOW_CTX_DAG_RUN_ID
PIDFILE="$LAKEPIPE_HOME/.lakepipe/run/spark-submit/$AIRFLOW_CTX_DAG_ID.$AIRFLOW_CTX_TASK_ID.$(printf '%s' "$AIRFLOW_CTX_DAG_RUN_ID" | tr -c 'A-Za-z0-9._-' '_').pid"
trap cleanup EXIT

topic="lakepipe-task-kill-$$-$(date +%s)"
cat >"$WORK/job.conf" <<CONF
include file("$LAKEPIPE_HOME/config/local.conf")
lakepipe {
  lakehouse = "$WORK/lakehouse"
  sources.flight-events { topic = "$topic", trigger = "continuous", checkpoint = "$WORK/checkpoint" }
  spark.conf { "spark.ui.enabled" = "false" }
}
CONF
"$LAKEPIPE_HOME/.lakepipe/venv-airflow/bin/spark-submit" --class io.lakepipe.tools.kafka.CreateFlightEventsTopicCommand \
  "$TOOLS_JAR" --config "$WORK/job.conf" >"$WORK/topic.log" 2>&1 || fail "could not create the topic $topic"

# A task process: starts the job as SparkSubmitOperator does (Popen of `spark-submit` from PATH), then waits.
start_task() {
  python3 -c 'import subprocess, sys, time; subprocess.Popen(sys.argv[1:]); time.sleep(3600)' \
    spark-submit --master 'local[1]' --class io.lakepipe.ingest.kafka.IngestKafkaJob "$JAR" \
    --config "$WORK/job.conf" --ds 2001-01-15 --source flight-events >"$WORK/$1.log" 2>&1 &
  TASKS+=("$!")
}

# The pid of the job that task $1 started, once its stream runs (its log says so).
running_driver() {
  local pid
  for _ in $(seq 1 240); do
    pid="$(pgrep -P "$1" -f org.apache.spark.deploy.SparkSubmit | head -n 1 || true)"
    if [[ -n "$pid" ]] && grep -q "Reading kafka://" "$WORK/$2.log"; then
      echo "$pid"
      return 0
    fi
    sleep 0.5
  done
  return 1
}

# Alive and not a zombie (an exited job whose living task process has not reaped it yet).
alive() { [[ -r "/proc/$1/stat" ]] && ! awk '{exit ($3 == "Z") ? 0 : 1}' "/proc/$1/stat" 2>/dev/null; }

gone_within() {
  for _ in $(seq 1 $(( $2 * 2 ))); do
    alive "$1" || return 0
    sleep 0.5
  done
  return 1
}

say "1. the task process is killed with SIGKILL while its job streams"
start_task first
task="${TASKS[-1]}"
driver="$(running_driver "$task" first)" || fail "the first job did not start streaming within 120 s"
DRIVERS+=("$driver")
say "task pid $task, job pid $driver (parent $(ps -o ppid= -p "$driver" | tr -d ' '))"
kill -KILL "$task"
gone_within "$driver" 30 || fail "the job (pid $driver) still runs 30 s after its task was killed"
say "the job was gone with its task"

say "2. a second attempt starts while the first one's job still runs under a living task"
start_task attempt1
driver1="$(running_driver "${TASKS[-1]}" attempt1)" || fail "attempt 1's job did not start streaming within 120 s"
DRIVERS+=("$driver1")
start_task attempt2
task2="${TASKS[-1]}"
driver2="$(running_driver "$task2" attempt2)" || fail "attempt 2's job did not start streaming within 120 s"
DRIVERS+=("$driver2")
alive "$driver1" && fail "attempt 1's job (pid $driver1) still runs beside attempt 2's ($driver2)"
grep -q "the earlier attempt's job (pid $driver1)" "$WORK/attempt2.log" \
  || fail "attempt 2 did not say it stopped attempt 1's job"
kill -KILL "$task2"
gone_within "$driver2" 30 || fail "attempt 2's job (pid $driver2) outlived its task"
OK=1
say "ok: the first attempt's job was stopped before the second ran, and each job died with its task"
