#!/usr/bin/env bash
# The Airflow of the local stack: `airflow standalone` (api-server with the UI and the REST API,
# scheduler with the LocalExecutor, dag-processor, triggerer) on the SQLite metadata DB of
# infra/airflow/env.sh (AIRFLOW_HOME=.lakepipe/airflow, shared with dags-test.sh), serving the DAGs of
# dags/, bound to loopback at AIRFLOW_API_PORT.
# Usage: infra/airflow/airflow.sh start|stop|status|restart
#
# Login: Airflow 3's SimpleAuthManager with its default user `admin` (role admin). Its password is
# generated at first start into $AIRFLOW_HOME/simple_auth_manager_passwords.json.generated (never in
# the repository); `start` and `status` print it. Delete that file and restart for a new password;
# more users: AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="admin:admin,ana:viewer" (user:role).
#
# New DAGs are paused (Airflow's default). Unpausing lakepipe_daily makes the scheduler catch up: it
# runs every day from the first day of the data, one at a time; lakepipe_training, once unpaused,
# follows each day whose features were published. Keep it paused while running `airflow dags test` on
# it (dags-test.sh) against this same DB: `dags test` marks its tasks SCHEDULED in the DB and the
# scheduler queues SCHEDULED tasks of unpaused DAGs, so a task could run twice. Paused, they coexist.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/service.sh"
# shellcheck source=env.sh
source "$LAKEPIPE_HOME/infra/airflow/env.sh"
# shellcheck source=bootstrap.sh
source "$LAKEPIPE_HOME/infra/airflow/bootstrap.sh"

SERVICE_NAME="${LAKEPIPE_AIRFLOW_INSTANCE:-airflow}"
SERVICE_URL="http://${AIRFLOW__API__HOST}:${AIRFLOW__API__PORT}"
# About 10 s, also the first start (which creates the metadata DB); generous for a loaded machine.
SERVICE_START_TIMEOUT="${SERVICE_START_TIMEOUT:-300}"
AIRFLOW_PYTHON="$LAKEPIPE_STATE/venv-airflow/bin/python"
HEALTH_URL="$SERVICE_URL/api/v2/monitor/health"

# The LocalExecutor forks `parallelism` worker processes up front (Airflow's default is 32); a few
# are plenty for Spark jobs that each take two cores. Override by exporting it.
export AIRFLOW__CORE__PARALLELISM="${AIRFLOW__CORE__PARALLELISM:-4}"

# `airflow standalone` stops its components (SIGTERM to each, then waits for them) only on
# KeyboardInterrupt; a plain SIGTERM would end it at once and orphan them. SIGTERM is made a
# KeyboardInterrupt (and SIGINT restored: a background job starts with it ignored).
STANDALONE_PY='
import signal, sys
signal.signal(signal.SIGTERM, signal.default_int_handler)
signal.signal(signal.SIGINT, signal.default_int_handler)
sys.argv = ["airflow", "standalone"]
from airflow.__main__ import main
sys.exit(main())
'

service_start_command() {
  printf '%q ' exec "$AIRFLOW_PYTHON" -c "$STANDALONE_PY"
}

# Healthy when the api-server answers and reports the metadata DB, scheduler, dag-processor and
# triggerer healthy (each component heartbeats into the DB).
service_health() {
  local body
  body="$(curl -fsS --max-time 3 "$HEALTH_URL" 2>/dev/null)" || return 1
  HEALTH_JSON="$body" "$AIRFLOW_PYTHON" -c '
import json, os, sys
health = json.loads(os.environ["HEALTH_JSON"])
parts = ("metadatabase", "scheduler", "dag_processor", "triggerer")
sys.exit(0 if all((health.get(p) or {}).get("status") == "healthy" for p in parts) else 1)
' 2>/dev/null
}

password_file() {
  echo "${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE:-$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated}"
}

print_login() {
  local file
  file="$(password_file)"
  echo "  UI:    $SERVICE_URL  (REST API: $SERVICE_URL/api/v2, docs: $SERVICE_URL/docs)"
  if [[ "${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS:-}" == [Tt]rue ]]; then
    echo "  login: none (simple_auth_manager_all_admins is on)"
  elif [[ -s "$file" ]]; then
    chmod go-rwx "$file" 2>/dev/null || true
    PASSWORDS_FILE="$file" "$AIRFLOW_PYTHON" -c '
import json, os
for user, password in json.load(open(os.environ["PASSWORDS_FILE"])).items():
    print(f"  login: {user} / {password}")
'
    echo "         (generated into $file; delete it and restart for new passwords)"
  else
    echo "  login: the password is generated into $file at first start; see $SERVICE_LOG"
  fi
}

# Stopping differs from service_stop, which signals the whole process group at once:
# - `airflow standalone` already passes a SIGTERM on to each component; a second one, straight from
#   the group signal, can deadlock the dag-processor (its signal handler logs while the interrupted
#   main thread holds the logger's lock) and the stop then hangs until SIGKILL. So only the leader
#   is signalled.
# - a task runner moves into a process group of its own (so that Airflow can signal the spark-submit
#   it starts) but stays in the session that setsid created. The scheduler would wait for running
#   tasks to finish; `stop` ends them instead (SIGTERM to each task's group, spark-submit included).
#   Such a task is left `running` in the DB, and the next start's scheduler resets and re-runs it
#   (the jobs are idempotent per ds).
# Whatever is still in the session after AIRFLOW_STOP_TIMEOUT seconds gets SIGTERM, then SIGKILL.

# Live processes of the session (exited children are zombies until their parent reaps them).
session_pids() {
  { ps -o pid=,stat= -s "$1" || true; } | awk '$2 !~ /^Z/ { print $1 }'
}

# Process groups of running tasks: those in the session other than the session's own group.
task_groups() {
  { ps -o pgid=,stat= -s "$1" || true; } | awk -v sid="$1" '$1 != sid && $2 !~ /^Z/ { print $1 }' | sort -u
}

wait_session_empty() {
  local sid="$1" timeout="$2"
  for _ in $(seq 1 "$timeout"); do
    [[ -n "$(session_pids "$sid")" ]] || return 0
    sleep 1
  done
  [[ -z "$(session_pids "$sid")" ]]
}

airflow_stop() {
  local sid groups left
  if [[ ! -f "$SERVICE_PID" ]]; then
    echo "$SERVICE_NAME is not running"
    return 0
  fi
  sid="$(cat "$SERVICE_PID")"
  # A pid file that outlived its processes (e.g. across a reboot) must not end someone else's session.
  if ! { ps -o args= -s "$sid" 2>/dev/null || true; } | grep -q airflow; then
    echo "$SERVICE_NAME is not running"
    rm -f "$SERVICE_PID"
    return 0
  fi
  if service_running; then
    echo "Stopping $SERVICE_NAME (pid $sid)"
    kill -TERM "$sid" 2>/dev/null || true
  fi
  groups="$(task_groups "$sid")"
  if [[ -n "$groups" ]]; then
    echo "Ending running tasks (process groups" $groups")"
    for group in $groups; do
      kill -TERM -- "-$group" 2>/dev/null || true
    done
  fi
  if ! wait_session_empty "$sid" "${AIRFLOW_STOP_TIMEOUT:-30}"; then
    for signal in TERM KILL; do
      left="$(session_pids "$sid")"
      [[ -n "$left" ]] || break
      echo "Sending SIG$signal to what is left of $SERVICE_NAME:" $left
      # shellcheck disable=SC2086
      kill "-$signal" $left 2>/dev/null || true
      wait_session_empty "$sid" 10 && break
    done
  fi
  rm -f "$SERVICE_PID"
}

airflow_main() {
  service_paths
  case "${1:-}" in
    start | restart)
      [[ -x "$AIRFLOW_PYTHON" ]] || { echo "Airflow is not installed; run ./lakepipe setup" >&2; return 1; }
      if [[ "$1" == restart ]]; then
        airflow_stop
      fi
      service_running || airflow_bootstrap || return 1
      service_start
      print_login
      ;;
    stop) airflow_stop ;;
    status)
      local rc=0
      service_status || rc=$?
      if [[ $rc -ne 3 ]]; then
        curl -fsS --max-time 3 "$HEALTH_URL" 2>/dev/null | "$AIRFLOW_PYTHON" -c '
import json, sys
for part, info in json.load(sys.stdin).items():
    print("  " + part + ":", info.get("status"))
' 2>/dev/null || echo "  api-server not answering at $HEALTH_URL"
      fi
      [[ $rc -ne 0 ]] || print_login
      return "$rc"
      ;;
    *) service_main "$@" ;;
  esac
}

airflow_main "$@"
