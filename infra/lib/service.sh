#!/usr/bin/env bash
# Shared plumbing of the local services: every service script sources this file, defines
# service_start_command and service_health, and calls service_main "$@".
# Each service keeps its data in .lakepipe/services/<name>, its log in .lakepipe/logs/<name>.log and
# its pid in .lakepipe/run/<name>.pid, all under the git-ignored .lakepipe folder.
set -euo pipefail

LAKEPIPE_HOME="${LAKEPIPE_HOME:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
export LAKEPIPE_HOME
# shellcheck source=../../config/services.env
source "$LAKEPIPE_HOME/config/services.env"
LAKEPIPE_STATE="$LAKEPIPE_HOME/.lakepipe"

service_paths() {
  SERVICE_DATA="$LAKEPIPE_STATE/services/$SERVICE_NAME"
  SERVICE_LOG="$LAKEPIPE_STATE/logs/$SERVICE_NAME.log"
  SERVICE_PID="$LAKEPIPE_STATE/run/$SERVICE_NAME.pid"
  mkdir -p "$SERVICE_DATA" "$(dirname "$SERVICE_LOG")" "$(dirname "$SERVICE_PID")"
}

service_running() {
  [[ -f "$SERVICE_PID" ]] && kill -0 "$(cat "$SERVICE_PID")" 2>/dev/null
}

service_wait_healthy() {
  local timeout="${1:-120}" waited=0
  until service_health; do
    if ! service_running; then
      echo "$SERVICE_NAME exited while starting; last lines of $SERVICE_LOG:" >&2
      tail -n 20 "$SERVICE_LOG" >&2
      return 1
    fi
    if (( waited >= timeout )); then
      echo "$SERVICE_NAME did not become healthy within ${timeout}s; see $SERVICE_LOG" >&2
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
}

service_start() {
  if service_running && service_health; then
    echo "$SERVICE_NAME already running (pid $(cat "$SERVICE_PID")) at $SERVICE_URL"
    return 0
  fi
  if service_health; then
    echo "Port of $SERVICE_NAME is already answering at $SERVICE_URL but not started by lakepipe;" \
      "stop that process or choose another port in config/services.env" >&2
    return 1
  fi
  echo "Starting $SERVICE_NAME at $SERVICE_URL (log: $SERVICE_LOG)"
  # setsid: the service outlives the shell that started it and stops as one process group.
  setsid bash -c "$(service_start_command)" >>"$SERVICE_LOG" 2>&1 < /dev/null &
  echo $! > "$SERVICE_PID"
  service_wait_healthy "${SERVICE_START_TIMEOUT:-120}"
  echo "$SERVICE_NAME is up at $SERVICE_URL"
}

service_stop() {
  if service_running; then
    local pid
    pid="$(cat "$SERVICE_PID")"
    echo "Stopping $SERVICE_NAME (pid $pid)"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 1
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
  else
    echo "$SERVICE_NAME is not running"
  fi
  rm -f "$SERVICE_PID"
}

service_status() {
  if service_running && service_health; then
    echo "$SERVICE_NAME: running (pid $(cat "$SERVICE_PID")) at $SERVICE_URL"
  elif service_running; then
    echo "$SERVICE_NAME: process alive but not healthy; see $SERVICE_LOG"
    return 1
  else
    echo "$SERVICE_NAME: stopped"
    return 3
  fi
}

service_main() {
  service_paths
  case "${1:-}" in
    start) service_start ;;
    stop) service_stop ;;
    status) service_status ;;
    restart) service_stop; service_start ;;
    *) echo "usage: $0 start|stop|status|restart" >&2; return 2 ;;
  esac
}
