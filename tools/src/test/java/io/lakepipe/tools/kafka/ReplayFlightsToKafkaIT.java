// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.tools.kafka;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.to_date;
import static org.assertj.core.api.Assertions.assertThat;

import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.cli.JobRunner;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.ingest.kafka.IngestKafka;
import io.lakepipe.ingest.kafka.KafkaTopics;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replay against the real Kafka broker of the local stack ({@code ./lakepipe test} starts it),
 * read back by the real ingest into a temporary lakehouse: every flight of the day arrives once.
 */
class ReplayFlightsToKafkaIT extends SparkTestBase {
  private static final String BOOTSTRAP =
      System.getProperty(
          "kafka.bootstrap",
          System.getenv().getOrDefault("LAKEPIPE_KAFKA_BOOTSTRAP", "127.0.0.1:9092"));
  private static final LocalDate DS = LocalDate.of(2001, 1, 15);

  @TempDir Path home;

  @Test
  void replayPublishesARealDayWithStableEventIds() {
    // A fresh topic, so that no other test's events are read; it fails clearly without a broker.
    String topic = "it-replay-" + UUID.randomUUID().toString().substring(0, 8);
    assertThat(KafkaTopics.ensureExists(BOOTSTRAP, topic, 2)).isTrue();
    String flightsData = lakepipeHome().resolve(".lakepipe/data/flights-3m.parquet").toString();
    // The whole day in one micro-batch, as the daily job's default reads it.
    LakepipeConfig config =
        testConfig(
            home,
            Map.of(
                "lakepipe.sources.flight-events.bootstrap-servers", BOOTSTRAP,
                "lakepipe.sources.flight-events.topic", topic,
                "lakepipe.sources.flight-events.max-offsets-per-trigger", 100_000,
                "lakepipe.sources.flight-events.trigger", "available-now",
                "lakepipe.demo.flights-data", flightsData));

    long sent = ReplayFlightsToKafka.replay(spark, config, DS, DS, 0);
    JobResult result =
        JobRunner.runAudited(
            "ingest-kafka:flight-events",
            IngestKafka.of("flight-events"),
            JobContext.of(spark, config, DS, UUID.randomUUID().toString()));

    long flightsThatDay =
        spark
            .read()
            .parquet(flightsData)
            .where(to_date(col("date")).equalTo(java.sql.Date.valueOf(DS)))
            .count();
    assertThat(sent).isEqualTo(flightsThatDay).isGreaterThan(10_000);
    assertThat(result.rowsRead()).isEqualTo(sent);
    assertThat(result.rowsRead()).isEqualTo(result.rowsWritten() + result.rowsQuarantined());
    assertThat(spark.read().format("delta").load(config.tablePath("bronze-flight-events")).count())
        .isEqualTo(result.rowsWritten());
  }
}
