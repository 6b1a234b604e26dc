#!/usr/bin/env bash
# Proves the monitoring end to end, against real processes only: starts Prometheus and the
# Pushgateway (infra/monitoring/prometheus.sh), the Spark standalone cluster and the scoring service
# on a real PMML bundle (each unless already running), runs the file ingest of one landed date on the
# cluster with LAKEPIPE_PUSHGATEWAY_URL set, sends requests to the scorer, and then asks Prometheus'
# HTTP API: every scrape target is up (the driver's while the job ran); the pushed job metrics carry
# the numbers of the run's audit row; the scorer's counters match the requests sent; the Spark
# master, worker and executor metrics are there; every expression of the Grafana dashboard is
# accepted and returns data; and the scorer's token is in no log, config or answer of Prometheus.
# Stops what it started; exit 1 with the reason on the first failure.
# Usage: infra/monitoring/monitoring-test.sh [ds]   (default 2001-01-15; the date must be landed)
# The bundle: LAKEPIPE_MONITORING_BUNDLE, else the one the end-to-end test deployed
# (.lakepipe/e2e/backfill/deploy/lakepipe_flights_delay/current). The token: LAKEPIPE_SERVING_TOKEN
# when exported (./lakepipe test does, so that the secret scan after it looks for it), else a new one.
set -euo pipefail

LAKEPIPE_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export LAKEPIPE_HOME
set -a
# shellcheck source=../../config/services.env
source "$LAKEPIPE_HOME/config/services.env"
set +a
source "$LAKEPIPE_HOME/infra/lib/spark-env.sh"

DS="${1:-2001-01-15}"
STATE="$LAKEPIPE_HOME/.lakepipe"
JAR="${LAKEPIPE_JARS_DIR:-$LAKEPIPE_HOME/jobs-ingest/target}/jobs-ingest.jar"
SERVING_JAR="$LAKEPIPE_HOME/serving/target/lakepipe-serving.jar"
BUNDLE="${LAKEPIPE_MONITORING_BUNDLE:-$STATE/e2e/backfill/deploy/lakepipe_flights_delay/current}"
PYTHON="$STATE/venv-mlflow/bin/python"
MONITORING="$LAKEPIPE_HOME/infra/monitoring/prometheus.sh"
CLUSTER="$LAKEPIPE_HOME/infra/spark/cluster.sh"
PROM="http://${LAKEPIPE_BIND_HOST}:${PROMETHEUS_PORT}"
PUSHGATEWAY="http://${LAKEPIPE_BIND_HOST}:${PUSHGATEWAY_PORT}"
SERVING="http://${LAKEPIPE_BIND_HOST}:${SERVING_PORT}"
SERVING_LOG="$STATE/logs/monitoring-serving.log"
JOB=ingest-files:flights
read -r -a WORKER_UI_PORTS <<< "$SPARK_WORKER_WEBUI_PORTS"

fail() { echo "monitoring-test FAILED: $*" >&2; exit 1; }
elapsed() { echo "$(( $(date +%s) - $1 )) s"; }

[[ -f "$JAR" ]] || fail "no job jar at $JAR; build it (mvn -o -q -DskipTests package -pl jobs-ingest -am)"
[[ -f "$SERVING_JAR" ]] || fail "no scoring service jar at $SERVING_JAR; build it (mvn -o -q -DskipTests package -pl serving)"
# (model.onnx when the e2e's champion is the torch family's network.)
[[ -f "$BUNDLE/bundle.json" && ( -f "$BUNDLE/model.pmml" || -f "$BUNDLE/model.onnx" ) ]] \
  || fail "no bundle in $BUNDLE; run infra/airflow/e2e.sh (it deploys one) or set LAKEPIPE_MONITORING_BUNDLE"
[[ -x "$PYTHON" ]] || fail "the MLflow venv is not installed; run ./lakepipe setup"
compgen -G "$STATE/landing/flights/ds=$DS/*" >/dev/null \
  || fail "nothing landed for ds=$DS in .lakepipe/landing/flights; run ./lakepipe land $DS $DS"
export LAKEPIPE_SERVING_TOKEN="${LAKEPIPE_SERVING_TOKEN:-$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')}"

# Not under /tmp: the cluster's executors, which write the lakehouse of this folder, each have a
# /tmp of their own (infra/spark/cluster.sh).
mkdir -p "$STATE/tmp"
WORK="$(mktemp -d "$STATE/tmp/monitoring-test.XXXXXX")"
STARTED=()
SERVING_PID=""
APP_ID=""
cleanup() {
  local rc="$1"
  if [[ -n "$SERVING_PID" ]]; then kill -TERM "$SERVING_PID" 2>/dev/null || true; wait "$SERVING_PID" 2>/dev/null || true; fi
  for (( i=${#STARTED[@]}-1; i>=0; i-- )); do "${STARTED[$i]}" stop >/dev/null || true; done
  if (( rc == 0 )); then
    [[ -n "$APP_ID" ]] && rm -rf "$STATE"/services/spark-worker-*/work/"$APP_ID"
    rm -rf "$WORK"
  else
    echo "Logs and the lakehouse kept in $WORK; the scorer's log is $SERVING_LOG" >&2
  fi
}
trap 'cleanup $?' EXIT

# One PromQL instant query (at an optional time): prints the result array as JSON.
promql() {
  local answer
  answer="$(curl -fsS --max-time 10 "$PROM/api/v1/query" --data-urlencode "query=$1" ${2:+--data-urlencode "time=$2"})" \
    || fail "Prometheus did not answer the query $1"
  jq -e '.status == "success"' <<< "$answer" >/dev/null || fail "Prometheus refused $1: $answer"
  jq -c '.data.result' <<< "$answer"
}
# The value of a query that must give exactly one series, or "none".
value_of() {
  promql "$1" "${2:-}" | jq -r 'if length == 1 then .[0].value[1] else "none" end'
}
# Waits (up to $3 seconds, 90 by default) until the query's single value satisfies the jq test $2
# (given the value as a number in .), then prints the value. Prometheus scrapes every 5 s.
wait_for_value() {
  local query="$1" test="$2" limit="${3:-90}" waited=0 value
  while :; do
    value="$(value_of "$query")"
    if [[ "$value" != none ]] && jq -en --arg v "$value" "(\$v | tonumber) as \$x | \$x | $test" >/dev/null; then
      echo "$value"; return 0
    fi
    (( waited < limit )) || fail "after ${limit} s Prometheus has $query = $value, wanted $test"
    sleep 1; waited=$((waited + 1))
  done
}

T0="$(date +%s)"
# --- Prometheus and the Pushgateway, the cluster, the scorer ----------------------------------------
if "$MONITORING" status >/dev/null 2>&1; then
  "$MONITORING" render >/dev/null   # the token file must hold this run's token
else
  STARTED+=("$MONITORING")
  "$MONITORING" start || fail "$MONITORING start did not bring Prometheus and the Pushgateway up"
fi
if ! "$CLUSTER" status >/dev/null 2>&1; then
  STARTED+=("$CLUSTER")
  "$CLUSTER" start || fail "$CLUSTER start did not bring the cluster up"
fi
if curl -s --max-time 2 -o /dev/null "$SERVING/health"; then
  fail "something already answers on $SERVING; stop it or set SERVING_PORT"
fi
java -jar "$SERVING_JAR" --bundle "$BUNDLE" --host "$LAKEPIPE_BIND_HOST" --port "$SERVING_PORT" \
  >"$SERVING_LOG" 2>&1 < /dev/null &
SERVING_PID=$!
waited=0
until [[ "$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' "$SERVING/health")" == 200 ]]; do
  kill -0 "$SERVING_PID" 2>/dev/null || fail "the scoring service exited; see $SERVING_LOG"
  (( waited < 60 )) || fail "the scoring service was not healthy within 60 s; see $SERVING_LOG"
  sleep 1; waited=$((waited + 1))
done
echo "Prometheus, Pushgateway, cluster and scorer up after $(elapsed "$T0")"

# --- one real job run that pushes its metrics ------------------------------------------------------
# The job's group is removed first, so that what Prometheus finds afterwards comes from this run.
curl -fsS -X DELETE "$PUSHGATEWAY/metrics/job/lakepipe_jobs/lakepipe_job/$JOB" >/dev/null \
  || fail "the Pushgateway refused to delete the group of $JOB"
cat > "$WORK/test.conf" <<CONF
include "$LAKEPIPE_HOME/config/local.conf"
lakepipe.lakehouse = "$WORK/lakehouse"
CONF
JOB_START="$(date +%s)"
echo "--- the file ingest of ds=$DS on the cluster (client deploy mode), pushing to $PUSHGATEWAY"
LAKEPIPE_PUSHGATEWAY_URL="$PUSHGATEWAY" "$LAKEPIPE_HOME/infra/spark/submit.sh" --deploy-mode client \
  --conf "spark.ui.port=$SPARK_UI_PORT" --class io.lakepipe.ingest.files.IngestFilesJob \
  "$JAR" --config "$WORK/test.conf" --ds "$DS" --source flights >"$WORK/job.log" 2>&1 \
  || fail "the ingest exited $?; see $WORK/job.log"
JOB_END="$(date +%s)"
APP_ID="$(grep -m 1 -oE 'app-[0-9]+-[0-9]+' "$WORK/job.log" || true)"
[[ -n "$APP_ID" ]] || fail "no application id in $WORK/job.log"
grep -q "metrics pushed to the Pushgateway" "$WORK/job.log" || fail "the job did not log its push; see $WORK/job.log"
echo "job $APP_ID ran in $((JOB_END - JOB_START)) s"

# The audit row of the run: read, written, quarantined, duration (ms), end (Unix s), status.
read -r A_READ A_WRITTEN A_QUARANTINED A_MS A_END A_STATUS <<< "$("$PYTHON" - "$WORK/lakehouse" "$DS" "$JOB" <<'PY'
import datetime, os, sys
from deltalake import DeltaTable
lakehouse, ds, job = sys.argv[1], datetime.date.fromisoformat(sys.argv[2]), sys.argv[3]
rows = [r for r in DeltaTable(f"{lakehouse}/audit/job_runs").to_pyarrow_table().to_pylist()
        if r["ds"] == ds and r["job"] == job]
r = rows[-1]
started = r["started_at"].replace(tzinfo=datetime.timezone.utc).timestamp()
print(r["rows_read"], r["rows_written"], r["rows_quarantined"], r["duration_ms"],
      f"{started + r['duration_ms'] / 1000:.3f}", r["status"], flush=True)
os._exit(0)
PY
)"
[[ "$A_STATUS" == SUCCEEDED && "$A_READ" -gt 0 ]] || fail "the audit row says $A_STATUS with $A_READ rows read"
echo "audit row: $A_STATUS, read $A_READ, written $A_WRITTEN, quarantined $A_QUARANTINED, $A_MS ms"

SEL="job=\"lakepipe_jobs\",lakepipe_job=\"$JOB\",ds=\"$DS\""
end="$(wait_for_value "lakepipe_job_finished_timestamp_seconds{$SEL}" "(. - $A_END) * (. - $A_END) < 0.0001")"
check_pushed() {
  local got
  got="$(value_of "$1{$SEL}")"
  jq -en --arg g "$got" --argjson w "$2" '(($g | tonumber) - $w) as $d | $d * $d <= 1e-18 * ([1, $w * $w] | max)' >/dev/null \
    || fail "Prometheus has $1{$SEL} = $got; the audit row says $2"
  echo "  $1 = $got"
}
echo "pushed metrics in Prometheus (ended at $end, as the audit row):"
check_pushed lakepipe_job_rows_read "$A_READ"
check_pushed lakepipe_job_rows_written "$A_WRITTEN"
check_pushed lakepipe_job_rows_quarantined "$A_QUARANTINED"
check_pushed lakepipe_job_quarantine_share "$(jq -n "$A_QUARANTINED / $A_READ")"
check_pushed lakepipe_job_duration_seconds "$(jq -n "$A_MS / 1000")"
check_pushed lakepipe_job_succeeded 1

# While the job ran, Prometheus scraped its driver: the last instant at which the executors' metrics
# of this application and the driver's own were both there (the dashboard's executor panels are
# checked at it). Both: the two targets scrape the same UI at their own moments, so the driver's last
# scrape before an instant with executor metrics can be one from before the UI was up.
T_JOB="$(curl -fsS "$PROM/api/v1/query_range" \
  --data-urlencode "query=count(metrics_executor_memoryUsed_bytes{job=\"spark-executors\",application_id=\"$APP_ID\"}) and on() count({job=\"spark-driver\",__name__=~\"metrics_lakepipe_driver_.+\"})" \
  --data-urlencode "start=$JOB_START" --data-urlencode "end=$JOB_END" --data-urlencode "step=1" \
  | jq -r '.data.result[0].values // [] | map(select(.[1] | tonumber > 0)) | last | .[0] // empty')"
[[ -n "$T_JOB" ]] || fail "Prometheus never scraped executor metrics of $APP_ID together with the driver's metrics from the driver's UI (port $SPARK_UI_PORT) while it ran"
for job in spark-driver spark-executors; do
  [[ "$(value_of "up{job=\"$job\"}" "$T_JOB")" == 1 ]] || fail "the $job target was not up at $T_JOB while the job ran"
done
driver_series="$(promql "count({job=\"spark-driver\",__name__=~\"metrics_lakepipe_driver_.+\"})" "$T_JOB" | jq -r '.[0].value[1] // 0')"
(( driver_series > 0 )) || fail "no metrics_lakepipe_driver_* series of the driver's PrometheusServlet at $T_JOB"
echo "driver: executor metrics of $APP_ID and $driver_series driver series scraped at $T_JOB"

# --- requests to the scorer, in two bursts (so that rates have an increase to show) --------------
"$PYTHON" - "$BUNDLE/bundle.json" "$WORK" <<'PY'
import json, sys
inputs = json.load(open(sys.argv[1]))["inputs"]
record = {i["name"]: None for i in inputs}   # every input present, each a missing value
open(f"{sys.argv[2]}/one.json", "w").write(json.dumps(record))
open(f"{sys.argv[2]}/batch.json", "w").write(json.dumps([record] * 5))
PY
# The token goes to curl in a header file (mode 600), not on its command line.
( umask 077; printf 'Authorization: Bearer %s\n' "$LAKEPIPE_SERVING_TOKEN" > "$WORK/auth.header" )
post() {  # post <expected status> <body file> [header file]
  local status
  status="$(curl -s -o "$WORK/answer.json" -w '%{http_code}' -X POST "$SERVING/predict" \
    -H 'Content-Type: application/json' ${3:+-H "@$3"} --data-binary "@$2")"
  [[ "$status" == "$1" ]] || fail "POST /predict with $2 answered $status, wanted $1: $(head -c 300 "$WORK/answer.json")"
}
echo '{"hour": ' > "$WORK/malformed.json"
PREDICT="job=\"lakepipe-serving\",endpoint=\"predict\""
for _ in $(seq 1 10); do post 200 "$WORK/one.json" "$WORK/auth.header"; done
post 200 "$WORK/batch.json" "$WORK/auth.header"
post 400 "$WORK/malformed.json" "$WORK/auth.header"
wait_for_value "sum(lakepipe_serving_requests_total{$PREDICT})" ". == 12" >/dev/null
for _ in $(seq 1 10); do post 200 "$WORK/one.json" "$WORK/auth.header"; done
for _ in 1 2; do post 400 "$WORK/malformed.json" "$WORK/auth.header"; done
post 401 "$WORK/one.json"
wait_for_value "sum(lakepipe_serving_requests_total{$PREDICT})" ". == 25" >/dev/null
# Two scrapes after the second burst, so that even its new series (the 401) have a rate; a
# fractional now, so that the instant queries at T_SERVING see those scrapes.
wait_for_value "min(count_over_time(lakepipe_serving_requests_total{$PREDICT}[1m]))" ". >= 2" >/dev/null
T_SERVING="$(date +%s.%3N)"
[[ "$(value_of "sum(lakepipe_serving_requests_total{$PREDICT,status=\"200\"})")" == 21 ]] || fail "not 21 answers 200 in Prometheus"
[[ "$(value_of "sum(lakepipe_serving_requests_total{$PREDICT,status=\"400\"})")" == 3 ]] || fail "not 3 answers 400 in Prometheus"
[[ "$(value_of "sum(lakepipe_serving_requests_total{$PREDICT,status=\"401\"})")" == 1 ]] || fail "not 1 answer 401 in Prometheus"
[[ "$(value_of "sum(lakepipe_serving_errors_total{$PREDICT})")" == 4 ]] || fail "not 4 errors in Prometheus"
[[ "$(value_of "sum(lakepipe_serving_rows_scored_total{job=\"lakepipe-serving\"})")" == 25 ]] || fail "not 25 rows scored in Prometheus"
reasons="$(promql "sum by (reason) (lakepipe_serving_errors_total{$PREDICT})" | jq -r 'map("\(.metric.reason)=\(.value[1])") | join(", ")')"
echo "scorer in Prometheus: 25 requests to /predict (21 x 200, 3 x 400, 1 x 401), 25 rows scored; errors: $reasons"

# --- the Spark cluster's own metrics, and every target -------------------------------------------
[[ "$(value_of 'max(metrics_master_aliveWorkers_Value{job="spark-master"})')" == "${#WORKER_UI_PORTS[@]}" ]] \
  || fail "the master's metrics do not say ${#WORKER_UI_PORTS[@]} alive workers"
[[ "$(value_of 'count(metrics_worker_coresFree_Value{job="spark-workers"})')" == "${#WORKER_UI_PORTS[@]}" ]] \
  || fail "not every worker's metrics (metrics_worker_coresFree_Value) are in Prometheus"
down="$(promql 'up{job!~"spark-driver|spark-executors"} == 0' | jq -r 'map("\(.metric.job) \(.metric.instance)") | join(", ")')"
[[ -z "$down" ]] || fail "targets down: $down"
targets="$(promql 'count by (job) (up{job!~"spark-driver|spark-executors"} == 1)' | jq -r 'map("\(.metric.job)=\(.value[1])") | join(", ")')"
echo "targets up: $targets (and spark-driver, spark-executors while the job ran)"
for job in prometheus pushgateway lakepipe-serving spark-master spark-applications spark-workers; do
  [[ "$targets" == *"$job="* ]] || fail "no $job target in Prometheus"
done

# --- the dashboard: structure, and every expression against this Prometheus ----------------------
"$PYTHON" "$LAKEPIPE_HOME/infra/monitoring/check_dashboard.py" --prometheus "$PROM" --at "$T_JOB" --at "$T_SERVING" \
  || fail "the Grafana dashboard's check failed (above)"

# --- the token stays in its owner-only file ------------------------------------------------------
token_file="$STATE/monitoring-auth/serving.token"
[[ "$(stat -c '%a' "$token_file")" == 600 ]] || fail "$token_file is not mode 600"
# grep reads the token from a file (-f), so that it is not on grep's own command line either.
( umask 077; printf '%s\n' "$LAKEPIPE_SERVING_TOKEN" > "$WORK/token.pattern" )
leaks="$(grep -rlF -f "$WORK/token.pattern" "$STATE/logs" "$STATE/services/prometheus" "$STATE/services/pushgateway" 2>/dev/null || true)"
[[ -z "$leaks" ]] || fail "the serving token is in: $leaks"
curl -fsS "$PROM/api/v1/status/config" | grep -qF -f "$WORK/token.pattern" && fail "Prometheus' /api/v1/status/config shows the token"
cmdlines="$(grep -laF -f "$WORK/token.pattern" /proc/[0-9]*/cmdline 2>/dev/null || true)"
[[ -z "$cmdlines" ]] || fail "the serving token is on the command line of $cmdlines"
echo "token: only in $token_file (mode 600); not in the logs, Prometheus' data and config, or command lines"

echo "monitoring-test passed in $(elapsed "$T0")"
