#!/usr/bin/env bash
# A Spark standalone cluster on this machine, from the Spark that the pyspark wheel ships: one master
# and one worker per port in SPARK_WORKER_WEBUI_PORTS (two by default), all on $LAKEPIPE_BIND_HOST.
# Each process is a service of infra/lib/service.sh (spark-master, spark-worker-1, ...): its log in
# .lakepipe/logs/, its pid in .lakepipe/run/, a worker's work dir (drivers and executors, their
# stdout/stderr) in .lakepipe/services/spark-worker-<n>/work.
# Authentication and encryption: every process and application proves it holds the shared secret
# LAKEPIPE_SPARK_AUTH_SECRET (.lakepipe/secrets.env, from ./lakepipe setup), and RPC traffic is
# AES-encrypted. `start` writes the secret, from the environment, into two files readable only by
# their owner in .lakepipe/spark-auth/, so that it is on no command line (ps): daemon.conf, the
# --properties-file of the master and workers, and submit.jvmopts, a java @argfile for spark-submit
# (SPARK_SUBMIT_OPTS=@.../submit.jvmopts; config/spark-cluster.conf turns authentication on).
# Spark refuses its REST submission server when a secret is set, so it stays off.
# Healthy = the master's web UI (/json/) reports every worker ALIVE.
# Usage: infra/spark/cluster.sh start|stop|status|restart
source "$(dirname "${BASH_SOURCE[0]}")/../lib/service.sh"
source "$LAKEPIPE_HOME/infra/lib/spark-env.sh"

SPARK_MASTER_URL="spark://${LAKEPIPE_BIND_HOST}:${SPARK_MASTER_PORT}"
SPARK_MASTER_UI="http://${LAKEPIPE_BIND_HOST}:${SPARK_MASTER_WEBUI_PORT}"
SPARK_AUTH_DIR="$LAKEPIPE_STATE/spark-auth"
read -r -a WORKER_UI_PORTS <<< "$SPARK_WORKER_WEBUI_PORTS"
# Heap of the master and worker daemons themselves (drivers and executors get their own JVMs).
: "${SPARK_DAEMON_MEMORY:=512m}"
export SPARK_DAEMON_MEMORY

# Selects one process of the cluster: "master" or a worker's number (1, 2, ...).
select_process() {
  SPARK_PROCESS="$1"
  if [[ "$SPARK_PROCESS" == master ]]; then
    SERVICE_NAME=spark-master
    SERVICE_URL="$SPARK_MASTER_UI"
  else
    # shellcheck disable=SC2034  # read by infra/lib/service.sh's functions
    SERVICE_NAME="spark-worker-$SPARK_PROCESS"
    WORKER_UI_PORT="${WORKER_UI_PORTS[$((SPARK_PROCESS - 1))]}"
    SERVICE_URL="http://${LAKEPIPE_BIND_HOST}:${WORKER_UI_PORT}"
  fi
  service_paths
}

master_json() {
  curl -fsS --max-time 2 "$SPARK_MASTER_UI/json/" 2>/dev/null
}

service_start_command() {
  [[ -x "${SPARK_HOME:-}/bin/spark-class" ]] || {
    echo "Spark (the pyspark wheel) is not installed; run ./lakepipe setup" >&2; exit 1; }
  if [[ "$SPARK_PROCESS" == master ]]; then
    printf '%q ' exec "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.master.Master \
      --host "$LAKEPIPE_BIND_HOST" --port "$SPARK_MASTER_PORT" --webui-port "$SPARK_MASTER_WEBUI_PORT" \
      --properties-file "$SPARK_AUTH_DIR/daemon.conf"
  else
    # Every driver and executor folder holds a copy of the job jar (about 90 MB): folders of ended
    # applications and drivers are removed an hour after their last write (checked every 10 minutes).
    printf 'SPARK_WORKER_OPTS=%q ' "-Dspark.worker.cleanup.enabled=true \
-Dspark.worker.cleanup.appDataTtl=3600 -Dspark.worker.cleanup.interval=600"
    # Shuffle and block files on the shared disk: executors on one host name read each other's there
    # (Spark's host-local reads), which a /tmp of the worker's own would hide.
    mkdir -p "$SERVICE_DATA/local"
    printf 'SPARK_LOCAL_DIRS=%q ' "$SERVICE_DATA/local"
    worker_own_tmp
    printf '%q ' exec "${WORKER_LAUNCH[@]}" "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.worker.Worker \
      --host "$LAKEPIPE_BIND_HOST" --webui-port "$WORKER_UI_PORT" \
      --cores "$SPARK_WORKER_CORES" --memory "$SPARK_WORKER_MEMORY" \
      --work-dir "$SERVICE_DATA/work" --properties-file "$SPARK_AUTH_DIR/daemon.conf" "$SPARK_MASTER_URL"
  fi
}

# Each worker gets a /tmp of its own (an empty tmpfs in a mount namespace of its own, which its
# drivers and executors inherit), as each host of a real cluster has its own local disk: a path on the
# local disk of the driver's host is then not on the executors' hosts, on one machine too, so a job
# that hands one to Spark fails here as it would on a cluster. Everything the jobs share (the
# lakehouse, landing, config files, the workers' work and local folders) lives outside /tmp: the
# executors' shuffle files too (SPARK_LOCAL_DIRS), as the workers share one host name and Spark reads
# the shuffle files of an executor on the same host straight from its disk. As root, or in a
# user namespace of its own where the kernel allows that; where neither works, the workers share this
# machine's /tmp and say so in their log.
worker_own_tmp() {
  local mount='mount -t tmpfs -o size=2g,mode=1777 spark-worker-tmp /tmp' as
  WORKER_LAUNCH=()
  for as in "" "--user --map-root-user"; do
    # shellcheck disable=SC2086 # $as is a word list
    if unshare $as --mount --propagation private -- bash -c "$mount" 2>/dev/null; then
      # shellcheck disable=SC2206
      WORKER_LAUNCH=(unshare $as --mount --propagation private -- bash -c "$mount && exec \"\$@\"" spark-worker)
      return 0
    fi
  done
  echo "No mount namespace could be made: the workers share this machine's /tmp" >&2
}

# The master is healthy when its UI answers; a worker when the master lists it ALIVE.
service_health() {
  local state
  state="$(master_json)" || return 1
  [[ "$SPARK_PROCESS" == master ]] && return 0
  jq -e --arg ui "$SERVICE_URL" \
    'any(.workers[]; .webuiaddress == $ui and .state == "ALIVE")' <<< "$state" >/dev/null
}

cluster_healthy() {
  local alive
  alive="$(master_json | jq -r '.aliveworkers')" 2>/dev/null || return 1
  [[ "$alive" == "${#WORKER_UI_PORTS[@]}" ]]
}

# The secret's files, rewritten at every start (a new secret in secrets.env takes effect on restart).
write_auth_files() {
  [[ -n "${LAKEPIPE_SPARK_AUTH_SECRET:-}" ]] || {
    echo "LAKEPIPE_SPARK_AUTH_SECRET is not set: run ./lakepipe setup (it adds it to .lakepipe/secrets.env)" >&2
    return 1; }
  (
    umask 077
    mkdir -p "$SPARK_AUTH_DIR"
    chmod 700 "$SPARK_AUTH_DIR"
    # Workers hand the secret to the executors and drivers they start through their environment.
    cat > "$SPARK_AUTH_DIR/daemon.conf" <<CONF
spark.authenticate                 true
spark.authenticate.secret          $LAKEPIPE_SPARK_AUTH_SECRET
spark.network.crypto.enabled       true
spark.master.rest.enabled          false
# Prometheus metrics on the web UIs (scraped by infra/monitoring/prometheus.sh): the workers' on
# /metrics/prometheus, the master's on /metrics/master/prometheus and its applications' on
# /metrics/applications/prometheus.
spark.metrics.conf.*.sink.prometheusServlet.class  org.apache.spark.metrics.sink.PrometheusServlet
spark.metrics.conf.*.sink.prometheusServlet.path   /metrics/prometheus
spark.metrics.conf.master.sink.prometheusServlet.path        /metrics/master/prometheus
spark.metrics.conf.applications.sink.prometheusServlet.path  /metrics/applications/prometheus
CONF
    echo "-Dspark.authenticate.secret=$LAKEPIPE_SPARK_AUTH_SECRET" > "$SPARK_AUTH_DIR/submit.jvmopts"
  )
}

cluster_start() {
  mkdir -p "$SPARK_EVENTS_DIR"
  write_auth_files
  select_process master
  service_start
  for n in $(seq 1 "${#WORKER_UI_PORTS[@]}"); do
    select_process "$n"
    service_start
  done
  cluster_healthy || { echo "The master does not report ${#WORKER_UI_PORTS[@]} ALIVE workers" >&2; return 1; }
  echo "Spark cluster is up: $SPARK_MASTER_URL, UI $SPARK_MASTER_UI"
}

cluster_stop() {
  for n in $(seq "${#WORKER_UI_PORTS[@]}" -1 1); do
    select_process "$n"
    service_stop
  done
  select_process master
  service_stop
}

cluster_status() {
  local rc=0
  for process in master $(seq 1 "${#WORKER_UI_PORTS[@]}"); do
    select_process "$process"
    service_status || rc=$?
  done
  if master_json >/dev/null; then
    echo "Master $SPARK_MASTER_URL ($SPARK_MASTER_UI/json/):"
    master_json | jq '{status, aliveworkers, cores, coresused, memory, memoryused,
      workers: [.workers[] | {id, webuiaddress, state, cores, memory}],
      activeapps: [.activeapps[] | {id, name, state}], activedrivers: [.activedrivers[] | {id, state}],
      completedapps: (.completedapps | length), completeddrivers: (.completeddrivers | length)}'
    cluster_healthy || { echo "Not healthy: fewer than ${#WORKER_UI_PORTS[@]} ALIVE workers" >&2; rc=1; }
  fi
  return "$rc"
}

case "${1:-}" in
  start) cluster_start ;;
  stop) cluster_stop ;;
  status) cluster_status ;;
  restart) cluster_stop; cluster_start ;;
  *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac
