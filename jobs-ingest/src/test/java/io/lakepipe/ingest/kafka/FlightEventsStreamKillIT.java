// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.cli.JobRunner;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.config.TestConfigs;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Encoders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill and rerun: the ingest runs as a continuous stream in its own JVM while events are published;
 * the broker (one of this test's own, so that the shared one stays up for the suites running beside
 * it) is stopped with {@code infra/kafka/kafka.sh stop} and the stream killed with SIGKILL
 * mid-flight; then the broker is started again, the ingest reruns (AvailableNow) from the same
 * checkpoint, the rest of the events (and a few duplicates) are published, and bronze must hold
 * every event exactly once. Nothing here depends on timings: the waits only wait.
 */
@Tag("faults")
class FlightEventsStreamKillIT extends SparkTestBase {
  private static final LocalDate DS = LocalDate.of(2001, 1, 20);
  private static final int FIRST = 2000;
  private static final int TOTAL = 3000;

  @TempDir Path home;

  private static KafkaTestSupport.OwnBroker broker;

  @BeforeAll
  static void startOwnBroker() {
    broker = KafkaTestSupport.OwnBroker.start(lakepipeHome(), "kafka-faults");
  }

  @AfterAll
  static void stopOwnBroker() {
    if (broker != null) {
      broker.script("stop");
    }
  }

  @Test
  void everyEventLandsExactlyOnceAfterTheBrokerStopsAndTheStreamIsKilled() throws Exception {
    String topic = KafkaTestSupport.newTopic(broker.bootstrap(), "it-kill-rerun");
    List<TestEventPublisher.Message> events =
        KafkaTestSupport.realEvents(spark, lakepipeHome(), DS, TOTAL);
    Path configFile = writeConfig(topic);
    LakepipeConfig config = LakepipeConfig.load(configFile);
    String bronze = config.tablePath("bronze-flight-events");
    Path streamLog = home.resolve("stream.log");

    Process stream = startContinuousStream(configFile, streamLog);
    try {
      CompletableFuture<Long> publishing =
          CompletableFuture.supplyAsync(
              () ->
                  KafkaTestSupport.publish(
                      broker.bootstrap(), topic, events.subList(0, FIRST), 400));
      awaitBronzeRows(bronze, stream, streamLog);
      assertThat(publishing.get(10, TimeUnit.MINUTES)).isEqualTo(FIRST);

      // Mid-flight: the stream is still behind the topic when the broker goes and the JVM dies.
      CompletableFuture<Void> brokerStopping =
          CompletableFuture.runAsync(() -> broker.script("stop"));
      stream.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
      brokerStopping.get(5, TimeUnit.MINUTES);
      long atKill = bronzeRows(bronze);
      System.out.printf("stream killed with %d of %d published events in bronze%n", atKill, FIRST);
    } finally {
      stream.destroyForcibly();
      broker.script("start");
    }

    LakepipeConfig availableNow =
        TestConfigs.flights(
            Map.of(
                "lakepipe.home",
                home.toString(),
                "lakepipe.lakehouse",
                home.resolve("lakehouse").toString(),
                "lakepipe.sources.flight-events.bootstrap-servers",
                broker.bootstrap(),
                "lakepipe.sources.flight-events.topic",
                topic,
                "lakepipe.sources.flight-events.max-offsets-per-trigger",
                500,
                "lakepipe.sources.flight-events.trigger",
                "available-now"));
    JobResult rerun = ingest(availableNow);
    List<TestEventPublisher.Message> rest = new ArrayList<>(events.subList(FIRST, TOTAL));
    rest.addAll(events.subList(FIRST - 100, FIRST));
    KafkaTestSupport.publish(broker.bootstrap(), topic, rest, 0);
    JobResult last = ingest(availableNow);

    List<String> ids =
        spark
            .read()
            .format("delta")
            .load(bronze)
            .select("event_id")
            .as(Encoders.STRING())
            .collectAsList();
    assertThat(ids)
        .hasSize(TOTAL)
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(
            events.stream().map(TestEventPublisher.Message::key).toList());
    assertThat(rerun.rowsRead()).isEqualTo(rerun.rowsWritten() + rerun.rowsQuarantined());
    assertThat(last.rowsRead()).isEqualTo(TOTAL - FIRST + 100);
    assertThat(last.summary()).contains((TOTAL - FIRST) + " new records, 100 already there");
  }

  private static JobResult ingest(LakepipeConfig config) {
    return JobRunner.runAudited(
        "ingest-kafka:flight-events",
        IngestKafka.of("flight-events"),
        JobContext.of(spark, config, DS, UUID.randomUUID().toString()));
  }

  private Path writeConfig(String topic) throws IOException {
    Path file = home.resolve("stream.conf");
    Files.writeString(
        file,
        String.join(
            "\n",
            TestConfigs.includeFlights(),
            "lakepipe {",
            "  home = \"" + home + "\"",
            "  lakehouse = \"" + home.resolve("lakehouse") + "\"",
            "  spark.master = \"local[2]\"",
            "  sources.flight-events {",
            "    bootstrap-servers = \"" + broker.bootstrap() + "\"",
            "    topic = \"" + topic + "\"",
            "    max-offsets-per-trigger = 150",
            "    trigger = \"continuous\"",
            "    trigger-interval = \"1 second\"",
            "  }",
            "}",
            ""),
        StandardCharsets.UTF_8);
    return file;
  }

  /** The job's main in a JVM of its own, on the test classpath, with Spark's Java 17 flags. */
  private Process startContinuousStream(Path configFile, Path log) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1536m");
    command.addAll(SHORT_LIVED_DRIVER_JVM);
    command.add("-Dspark.ui.enabled=false");
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens")
          || arg.startsWith("-XX:+IgnoreUnrecognizedVMOptions")
          || arg.startsWith("-Djdk.reflect")) {
        command.add(arg);
      }
    }
    command.add("-cp");
    command.add(
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    command.add(IngestKafkaJob.class.getName());
    command.addAll(
        List.of(
            "--config", configFile.toString(), "--ds", DS.toString(), "--source", "flight-events"));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  private static void awaitBronzeRows(String bronze, Process stream, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (System.nanoTime() < deadline) {
      if (!stream.isAlive()) {
        fail(
            "The stream exited with "
                + stream.exitValue()
                + " before writing; its log:\n"
                + tail(log));
      }
      if (bronzeRows(bronze) > 0) {
        return;
      }
      Thread.sleep(1000);
    }
    fail("The stream wrote nothing to bronze in 5 minutes; its log:\n" + tail(log));
  }

  /** Rows in bronze now; the table is written by another JVM, so look at its log first. */
  private static long bronzeRows(String bronze) {
    if (!Files.exists(Path.of(bronze, "_delta_log", "00000000000000000000.json"))) {
      return 0;
    }
    return spark.read().format("delta").load(bronze).count();
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }
}
