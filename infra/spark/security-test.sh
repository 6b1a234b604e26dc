#!/usr/bin/env bash
# Proves that the standalone cluster of infra/spark/cluster.sh authenticates and encrypts: starts it
# (unless already running) with the shared secret; runs the file ingest of one landed date with the
# cluster profile (config/spark-cluster.conf: authentication, AES RPC encryption, local disk I/O
# encryption) and the secret, through infra/spark/submit.sh, in client deploy mode and,
# unless only client is asked, in cluster deploy mode, each into a fresh lakehouse, and checks bronze
# holds the rows the audit row says were written; then starts an extra worker with a wrong secret and
# checks that the master never lists it and that its log shows the refused authentication, and
# submits an application with a wrong secret and checks that it is refused the same way.
# Checks that the secret is on no process's command line while all this runs.
# Stops what it started; exit 1 with the reason on the first failure.
# Usage: infra/spark/security-test.sh [ds [mode...]]   (default 2001-01-15 client cluster; "none":
# no job run, only the cluster's own checks and the intruders, as the cluster suite runs it after
# cluster-test.sh, whose runs on the same cluster are checked for the secret the same way)
# shellcheck disable=SC2034  # read by ingest-run-checks.sh's functions
TEST_NAME=security-test
# shellcheck source=ingest-run-checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/ingest-run-checks.sh"
SUBMIT_OPTS_FILE="$LAKEPIPE_HOME/.lakepipe/spark-auth/submit.jvmopts"
# The intruding worker's UI port: one past the cluster's workers.
read -r -a WORKER_UI_PORTS <<< "$SPARK_WORKER_WEBUI_PORTS"
ROGUE_UI_PORT="${SPARK_ROGUE_WORKER_WEBUI_PORT:-$(( ${WORKER_UI_PORTS[-1]} + 1 ))}"
# How long the intruders get to try: the master would list a worker within a second or two.
ROGUE_WAIT="${SPARK_ROGUE_WAIT:-20}"
# The refusal, as the intruder's log states it: the master drops the connection when the handshake
# (AES-based auth protocol, then the SASL fallback) fails, and the intruder cannot reach it.
REFUSAL_PATTERN='New auth protocol failed|Failed to connect to master'

ROGUE_PID=""
cleanup() {
  local rc=$?
  if [[ -n "$ROGUE_PID" ]]; then kill -TERM -- "-$ROGUE_PID" 2>/dev/null || true; fi
  cleanup_runs "$rc"
}
trap cleanup EXIT
[[ -n "${LAKEPIPE_SPARK_AUTH_SECRET:-}" ]] || fail "LAKEPIPE_SPARK_AUTH_SECRET is not set; run ./lakepipe setup"

# (has_secret and check_no_secret_in_ps: ingest-run-checks.sh.)

T0="$(date +%s)"
if ! "$CLUSTER" status >/dev/null 2>&1; then
  STARTED+=("$CLUSTER")
  "$CLUSTER" start || fail "$CLUSTER start did not bring it up"
fi
grep -q "authentication enabled" "$LAKEPIPE_HOME/.lakepipe/logs/spark-master.log" \
  || fail "the master's log does not say 'authentication enabled'"
[[ "$(stat -c %a "$SUBMIT_OPTS_FILE")" == 600 && "$(stat -c %a "$(dirname "$SUBMIT_OPTS_FILE")/daemon.conf")" == 600 ]] \
  || fail "the secret's files in $(dirname "$SUBMIT_OPTS_FILE") are not owner-only (600)"
check_no_secret_in_ps "after the cluster started"
echo "Cluster up with authentication after $(elapsed "$T0")"

# The file ingest through infra/spark/submit.sh (the cluster profile, and the secret from a java
# @argfile), with the secret looked for on every command line while it runs and in its log after.
run_mode() {
  local mode="$1" t0
  t0="$(date +%s)"
  echo "--- $mode deploy mode, authenticated and encrypted"
  submit_ingest "$mode" "$WORK/$mode/lakehouse"
  echo "$mode deploy mode passed in $(elapsed "$t0")"
}

for mode in "${MODES[@]}"; do
  run_mode "$mode"
done

# --- intruders: the right profile, a wrong secret --------------------------------------------
T1="$(date +%s)"
app_count() { curl -fsS "$MASTER_UI/json/" | jq '[.activeapps[], .completedapps[]] | length'; }
apps_before="$(app_count)" || fail "the master's /json/ does not answer"
echo "--- a worker with a wrong secret (UI port $ROGUE_UI_PORT)"
mkdir -p "$WORK/rogue-worker/work"
(
  umask 077
  cat > "$WORK/rogue-worker/daemon.conf" <<CONF
spark.authenticate                 true
spark.authenticate.secret          wrong-$RANDOM$RANDOM
spark.network.crypto.enabled       true
CONF
  echo "-Dspark.authenticate.secret=wrong-$RANDOM$RANDOM" > "$WORK/wrong.jvmopts"
)
setsid "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.worker.Worker \
  --host "$LAKEPIPE_BIND_HOST" --webui-port "$ROGUE_UI_PORT" --cores 1 --memory 512m \
  --work-dir "$WORK/rogue-worker/work" --properties-file "$WORK/rogue-worker/daemon.conf" \
  "$MASTER_URL" >"$WORK/rogue-worker.log" 2>&1 < /dev/null &
ROGUE_PID=$!
echo "--- an application with a wrong secret"
write_config "$WORK/rogue-app/test.conf" "$WORK/rogue-app/lakehouse"
# It would retry for a minute before giving up: stopped after ROGUE_WAIT, the worker's time too.
SPARK_AUTH_OPTS_FILE="$WORK/wrong.jvmopts" timeout "$ROGUE_WAIT" "$SUBMIT" --deploy-mode client \
  --class "$MAIN_CLASS" "$JAR" --config "$WORK/rogue-app/test.conf" --ds "$DS" --source flights \
  >"$WORK/rogue-app.log" 2>&1 < /dev/null || true

state="$(curl -fsS "$MASTER_UI/json/")" || fail "the master's /json/ does not answer"
jq -e --arg ui "http://${LAKEPIPE_BIND_HOST}:${ROGUE_UI_PORT}" 'any(.workers[]; .webuiaddress == $ui)' \
  <<< "$state" >/dev/null && fail "the master lists the worker with the wrong secret: $(jq -c '.workers' <<< "$state")"
kill -0 "$ROGUE_PID" 2>/dev/null || echo "(the worker with the wrong secret has exited)"
line="$(grep -E "$REFUSAL_PATTERN" "$WORK/rogue-worker.log" | head -n 2 || true)"
[[ "$line" == *"New auth protocol failed"* ]] || fail "no authentication failure in the rogue worker's log $WORK/rogue-worker.log"
echo "worker refused: not among the master's $(jq '.workers | length' <<< "$state") workers; its log:"; echo "$line"

[[ -d "$WORK/rogue-app/lakehouse/bronze" ]] && fail "the application with a wrong secret wrote to its lakehouse"
[[ "$(app_count)" == "$apps_before" ]] || fail "the master registered the application with a wrong secret"
line="$(grep -E "$REFUSAL_PATTERN" "$WORK/rogue-app.log" | head -n 2 || true)"
[[ "$line" == *"New auth protocol failed"* ]] || fail "no authentication failure in the log of the application with a wrong secret, $WORK/rogue-app.log"
echo "application refused: the master registered no application, it wrote nothing; its log:"; echo "$line"
echo "intruders refused in $(elapsed "$T1")"
kill -TERM -- "-$ROGUE_PID" 2>/dev/null || true
ROGUE_PID=""
check_no_secret_in_ps "at the end"
echo "security-test passed in $(elapsed "$T0") (${MODES[*]:-no job runs of its own;} with authentication and encryption; wrong secret refused)"
