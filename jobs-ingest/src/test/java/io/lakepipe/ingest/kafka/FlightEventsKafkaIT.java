// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.kafka;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.cli.JobRunner;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flight-events ingest against the real Kafka broker of the local stack, with real Delta tables
 * in a temporary lakehouse: every event lands in bronze once, poison messages land in quarantine
 * with their reason, counts reconcile, and reruns add nothing.
 */
class FlightEventsKafkaIT extends SparkTestBase {
  private static final LocalDate DS = LocalDate.of(2001, 1, 15);
  private static final String GOOD =
      "{\"event_id\":\"p-%s\",\"date\":\"2001-01-15T08:30:00\","
          + "\"delay\":%s,\"distance\":2176,\"origin\":\"LAS\",\"destination\":\"PHL\"}";

  @TempDir Path home;

  @BeforeAll
  static void brokerIsUp() {
    KafkaTestSupport.requireBroker();
  }

  private LakepipeConfig config(String topic, Map<String, Object> extra) {
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("lakepipe.sources.flight-events.bootstrap-servers", KafkaTestSupport.BOOTSTRAP);
    overrides.put("lakepipe.sources.flight-events.topic", topic);
    // Three micro-batches for the 2,026 messages of the first test: the 20 repeated events come in
    // the last, after their first copies were written by the first.
    overrides.put("lakepipe.sources.flight-events.max-offsets-per-trigger", 1000);
    overrides.put("lakepipe.sources.flight-events.trigger", "available-now");
    overrides.putAll(extra);
    return testConfig(home, overrides);
  }

  private static JobResult ingest(LakepipeConfig config) {
    return JobRunner.runAudited(
        "ingest-kafka:flight-events",
        IngestKafka.of("flight-events"),
        JobContext.of(spark, config, DS, UUID.randomUUID().toString()));
  }

  private static Dataset<Row> table(LakepipeConfig config, String name) {
    return spark.read().format("delta").load(config.tablePath(name));
  }

  private static List<TestEventPublisher.Message> poison() {
    List<TestEventPublisher.Message> poison = new ArrayList<>();
    poison.add(new TestEventPublisher.Message("p-null", null));
    poison.add(new TestEventPublisher.Message("p-bytes", new byte[] {(byte) 0xC3, 0x28, '{'}));
    poison.add(TestEventPublisher.Message.json("p-text", "delayed flight LAS-PHL"));
    poison.add(TestEventPublisher.Message.json("p-keys", "{\"event_id\":\"p-keys\"}"));
    poison.add(TestEventPublisher.Message.json("p-type", String.format(GOOD, "type", "\"late\"")));
    poison.add(TestEventPublisher.Message.json("p-rule", String.format(GOOD, "rule", "-1116")));
    return poison;
  }

  @Test
  void availableNowRunWritesEachEventOnceQuarantinesPoisonAndRerunsAddNothing() {
    String topic = KafkaTestSupport.newTopic("it-flight-events");
    LakepipeConfig config = config(topic, Map.of());
    List<TestEventPublisher.Message> events =
        KafkaTestSupport.realEvents(spark, lakepipeHome(), DS, 2000);
    List<TestEventPublisher.Message> sent = new ArrayList<>(events);
    sent.addAll(3, poison());
    // The producer sending some events twice (a retry from another producer session) must not
    // matter.
    sent.addAll(events.subList(100, 120));
    KafkaTestSupport.publish(topic, sent, 0);

    JobResult first = ingest(config);

    assertThat(first.rowsRead()).isEqualTo(2026);
    assertThat(first.rowsQuarantined()).isEqualTo(6);
    assertThat(first.rowsWritten()).isEqualTo(2020);
    assertThat(first.rowsRead()).isEqualTo(first.rowsWritten() + first.rowsQuarantined());
    assertThat(first.source()).isEqualTo("kafka://" + KafkaTestSupport.BOOTSTRAP + "/" + topic);
    assertThat(first.summary()).contains("2000 new records, 20 already there");
    Dataset<Row> bronze = table(config, "bronze-flight-events");
    assertThat(bronze.count()).isEqualTo(2000);
    assertThat(bronze.select("event_id").distinct().count()).isEqualTo(2000);
    assertThat(bronze.select("event_id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList())
        .containsExactlyInAnyOrderElementsOf(
            events.stream().map(TestEventPublisher.Message::key).toList());
    assertThat(bronze.where(col("ds").notEqual(java.sql.Date.valueOf(DS))).count()).isZero();
    assertThat(
            bronze
                .where(
                    col("_source")
                        .notEqual("kafka")
                        .or(
                            col("_source_location")
                                .rlike("^" + topic + "/[01]/[0-9]+$")
                                .unary_$bang()))
                .count())
        .isZero();
    Map<String, String> reasons = new HashMap<>();
    for (Row row : table(config, "quarantine-flight-events").collectAsList()) {
      reasons.put(String.valueOf(row.<String>getAs("raw_record")), row.getAs("reason"));
    }
    assertThat(reasons)
        .containsOnly(
            Map.entry("null", "value is null"),
            Map.entry("base64:wyh7", "value is not valid UTF-8"),
            Map.entry("delayed flight LAS-PHL", "value is not a JSON object"),
            Map.entry(
                "{\"event_id\":\"p-keys\"}",
                "missing date; missing delay; missing distance; missing origin; missing destination"),
            Map.entry(String.format(GOOD, "type", "\"late\""), "delay is not an integer: 'late'"),
            Map.entry(String.format(GOOD, "rule", "-1116"), "delay outside [-180, 1800] minutes"));
    Row audit =
        spark
            .read()
            .format("delta")
            .load(config.tablePath("audit-runs"))
            .where(col("status").equalTo("SUCCEEDED"))
            .head();
    assertThat(audit.<String>getAs("job")).isEqualTo("ingest-kafka:flight-events");
    assertThat(audit.<Long>getAs("rows_read")).isEqualTo(2026L);
    assertThat(audit.<Long>getAs("rows_written")).isEqualTo(2020L);
    assertThat(audit.<Long>getAs("rows_quarantined")).isEqualTo(6L);
    assertThat(audit.getJavaMap(audit.fieldIndex("versions_written")))
        .containsOnlyKeys(
            config.tablePath("bronze-flight-events"), config.tablePath("quarantine-flight-events"));

    long bronzeVersion =
        spark
            .sql(
                "DESCRIBE HISTORY delta.`" + config.tablePath("bronze-flight-events") + "` LIMIT 1")
            .head()
            .getLong(0);
    JobResult rerun = ingest(config);

    assertThat(rerun.rowsRead()).isZero();
    assertThat(rerun.versionsWritten()).isEmpty();
    assertThat(
            spark
                .sql(
                    "DESCRIBE HISTORY delta.`"
                        + config.tablePath("bronze-flight-events")
                        + "` LIMIT 1")
                .head()
                .getLong(0))
        .isEqualTo(bronzeVersion);

    // Replaying the whole topic content again (a producer replaying a day) adds no row either.
    KafkaTestSupport.publish(topic, sent, 0);
    JobResult replayed = ingest(config);

    assertThat(replayed.rowsRead()).isEqualTo(2026);
    assertThat(replayed.rowsRead()).isEqualTo(replayed.rowsWritten() + replayed.rowsQuarantined());
    assertThat(replayed.summary()).contains("0 new records");
    assertThat(table(config, "bronze-flight-events").count()).isEqualTo(2000);
    assertThat(table(config, "quarantine-flight-events").count()).isEqualTo(12);
  }

  /**
   * The gate holds on retries: the first run fails, and its audit row holds what it wrote; the
   * retry finds the checkpoint past every event, yet fails the same way, until the limit is raised.
   */
  @Test
  void aFailedBadShareGateStaysFailedOnRetryUntilTheLimitIsRaised() {
    String topic = KafkaTestSupport.newTopic("it-flight-events-bad");
    LakepipeConfig strict =
        config(topic, Map.of("lakepipe.sources.flight-events.max-bad-share", 0.1));
    List<TestEventPublisher.Message> sent =
        new ArrayList<>(KafkaTestSupport.realEvents(spark, lakepipeHome(), DS, 30));
    sent.addAll(poison());
    KafkaTestSupport.publish(topic, sent, 0);

    assertThatThrownBy(() -> ingest(strict))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("Quarantined 6 of 36 rows of kafka://")
        .hasMessageContaining("above the allowed 10.00%");
    assertThat(table(strict, "bronze-flight-events").count()).isEqualTo(30);
    assertThat(table(strict, "quarantine-flight-events").count()).isEqualTo(6);

    // The retry (an Airflow retry runs the same command) reads nothing new, and still fails.
    assertThatThrownBy(() -> ingest(strict))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("Quarantined 6 of 36 rows of kafka://")
        .hasMessageContaining("counting the 1 failed run(s) of this date")
        .hasMessageContaining("raise lakepipe.sources.flight-events.max-bad-share");

    // The operator accepts the date by raising the limit; after that success, the strict limit
    // holds nothing against it any more.
    LakepipeConfig raised =
        config(topic, Map.of("lakepipe.sources.flight-events.max-bad-share", 0.2));
    assertThat(ingest(raised).rowsRead()).isZero();
    assertThat(ingest(strict).rowsRead()).isZero();

    List<Row> audit =
        spark
            .read()
            .format("delta")
            .load(strict.tablePath("audit-runs"))
            .orderBy("started_at")
            .collectAsList();
    assertThat(audit)
        .extracting(row -> row.<String>getAs("status"))
        .containsExactly("FAILED", "FAILED", "SUCCEEDED", "SUCCEEDED");
    Row first = audit.get(0);
    assertThat(
            List.of(
                first.<Long>getAs("rows_read"),
                first.<Long>getAs("rows_written"),
                first.<Long>getAs("rows_quarantined")))
        .containsExactly(36L, 30L, 6L);
    assertThat(first.<String>getAs("source")).startsWith("kafka://");
    assertThat(
            first
                .<scala.collection.Map<String, Long>>getAs("versions_written")
                .keySet()
                .toList()
                .mkString(","))
        .contains(strict.tablePath("bronze-flight-events"))
        .contains(strict.tablePath("quarantine-flight-events"));
    Row retry = audit.get(1);
    assertThat(List.of(retry.<Long>getAs("rows_read"), retry.<Long>getAs("rows_quarantined")))
        .containsExactly(0L, 0L);
  }

  @Test
  void anEventSentAgainWithAnotherDateLandsOnce() {
    String topic = KafkaTestSupport.newTopic("it-flight-events-redated");
    LakepipeConfig config = config(topic, Map.of());
    KafkaTestSupport.publish(
        topic, List.of(TestEventPublisher.Message.json("p-1", String.format(GOOD, "1", "5"))), 0);
    assertThat(ingest(config).rowsWritten()).isEqualTo(1);

    // The same event id again, dated the next day: already in bronze, under its first date.
    KafkaTestSupport.publish(
        topic,
        List.of(
            TestEventPublisher.Message.json(
                "p-1", String.format(GOOD, "1", "5").replace("2001-01-15T", "2001-01-16T"))),
        0);
    JobResult again = ingest(config);

    assertThat(again.summary()).contains("0 new records, 1 already there");
    assertThat(table(config, "bronze-flight-events").collectAsList())
        .extracting(row -> row.<String>getAs("event_id") + "@" + row.<java.sql.Date>getAs("ds"))
        .containsExactly("p-1@2001-01-15");
  }

  @Test
  void poisonAfterTheTopicWasCreatedAgainIsQuarantinedBesideTheOld() throws Exception {
    String topic = KafkaTestSupport.newTopic("it-flight-events-recreated");
    Map<String, Object> onlyPoison = Map.of("lakepipe.sources.flight-events.max-bad-share", 1.0);
    LakepipeConfig config = config(topic, onlyPoison);
    KafkaTestSupport.publish(
        topic, List.of(TestEventPublisher.Message.json("p-old", "old junk")), 0);
    assertThat(ingest(config).rowsQuarantined()).isEqualTo(1);

    try (org.apache.kafka.clients.admin.Admin admin =
        org.apache.kafka.clients.admin.Admin.create(
            Map.of("bootstrap.servers", KafkaTestSupport.BOOTSTRAP))) {
      admin.deleteTopics(List.of(topic)).all().get();
      for (int attempt = 0;
          admin.listTopics().names().get().contains(topic) && attempt < 100;
          attempt++) {
        Thread.sleep(100);
      }
    }
    assertThat(KafkaTopics.ensureExists(KafkaTestSupport.BOOTSTRAP, topic, 2)).isTrue();
    // The same partition and offset as the old message, other content; a new checkpoint, as an
    // operator starts one after recreating the topic.
    KafkaTestSupport.publish(
        topic, List.of(TestEventPublisher.Message.json("p-old", "new junk")), 0);
    LakepipeConfig restarted =
        config(
            topic,
            Map.of(
                "lakepipe.sources.flight-events.checkpoint",
                home.resolve("checkpoint-after-recreate").toString(),
                "lakepipe.sources.flight-events.max-bad-share",
                1.0));

    assertThat(ingest(restarted).rowsQuarantined()).isEqualTo(1);
    assertThat(
            table(config, "quarantine-flight-events")
                .select("raw_record")
                .as(org.apache.spark.sql.Encoders.STRING())
                .collectAsList())
        .containsExactlyInAnyOrder("old junk", "new junk");
  }

  @Test
  void aMissingTopicIsAClearError() {
    LakepipeConfig config = config("no-such-topic-" + UUID.randomUUID(), Map.of());

    assertThatThrownBy(() -> ingest(config))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("does not exist")
        .hasMessageContaining("./lakepipe replay");
  }
}
