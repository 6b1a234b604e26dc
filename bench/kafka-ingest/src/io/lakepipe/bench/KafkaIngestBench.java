// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.bench;

import io.lakepipe.core.cli.JobRunner;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.spark.SparkSessions;
import io.lakepipe.ingest.kafka.IngestKafka;
import io.lakepipe.ingest.kafka.KafkaTopics;
import io.lakepipe.tools.kafka.FlightEventPublisher;
import io.lakepipe.tools.kafka.FlightEvents;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.Trigger;

/**
 * Events per second of the lakepipe flight-events ingest (AvailableNow: parsing, validation,
 * quarantine, exactly-once MERGEs, audit row) and of a plain Spark Kafka-to-Delta stream with no
 * checks, on the same topic, in the same JVM, one after the other. Publishes the events once.
 *
 * <p>Usage: {@code bench/kafka-ingest/run.sh [events]}.
 */
public final class KafkaIngestBench {
  private static final String TOPIC = "lakepipe.bench.flight-events";

  private KafkaIngestBench() {}

  public static void main(String[] args) throws Exception {
    LakepipeConfig base = LakepipeConfig.load(Path.of(args[0]));
    long events = Long.parseLong(args[1]);
    Path work = Path.of(args[2]);
    String bootstrap = base.string("sources.flight-events.bootstrap-servers");
    try (SparkSession spark = SparkSessions.create("lakepipe-bench-kafka-ingest", base)) {
      long held = publishOnce(spark, base, bootstrap, events);
      // Warm-up: read the whole topic once, so neither measurement pays for the first Kafka reads.
      long warm =
          spark
              .read()
              .format("kafka")
              .option("kafka.bootstrap.servers", bootstrap)
              .option("subscribe", TOPIC)
              .load()
              .count();
      System.out.printf("topic %s holds %d events (warm-up read %d)%n", TOPIC, held, warm);

      Path plainDir = work.resolve("plain-" + UUID.randomUUID());
      long started = System.nanoTime();
      spark
          .readStream()
          .format("kafka")
          .option("kafka.bootstrap.servers", bootstrap)
          .option("subscribe", TOPIC)
          .option("startingOffsets", "earliest")
          .option(
              "maxOffsetsPerTrigger",
              base.longValue("sources.flight-events.max-offsets-per-trigger"))
          .load()
          .selectExpr("key", "value", "topic", "partition", "offset", "timestamp")
          .writeStream()
          .format("delta")
          .option("checkpointLocation", plainDir.resolve("_checkpoint").toString())
          .trigger(Trigger.AvailableNow())
          .start(plainDir.resolve("table").toString())
          .awaitTermination();
      double plainSeconds = (System.nanoTime() - started) / 1e9;
      long plainRows =
          spark.read().format("delta").load(plainDir.resolve("table").toString()).count();

      Path lakepipeDir = work.resolve("lakepipe-" + UUID.randomUUID());
      Map<String, Object> overrides = new HashMap<>();
      overrides.put("lakepipe.lakehouse", lakepipeDir.toString());
      overrides.put("lakepipe.sources.flight-events.topic", TOPIC);
      overrides.put("lakepipe.sources.flight-events.bootstrap-servers", bootstrap);
      overrides.put("lakepipe.sources.flight-events.trigger", "available-now");
      LakepipeConfig config = LakepipeConfig.load(Path.of(args[0]), overrides);
      started = System.nanoTime();
      JobResult result =
          JobRunner.runAudited(
              "ingest-kafka:flight-events",
              IngestKafka.of("flight-events"),
              JobContext.of(
                  spark, config, LocalDate.of(2001, 1, 31), UUID.randomUUID().toString()));
      double lakepipeSeconds = (System.nanoTime() - started) / 1e9;

      double plainRate = plainRows / plainSeconds;
      double lakepipeRate = result.rowsRead() / lakepipeSeconds;
      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "plain Kafka->Delta stream : %8d events in %6.1f s = %8.0f events/s%n",
          plainRows,
          plainSeconds,
          plainRate);
      System.out.printf(
          Locale.ROOT,
          "lakepipe ingest-kafka     : %8d events in %6.1f s = %8.0f events/s"
              + " (%d to bronze, %d quarantined)%n",
          result.rowsRead(),
          lakepipeSeconds,
          lakepipeRate,
          result.rowsWritten(),
          result.rowsQuarantined());
      System.out.printf(
          Locale.ROOT, "ratio lakepipe / plain    : %.2f%n", lakepipeRate / plainRate);
      Files.writeString(
          work.resolve("last-result.txt"),
          String.format(
              Locale.ROOT,
              "plain=%.0f lakepipe=%.0f ratio=%.2f events=%d%n",
              plainRate,
              lakepipeRate,
              lakepipeRate / plainRate,
              plainRows),
          StandardCharsets.UTF_8);
    }
  }

  /** Publishes the first {@code events} flights of 2001 once; later runs find them in the topic. */
  private static long publishOnce(
      SparkSession spark, LakepipeConfig config, String bootstrap, long events) {
    KafkaTopics.ensureExists(bootstrap, TOPIC, config.integer("sources.flight-events.partitions"));
    long held =
        spark
            .read()
            .format("kafka")
            .option("kafka.bootstrap.servers", bootstrap)
            .option("subscribe", TOPIC)
            .load()
            .count();
    if (held >= events) {
      return held;
    }
    if (held > 0) {
      throw new IllegalStateException(
          "Topic "
              + TOPIC
              + " holds "
              + held
              + " events, fewer than "
              + events
              + ": delete it or ask for at most "
              + held);
    }
    Dataset<Row> rows =
        FlightEvents.fromFlights(
                FlightEvents.filterDays(
                    spark.read().parquet(config.string("demo.flights-data")),
                    LocalDate.of(2001, 1, 1),
                    LocalDate.of(2001, 6, 30)))
            .orderBy("event_id")
            .limit((int) events)
            .cache();
    Iterator<Row> it = rows.toLocalIterator();
    Iterator<FlightEventPublisher.Message> messages =
        new Iterator<>() {
          @Override
          public boolean hasNext() {
            return it.hasNext();
          }

          @Override
          public FlightEventPublisher.Message next() {
            Row row = it.next();
            return FlightEventPublisher.Message.json(row.getString(0), row.getString(1));
          }
        };
    try (FlightEventPublisher publisher = new FlightEventPublisher(bootstrap, TOPIC)) {
      return publisher.publish(messages, events, 0, System.out);
    } finally {
      rows.unpersist();
    }
  }
}
