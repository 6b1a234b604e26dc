#!/usr/bin/env bash
# Events per second of the Kafka ingest: lakepipe's (all checks, exactly once) against a plain
# Spark Kafka-to-Delta stream, same topic, same JVM. Publishes the events once (default 500000).
# Needs the job jar and tools.jar, which publishes the events (./lakepipe setup), and the broker
# (./lakepipe services start).
# Usage: bench/kafka-ingest/run.sh [events]
# shellcheck disable=SC2034  # read by ../lib.sh, sourced below
BENCH_WITH_TOOLS=1
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
EVENTS="${1:-500000}"
WORK="$LAKEPIPE_HOME/.lakepipe/bench/kafka-ingest"
"$LAKEPIPE_HOME/infra/kafka/kafka.sh" status >/dev/null \
  || { echo "The Kafka broker is not running: ./lakepipe services start" >&2; exit 1; }
rm -rf "$WORK"/plain-* "$WORK"/lakepipe-*
run_bench kafka-ingest io.lakepipe.bench.KafkaIngestBench "$LAKEPIPE_CONFIG" "$EVENTS" "$WORK" \
  2> >(grep -E "ERROR|Exception|error:|KafkaBatchWriter|JobRunner" >&2)
