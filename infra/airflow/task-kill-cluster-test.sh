#!/usr/bin/env bash
# Fault 6 in cluster deploy mode (issue 18): a job that an Airflow task submits to the authenticated
# standalone cluster (infra/spark/cluster.sh) never outlives, nor runs beside, an attempt of its task,
# and the task fails when its driver fails. There the driver runs on a worker, out of reach of the kill
# of the local spark-submit; infra/airflow/bin/spark-submit kills it on the cluster. The job is
# submitted with the `spark-submit` that infra/airflow/env.sh puts first on PATH, with the options that
# Airflow's connection and the cluster profile give, by a Python process that stands for the task (it
# holds Airflow's AIRFLOW_CTX_* variables and reads spark-submit's output through a pipe, as
# SparkSubmitOperator does):
#
# 1. the task process is killed with SIGKILL: its driver must leave the master's active drivers
#    within 30 s (KILLED), and its spark-submit must end;
# 2. a second attempt of the same task starts while the first one's driver still runs under a living
#    task process (a task Airflow gave up on while it hung): the first driver must be killed before
#    the second is submitted (never two active at once), and the first attempt's spark-submit then
#    exits non-zero; the second driver dies with its task;
# 3. spark-submit exits non-zero, naming the driver and its stderr, when the driver fails, and 0 when
#    it finishes.
#
# The driver is a main of a few lines compiled here that sleeps until stopped (or fails, or returns,
# as asked): what is under test is the driver's life on the cluster, not its work, and it needs
# neither the broker nor more than the one core of a worker.
#
#   infra/airflow/task-kill-cluster-test.sh     (starts the cluster if it is not running, and stops it then)
set -euo pipefail
LAKEPIPE_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export LAKEPIPE_HOME
source "$LAKEPIPE_HOME/infra/airflow/env.sh"
CLUSTER="$LAKEPIPE_HOME/infra/spark/cluster.sh"
MASTER_URL="spark://${LAKEPIPE_BIND_HOST}:${SPARK_MASTER_PORT}"
MASTER_UI="http://${LAKEPIPE_BIND_HOST}:${SPARK_MASTER_WEBUI_PORT}"
# The cluster's secret, as Airflow's environment gives it (docs/deploying.md), before the options the
# caller set (the test suite's JIT and GC flags).
export SPARK_SUBMIT_OPTS="@$LAKEPIPE_HOME/.lakepipe/spark-auth/submit.jvmopts${SPARK_SUBMIT_OPTS:+ $SPARK_SUBMIT_OPTS}"
T0="$(date +%s)"

fail() { echo "task-kill-cluster-test FAILED: $*" >&2; tail -n 5 "$WORK"/*.log >&2 || true; exit 1; }
say() { echo "task-kill-cluster-test: $*"; }
elapsed() { echo "$(($(date +%s) - $1)) s"; }

# Not under /tmp: each worker has a /tmp of its own, and the drivers read the jar from here.
mkdir -p "$LAKEPIPE_HOME/.lakepipe/tmp"
WORK="$(mktemp -d "$LAKEPIPE_HOME/.lakepipe/tmp/task-kill-cluster.XXXXXX")"
TASKS=()
DRIVER_IDS=()
STARTED=()
OK=0
cleanup() {
  local pid id
  for pid in "${TASKS[@]}"; do kill_task "$pid"; done
  # What a failed run leaves on the cluster is killed through the master's UI, not the code under test,
  # and its cores are free again before the next test of the suite.
  for id in $(active_drivers 2>/dev/null || true); do
    echo "task-kill-cluster-test: killing the driver $id that the test left" >&2
    curl -fsS -o /dev/null -X POST "$MASTER_UI/driver/kill/?id=$id&terminate=true" || true
  done
  for _ in $(seq 1 20); do [[ -z "$(active_drivers 2>/dev/null || true)" ]] && break; sleep 1; done
  for id in "${DRIVER_IDS[@]}"; do
    ((OK)) && rm -rf "$LAKEPIPE_HOME"/.lakepipe/services/spark-worker-*/work/"$id"
  done
  rm -f "$DRIVER_FILE" "${DRIVER_FILE%.driver}.pid"
  for service in "${STARTED[@]}"; do "$service" stop >/dev/null || true; done
  if ((OK)); then rm -rf "$WORK"; else echo "task-kill-cluster-test: its files are kept in $WORK" >&2; fi
}

export AIRFLOW_CTX_DAG_ID=lakepipe_task_kill_cluster_test AIRFLOW_CTX_TASK_ID=ingest_flight_events
AIRFLOW_CTX_DAG_RUN_ID="test__$(date -u +%Y%m%dT%H%M%S)_$$"
export AIRFLOW_CTX_DAG_RUN_ID
DRIVER_FILE="$LAKEPIPE_HOME/.lakepipe/run/spark-submit/$AIRFLOW_CTX_DAG_ID.$AIRFLOW_CTX_TASK_ID.$(printf '%s' "$AIRFLOW_CTX_DAG_RUN_ID" | tr -c 'A-Za-z0-9._-' '_').driver"
trap cleanup EXIT

if ! "$CLUSTER" status >/dev/null 2>&1; then
  STARTED+=("$CLUSTER")
  "$CLUSTER" start >"$WORK/cluster.log" 2>&1 || fail "$CLUSTER start did not bring it up; see $WORK/cluster.log"
fi

MAIN="LakepipeTaskKillDriver"
cat >"$WORK/$MAIN.java" <<JAVA
public class $MAIN {
  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "sleep";
    if (mode.equals("fail")) {
      System.err.println("$MAIN: failing, as asked");
      System.exit(3);
    }
    if (mode.equals("sleep")) {
      Thread.sleep(Long.MAX_VALUE);
    }
  }
}
JAVA
if ! "${JAVA_HOME:+$JAVA_HOME/bin/}javac" -d "$WORK/classes" "$WORK/$MAIN.java" \
  || ! "${JAVA_HOME:+$JAVA_HOME/bin/}jar" cf "$WORK/driver.jar" -C "$WORK/classes" .; then
  fail "could not build the test's driver jar"
fi
# What Airflow's connection (spark://, cluster deploy mode) and the cluster profile give spark-submit.
SUBMIT=(spark-submit --master "$MASTER_URL" --deploy-mode cluster
  --properties-file "$LAKEPIPE_HOME/config/spark-cluster.conf" --name "$MAIN" --class "$MAIN" "$WORK/driver.jar")

# A task process: starts the job as SparkSubmitOperator does (Popen of `spark-submit` from PATH, its
# output through a pipe into the task's log), then hangs once spark-submit has ended.
start_task() {
  python3 -c '
import subprocess, sys, time
with open(sys.argv[1], "w") as log:
    job = subprocess.Popen(sys.argv[2:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in job.stdout:
        log.write(line)
        log.flush()
    log.write(f"task: spark-submit exited {job.wait()}\n")
    log.flush()
    time.sleep(3600)
' "$WORK/$1.log" "${SUBMIT[@]}" &
  TASKS+=("$!")
}

# The master's /json/: the active drivers of this test, and "active <STATE>" or "ended <STATE>" of one.
active_drivers() {
  curl -fsS --max-time 5 "$MASTER_UI/json/" | jq -r --arg m "$MAIN" '.activedrivers[] | select(.mainclass == $m) | .id'
}
driver_state() {
  curl -fsS --max-time 5 "$MASTER_UI/json/" | jq -r --arg id "$1" '[(.activedrivers[] | select(.id == $id)
    | "active " + .state), (.completeddrivers[] | select(.id == $id) | "ended " + .state)] | first // "unknown"' \
    || echo "unknown (the master's UI did not answer)"
}
# The driver that spark-submit says it submitted in log $1.
driver_in() { grep -m 1 -oE 'submitted as driver-[0-9]+-[0-9]+' "$WORK/$1.log" 2>/dev/null | grep -oE 'driver-[0-9-]+' || true; }

# Once the master lists the driver that task log $1 names RUNNING, its id; meanwhile never more than
# one driver of this test may be active.
running_driver() {
  local id actives
  for _ in $(seq 1 120); do
    actives="$(active_drivers || true)"
    (($(wc -w <<<"$actives") <= 1)) || fail "two drivers of the task are active at once: $(tr '\n' ' ' <<<"$actives")"
    id="$(driver_in "$1")"
    if [[ -n "$id" && "$(driver_state "$id")" == "active RUNNING" ]]; then
      echo "$id"
      return 0
    fi
    sleep 0.5
  done
  return 1
}

kill_task() { { kill -KILL "$1" && wait "$1"; } 2>/dev/null || true; }

# Driver $1 has left the active drivers within $2 seconds, and no command line held the secret.
gone_within() {
  for _ in $(seq 1 $(($2 * 2))); do
    if ps -eo args= | grep -F -q -f <(printf '%s\n' "$LAKEPIPE_SPARK_AUTH_SECRET"); then
      fail "the Spark secret is on a process's command line (ps)"
    fi
    [[ "$(driver_state "$1")" == active* ]] || return 0
    sleep 0.5
  done
  return 1
}

say "1. the task process is killed with SIGKILL while its driver runs on the cluster"
t0="$(date +%s)"
start_task first
task="${TASKS[-1]}"
driver="$(running_driver first)" || fail "the first driver ($(driver_in first)) was not RUNNING within 60 s"
DRIVER_IDS+=("$driver")
submit="$(pgrep -P "$task" | head -n 1)"
say "task pid $task, spark-submit pid $submit, driver $driver RUNNING after $(elapsed "$t0")"
kill_task "$task"
t0="$(date +%s)"
gone_within "$driver" 30 || fail "the driver $driver is still $(driver_state "$driver") 30 s after its task was killed"
[[ "$(driver_state "$driver")" == "ended KILLED" ]] || fail "the driver $driver ended $(driver_state "$driver"), not KILLED"
for _ in $(seq 1 20); do kill -0 "$submit" 2>/dev/null || break; sleep 0.5; done
kill -0 "$submit" 2>/dev/null && fail "spark-submit (pid $submit) still runs after its driver was killed"
say "the driver was KILLED $(elapsed "$t0") after its task"

say "2. a second attempt starts while the first one's driver still runs under a living task"
start_task attempt1
driver1="$(running_driver attempt1)" || fail "attempt 1's driver ($(driver_in attempt1)) was not RUNNING within 60 s"
DRIVER_IDS+=("$driver1")
t0="$(date +%s)"
start_task attempt2
task2="${TASKS[-1]}"
driver2="$(running_driver attempt2)" || fail "attempt 2's driver ($(driver_in attempt2)) was not RUNNING within 60 s"
DRIVER_IDS+=("$driver2")
[[ "$(driver_state "$driver1")" == "ended KILLED" ]] \
  || fail "attempt 1's driver $driver1 is $(driver_state "$driver1") beside attempt 2's $driver2"
grep -q "the earlier attempt's driver $driver1 .* killing it first" "$WORK/attempt2.log" \
  || fail "attempt 2 did not say it killed attempt 1's driver $driver1"
# spark-submit looks at its driver's state every 10 s.
for _ in $(seq 1 60); do grep -q "^task: spark-submit exited" "$WORK/attempt1.log" && break; sleep 0.5; done
grep -q "^task: spark-submit exited [1-9]" "$WORK/attempt1.log" \
  || fail "attempt 1's spark-submit did not exit non-zero after its driver was killed"
say "attempt 1's driver $driver1 was KILLED before attempt 2's $driver2 ran ($(elapsed "$t0"))"
kill_task "$task2"
gone_within "$driver2" 30 || fail "attempt 2's driver $driver2 outlived its task"

say "3. spark-submit fails when its driver fails, and succeeds when it finishes"
unset AIRFLOW_CTX_DAG_ID AIRFLOW_CTX_TASK_ID AIRFLOW_CTX_DAG_RUN_ID
rc=0
"${SUBMIT[@]}" fail >"$WORK/failing.log" 2>&1 || rc=$?
failed="$(driver_in failing)"
DRIVER_IDS+=(${failed:+"$failed"})
((rc != 0)) || fail "spark-submit exited 0 though its driver ${failed:-(no id)} ended $(driver_state "$failed")"
grep -q "^lakepipe: driver $failed .*(FAILED); its stderr: .*$failed" "$WORK/failing.log" \
  || fail "spark-submit did not say that driver $failed FAILED, nor where its stderr is"
"${SUBMIT[@]}" "done" >"$WORK/finishing.log" 2>&1 || fail "spark-submit exited $? though its driver finished"
finished="$(driver_in finishing)"
DRIVER_IDS+=(${finished:+"$finished"})
[[ "$(driver_state "$finished")" == "ended FINISHED" ]] || fail "the finishing driver $finished ended $(driver_state "$finished")"
say "$(grep -m 1 '^lakepipe: driver' "$WORK/failing.log")"
OK=1
say "ok in $(elapsed "$T0"): each driver was killed with its task, the first attempt's before the second ran, and a failed driver failed spark-submit"
