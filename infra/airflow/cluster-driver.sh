# shellcheck shell=bash  # sourced by infra/airflow/bin/spark-submit
# Cluster deploy mode on a standalone master (spark://) for infra/airflow/bin/spark-submit. There the
# driver runs on a worker: the end of the local spark-submit does not stop it, and spark-submit exits 0
# whatever the driver's fate. So the wrapper runs spark-submit as a child and keeps the driver id it
# prints in a driver file ("<id> <master> <master UI> <spark.authenticate> <spark.network.crypto.enabled>",
# per DAG, task and run beside the pid file); it kills the driver when it is stopped or its task dies
# (a parent-death TERM), a retry kills the earlier attempt's driver first, and it exits 0 only when the
# master lists the driver FINISHED.
#
# The kill needs no REST server, which Spark refuses to run on an authenticated cluster: it is the
# legacy RPC client (org.apache.spark.deploy.Client kill), which authenticates as spark-submit does,
# with the JVM options of SPARK_SUBMIT_OPTS (an @argfile holding the secret, so never the secret itself
# on a command line). The master UI's POST /driver/kill/ would do too, but it asks for no credential.

# The checkout: the sourcing wrapper's, else this file's.
home="${home:-${LAKEPIPE_HOME:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}}"

say() { printf 'lakepipe: %s\n' "$*" >&2 || true; }

# A setting of a properties file (java.util.Properties: "key value" or "key=value"; the last one wins).
properties_value() {
  [[ -r "$1" ]] || return 0
  awk -v key="$2" '{ sub(/^[ \t]+/, "") }
    index($0, key) == 1 && substr($0, length(key) + 1) ~ /^[ \t=:]/ {
      v = substr($0, length(key) + 1); sub(/^[ \t]*[=:]?[ \t]*/, "", v); sub(/[ \t]+$/, "", v) }
    END { print v }' "$1"
}

# Reads spark-submit's options up to the application jar, in spark-submit's own order (the option,
# else --conf, else the --properties-file): SUBMIT_MASTER, SUBMIT_MODE, SUBMIT_AUTH and SUBMIT_CRYPTO;
# SUBMIT_ACTION is "submit", "kill" (of the driver SUBMIT_DRIVER), or "other" for --status, --version
# and --help.
read_submit_args() {
  local -A conf=()
  local props=""
  SUBMIT_ACTION=submit SUBMIT_MASTER="" SUBMIT_MODE="" SUBMIT_DRIVER=""
  while (($#)); do
    case "$1" in
      --*=*) set -- "${1%%=*}" "${1#*=}" "${@:2}"; continue ;;
      --kill) SUBMIT_ACTION=kill SUBMIT_DRIVER="${2-}" ;;
      --status | --version | --help | -h) SUBMIT_ACTION=other; shift; continue ;;
      --verbose | -v | --supervise) shift; continue ;;
      --master) SUBMIT_MASTER="${2-}" ;;
      --deploy-mode) SUBMIT_MODE="${2-}" ;;
      --properties-file) props="${2-}" ;;
      --conf | -c) [[ "${2-}" == ?*=* ]] && conf["${2%%=*}"]="${2#*=}" ;;
      -*) ;;
      *) break ;;
    esac
    shift 2 2>/dev/null || break
  done
  : "${SUBMIT_MASTER:=${conf[spark.master]:-$(properties_value "$props" spark.master)}}"
  : "${SUBMIT_MODE:=${conf[spark.submit.deployMode]:-$(properties_value "$props" spark.submit.deployMode)}}"
  SUBMIT_AUTH="${conf[spark.authenticate]:-$(properties_value "$props" spark.authenticate)}"
  SUBMIT_CRYPTO="${conf[spark.network.crypto.enabled]:-$(properties_value "$props" spark.network.crypto.enabled)}"
}

is_cluster_submit() { [[ "$SUBMIT_ACTION" == submit && "$SUBMIT_MODE" == cluster && "$SUBMIT_MASTER" == spark://* ]]; }

# The master's web UI: its host (the first of a list) and SPARK_MASTER_WEBUI_PORT (config/services.env).
master_ui() {
  local host="${1#spark://}" port="${SPARK_MASTER_WEBUI_PORT:-}"
  host="${host%%,*}"
  [[ -n "$port" ]] || port="$(source "$home/config/services.env" >/dev/null 2>&1; echo "${SPARK_MASTER_WEBUI_PORT:-8080}")"
  echo "http://${host%:*}:$port"
}

# "active <STATE>" or "ended <STATE>" of a driver as the master's /json/ lists it ("" when it lists it
# nowhere); fails when the master's UI does not answer.
driver_status() {
  local json
  json="$(curl -fsS --max-time 5 "$2/json/" 2>/dev/null)" || return 1
  jq -r --arg id "$1" '[(.activedrivers[] | select(.id == $id) | "active " + .state),
    (.completeddrivers[] | select(.id == $id) | "ended " + .state)] | first // ""' <<<"$json"
}

# Kills a driver through the master's RPC endpoint and waits up to $6 seconds for the master's UI to
# list it no longer active: kill_driver <id> <master> <master UI> <authenticate> <crypto> <seconds>.
kill_driver() (
  LAKEPIPE_HOME="${LAKEPIPE_HOME:-$home}" && source "$home/infra/lib/spark-env.sh"
  local -a opts=()
  local log client="" status rc
  log="$(mktemp)"
  trap 'rm -f "$log"; kill "$client" 2>/dev/null || true' EXIT
  # Word-split as spark-submit's launcher splits it.
  read -r -a opts <<<"${SPARK_SUBMIT_OPTS:-}"
  "${JAVA_HOME:+$JAVA_HOME/bin/}java" -cp "$SPARK_HOME/jars/*" "${opts[@]}" \
    -Dspark.authenticate="${4:-false}" -Dspark.network.crypto.enabled="${5:-false}" \
    org.apache.spark.deploy.Client kill "$2" "$1" >"$log" 2>&1 &
  client=$!
  # The client waits 5 s after the master's answer before it exits: the master's UI tells sooner.
  for _ in $(seq 1 $(($6 * 2))); do
    status="$(driver_status "$1" "$3")" && [[ "$status" != active* ]] && return 0
    if ! kill -0 "$client" 2>/dev/null; then
      rc=0
      wait "$client" || rc=$?
      ((rc == 0)) || { say "the kill of driver $1 on $2 failed (exit $rc): $(grep -m 1 -E 'Exception|Error' "$log")"; return 1; }
    fi
    sleep 0.5
  done
  say "driver $1 is still active on $3 $6 s after its kill"
  return 1
)

# `spark-submit --master spark://... --kill <id>` (the on_kill of Airflow's Spark hook), which Spark
# would send to the REST server: killed through the master's RPC, authenticated as the driver file of
# the task that submitted it says, else as this command's options say.
kill_requested_driver() {
  local id="$SUBMIT_DRIVER" file ui
  file="$(grep -l -s "^$id " "$home"/.lakepipe/run/spark-submit/*.driver | head -n 1 || true)"
  [[ -n "$file" ]] && read -r _ _ _ SUBMIT_AUTH SUBMIT_CRYPTO <"$file"
  ui="$(master_ui "$SUBMIT_MASTER")"
  say "killing driver $id on $SUBMIT_MASTER"
  kill_driver "$id" "$SUBMIT_MASTER" "$ui" "$SUBMIT_AUTH" "$SUBMIT_CRYPTO" 30
}

# A retry: the earlier attempt's driver, when the master still lists it active, is killed first.
stop_earlier_driver() {
  local file="$1" key="$2" id master ui auth crypto status
  [[ -s "$file" ]] || return 0
  read -r id master ui auth crypto <"$file"
  status="$(driver_status "$id" "$ui")" || {
    say "cannot read $ui/json/ to check that the earlier attempt's driver $id of $key has ended; not" \
      "submitting beside it (remove $file if it has)"
    exit 1
  }
  if [[ "$status" == active* ]]; then
    say "the earlier attempt's driver $id of $key still runs on $master (${status#active }); killing it first"
    kill_driver "$id" "$master" "$ui" "$auth" "$crypto" 60 || {
      say "not submitting beside the earlier attempt's driver $id of $key"
      exit 1
    }
    say "the earlier attempt's driver $id ended ($(driver_status "$id" "$ui" || true))"
  fi
  rm -f "$file"
}

# Forgets this attempt's driver, and the task's driver file if it still holds it (a retry may have
# written its own there).
forget_driver() {
  local id=""
  [[ -s "$DRIVER_FILE" ]] && read -r id _ <"$DRIVER_FILE"
  if [[ -n "$1" && "$id" == "$1" ]]; then rm -f "$DRIVER_FILE"; fi
  rm -f "$OWN_FILE"
}

# Copies spark-submit's stderr to ours and, once the driver id shows, writes it to this attempt's own
# file and to the task's driver file (before the copy, so a closed stderr, a task that died, cannot stop it).
record_driver_id() {
  local line id=""
  trap '' PIPE
  while IFS= read -r line; do
    if [[ -z "$id" && "$line" =~ driver-[0-9]+-[0-9]+ ]]; then
      id="${BASH_REMATCH[0]}"
      printf '%s %s %s %s %s\n' "$id" "$SUBMIT_MASTER" "$UI" "${SUBMIT_AUTH:-false}" "${SUBMIT_CRYPTO:-false}" \
        >"$OWN_FILE" && cp "$OWN_FILE" "$OWN_FILE.tmp" && mv "$OWN_FILE.tmp" "$DRIVER_FILE"
    fi
    printf '%s\n' "$line" >&2 || true
  done
}

own_driver_id() {
  local id=""
  # The stderr copier ends with spark-submit's stderr; wait for it to have written the id.
  for _ in $(seq 1 50); do kill -0 "$COPIER" 2>/dev/null || break; sleep 0.1; done
  [[ -s "$OWN_FILE" ]] && read -r id _ <"$OWN_FILE"
  echo "$id"
}

# On TERM (also the parent-death signal: the task died), INT or HUP: spark-submit stops, then its
# driver on the cluster.
stop_own_driver() {
  local rc="$1" id
  trap '' TERM INT HUP PIPE
  kill -TERM "$CHILD" 2>/dev/null || true
  wait "$CHILD" 2>/dev/null || true
  id="$(own_driver_id)"
  if [[ -n "$id" ]] && [[ "$(driver_status "$id" "$UI" || echo active)" == active* ]]; then
    say "spark-submit was stopped: killing its driver $id on $SUBMIT_MASTER"
    kill_driver "$id" "$SUBMIT_MASTER" "$UI" "$SUBMIT_AUTH" "$SUBMIT_CRYPTO" 30 || true
  fi
  forget_driver "$id"
  exit "$rc"
}

# Where a driver's stderr is: its folder in a local worker's work dir, else its page on the worker's UI.
driver_stderr() {
  local local_file url
  local_file="$(compgen -G "$home/.lakepipe/services/spark-worker-*/work/$1/stderr" | head -n 1 || true)"
  url="$(curl -fsS --max-time 5 "$UI/json/" 2>/dev/null | jq -r --arg id "$1" '.workers as $w
    | .completeddrivers[] | select(.id == $id) | .worker as $wid | $w[] | select(.id == $wid)
    | .webuiaddress + "/logPage/?driverId=" + $id + "&logType=stderr"' || true)"
  echo "${local_file:-${url:-the driver folder in the work dir of its worker}}"
}

# Runs spark-submit in cluster deploy mode and stays until its driver ends: exit 0 only if it FINISHED.
# run_cluster_submit <driver file, or "" outside an Airflow task> <real spark-submit> <arguments...>
run_cluster_submit() {
  local real="$2" rc=0 id status misses=0 copy
  DRIVER_FILE="${1:-$home/.lakepipe/run/spark-submit/pid-$$.driver}"
  OWN_FILE="$DRIVER_FILE.$$"
  shift 2
  mkdir -p "$(dirname "$DRIVER_FILE")"
  UI="$(master_ui "$SUBMIT_MASTER")"
  CHILD=""
  trap 'stop_own_driver 143' TERM
  trap 'stop_own_driver 130' INT
  trap 'stop_own_driver 129' HUP
  exec {copy}> >(record_driver_id)
  COPIER=$!
  setpriv --pdeathsig KILL -- "$real" "$@" 2>&"$copy" &
  CHILD=$!
  exec {copy}>&-
  wait "$CHILD" || rc=$?
  id="$(own_driver_id)"
  if [[ -z "$id" ]]; then
    say "spark-submit exited $rc and printed no driver id: nothing runs on $SUBMIT_MASTER"
    exit $((rc ? rc : 1))
  fi
  # spark-submit returned when the driver ended (spark.standalone.submit.waitAppCompletion), or at
  # once without it: the driver's end is the master's to tell.
  while :; do
    if status="$(driver_status "$id" "$UI")"; then
      misses=0
      [[ "$status" == active* ]] || break
    elif ((++misses == 30)); then
      status="the master's UI $UI did not answer for a minute"
      break
    fi
    sleep 2
  done
  forget_driver "$id"
  [[ "$status" == "ended FINISHED" ]] && exit 0
  status="${status#ended }"
  say "driver $id on $SUBMIT_MASTER did not finish (${status:-its master lists it nowhere}); its stderr:" \
    "$(driver_stderr "$id")"
  exit 1
}
