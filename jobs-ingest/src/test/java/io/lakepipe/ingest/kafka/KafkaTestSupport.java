// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.kafka;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.to_json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;

/**
 * The real broker of the local stack, as {@code infra/kafka/kafka.sh} runs it ({@code ./lakepipe
 * test} starts it before {@code mvn verify}), and real flight events to publish to it.
 */
final class KafkaTestSupport {
  static final String BOOTSTRAP =
      System.getProperty(
          "kafka.bootstrap",
          System.getenv().getOrDefault("LAKEPIPE_KAFKA_BOOTSTRAP", "127.0.0.1:9092"));

  private KafkaTestSupport() {}

  /** Fails the test class with what to do when the broker does not answer. */
  static void requireBroker() {
    Properties props = new Properties();
    props.putAll(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            BOOTSTRAP,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
            "5000",
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
            "10000"));
    try (Admin admin = Admin.create(props)) {
      admin.describeCluster().nodes().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      fail(
          "The Kafka broker at "
              + BOOTSTRAP
              + " does not answer ("
              + e
              + "). These integration"
              + " tests need the real broker: start it with `infra/kafka/kafka.sh start` or"
              + " `./lakepipe services start` (./lakepipe test does it for you).");
    }
  }

  /** A fresh topic, so that tests never see each other's events. */
  static String newTopic(String prefix) {
    return newTopic(BOOTSTRAP, prefix);
  }

  static String newTopic(String bootstrap, String prefix) {
    String topic = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    assertThat(KafkaTopics.ensureExists(bootstrap, topic, 2)).isTrue();
    return topic;
  }

  /**
   * The first {@code count} flights of a real day of flights-3m as events, in event-id order: the
   * JSON of the flight-events source, keyed by an id of the day and the flight's rank in it.
   */
  static List<TestEventPublisher.Message> realEvents(
      SparkSession spark, Path home, LocalDate day, int count) {
    Path flights = home.resolve(".lakepipe/data/flights-3m.parquet");
    assertThat(flights).as("the flights data set; run ./lakepipe setup").exists();
    Column rank =
        row_number()
            .over(
                Window.orderBy(
                    col("date"), col("origin"), col("destination"), col("delay"), col("distance")));
    List<Row> rows =
        spark
            .read()
            .parquet(flights.toString())
            .where(to_date(col("date")).equalTo(java.sql.Date.valueOf(day)))
            .withColumn("event_id", format_string("%s-%06d", lit(day.toString()), rank))
            .orderBy("event_id")
            .limit(count)
            .select(
                col("event_id"),
                to_json(
                    struct(
                        col("event_id"),
                        date_format(col("date"), "yyyy-MM-dd'T'HH:mm:ss").as("date"),
                        col("delay"),
                        col("distance"),
                        col("origin"),
                        col("destination"))))
            .collectAsList();
    assertThat(rows).hasSize(count);
    return rows.stream()
        .map(r -> TestEventPublisher.Message.json(r.getString(0), r.getString(1)))
        .toList();
  }

  static long publish(String topic, List<TestEventPublisher.Message> messages, double rate) {
    return publish(BOOTSTRAP, topic, messages, rate);
  }

  static long publish(
      String bootstrap, String topic, List<TestEventPublisher.Message> messages, double rate) {
    return TestEventPublisher.publish(bootstrap, topic, messages, rate);
  }

  /**
   * A broker of a test's own: {@code infra/kafka/kafka.sh} under another service name, on free
   * loopback ports, so that a test may stop it while the shared broker serves every other suite.
   */
  record OwnBroker(Path home, String name, int port, int controllerPort) {
    static OwnBroker start(Path home, String name) {
      // A fresh storage each time: the last run's topics and cluster id are of no use.
      org.apache.commons.io.FileUtils.deleteQuietly(
          home.resolve(".lakepipe/services").resolve(name).toFile());
      OwnBroker broker = new OwnBroker(home, name, freePort(), freePort());
      broker.script("start");
      return broker;
    }

    String bootstrap() {
      return "127.0.0.1:" + port;
    }

    void script(String action) {
      kafkaScript(
          home,
          action,
          Map.of(
              "KAFKA_SERVICE_NAME",
              name,
              "KAFKA_PORT",
              String.valueOf(port),
              "KAFKA_CONTROLLER_PORT",
              String.valueOf(controllerPort)));
    }

    private static int freePort() {
      try (java.net.ServerSocket socket =
          new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Runs {@code infra/kafka/kafka.sh <action>} of the checkout and fails on a non-zero exit. */
  static void kafkaScript(Path home, String action) {
    kafkaScript(home, action, Map.of());
  }

  static void kafkaScript(Path home, String action, Map<String, String> environment) {
    try {
      Path log = Files.createTempFile("kafka-sh-", ".log");
      ProcessBuilder builder =
          new ProcessBuilder(home.resolve("infra/kafka/kafka.sh").toString(), action)
              .directory(home.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      builder.environment().putAll(environment);
      Process process = builder.start();
      if (!process.waitFor(180, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail("infra/kafka/kafka.sh " + action + " did not finish in 180 s");
      }
      if (process.exitValue() != 0) {
        fail(
            "infra/kafka/kafka.sh "
                + action
                + " exited "
                + process.exitValue()
                + ": "
                + Files.readString(log, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
