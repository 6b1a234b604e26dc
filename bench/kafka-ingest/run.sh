#!/usr/bin/env bash
# Events per second of the Kafka ingest: lakepipe's (all checks, exactly once) against a plain
# Spark Kafka-to-Delta stream, same topic, same JVM. Publishes the events once (default 500000).
# Needs the job jar (./lakepipe setup) and the broker (./lakepipe services start).
# Usage: bench/kafka-ingest/run.sh [events]
set -euo pipefail
LAKEPIPE_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export LAKEPIPE_HOME
source "$LAKEPIPE_HOME/config/services.env"
source "$LAKEPIPE_HOME/infra/lib/spark-env.sh"
EVENTS="${1:-500000}"
JOB_JAR="$LAKEPIPE_HOME/jobs-ingest/target/jobs-ingest.jar"
WORK="$LAKEPIPE_HOME/.lakepipe/bench/kafka-ingest"
BUILD="$WORK/build"
[[ -f "$JOB_JAR" ]] || { echo "Build the job jar first: ./lakepipe setup" >&2; exit 1; }
"$LAKEPIPE_HOME/infra/kafka/kafka.sh" status >/dev/null \
  || { echo "The Kafka broker is not running: ./lakepipe services start" >&2; exit 1; }

rm -rf "$BUILD" "$WORK"/plain-* "$WORK"/lakepipe-*
mkdir -p "$BUILD/classes"
javac -nowarn -d "$BUILD/classes" -cp "$SPARK_HOME/jars/*:$JOB_JAR" \
  "$LAKEPIPE_HOME/bench/kafka-ingest/src/io/lakepipe/bench/KafkaIngestBench.java"
jar cf "$BUILD/bench.jar" -C "$BUILD/classes" .

"$LAKEPIPE_HOME/.lakepipe/venv-airflow/bin/spark-submit" \
  --master "local[2]" \
  --properties-file "$LAKEPIPE_HOME/config/spark-defaults.conf" \
  --jars "$JOB_JAR" \
  --class io.lakepipe.bench.KafkaIngestBench \
  "$BUILD/bench.jar" "${LAKEPIPE_CONFIG:-$LAKEPIPE_HOME/config/local.conf}" "$EVENTS" "$WORK" \
  2> >(grep -E "ERROR|Exception|FlightEventsBatchWriter|JobRunner" >&2)
