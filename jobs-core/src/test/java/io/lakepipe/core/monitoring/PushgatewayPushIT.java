// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.cli.JobRunner;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job run pushes its audit row's numbers to a real Pushgateway (Debian's prometheus-pushgateway,
 * installed by ./lakepipe test as root), started here on a free loopback port, and the gateway then
 * serves them under the contract's grouping key with the audit row's values.
 */
class PushgatewayPushIT extends SparkTestBase {
  private static final String BINARY = "/usr/bin/prometheus-pushgateway";
  private static Process gateway;
  private static String url;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path home;

  @BeforeAll
  static void startGateway(@TempDir Path logs) throws Exception {
    assertThat(new File(BINARY).canExecute())
        .as(
            "%s is missing: apt-get install prometheus-pushgateway (./lakepipe test does it when run as root)",
            BINARY)
        .isTrue();
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    url = "http://127.0.0.1:" + port;
    gateway =
        new ProcessBuilder(BINARY, "--web.listen-address=127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(logs.resolve("pushgateway.log").toFile())
            .start();
    Instant deadline = Instant.now().plusSeconds(60);
    while (!ready()) {
      assertThat(gateway.isAlive())
          .as("the Pushgateway exited: %s", Files.readString(logs.resolve("pushgateway.log")))
          .isTrue();
      assertThat(Instant.now()).as("the Pushgateway was not ready within 60 s").isBefore(deadline);
      Thread.sleep(200);
    }
  }

  private static boolean ready() throws InterruptedException {
    try {
      return get("/-/ready").statusCode() == 200;
    } catch (IOException e) {
      return false;
    }
  }

  private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @AfterAll
  static void stopGateway() throws InterruptedException {
    if (gateway != null) {
      gateway.destroy();
      gateway.waitFor();
    }
  }

  /** Values of the gauges of one lakepipe_job group as the gateway serves them, by metric name. */
  private static Map<String, Double> served(String job, String ds) throws Exception {
    Pattern line = Pattern.compile("^(lakepipe_job_[a-z_]+)\\{([^}]*)} (\\S+)$", Pattern.MULTILINE);
    Matcher m = line.matcher(get("/metrics").body());
    Map<String, Double> values = new TreeMap<>();
    while (m.find()) {
      String labels = m.group(2);
      if (labels.contains("lakepipe_job=\"" + job + "\"")
          && labels.contains("job=\"lakepipe_jobs\"")
          && labels.contains("ds=\"" + ds + "\"")) {
        values.put(m.group(1), Double.parseDouble(m.group(3)));
      }
    }
    return values;
  }

  @Test
  void aRunPushesItsAuditRowUnderTheGroupingKeyAndAFailedRunReplacesIt() throws Exception {
    LakepipeConfig config = testConfig(home, Map.of("lakepipe.monitoring.pushgateway-url", url));
    JobContext context = JobContext.of(spark, config, LocalDate.of(2001, 1, 5), "run-it");

    JobRunner.runAudited(
        "monitoring-it",
        c -> JobResult.builder().rowsRead(400).rowsWritten(390).rowsQuarantined(10).build(),
        context);

    Row audit = spark.read().format("delta").load(config.tablePath("audit-runs")).first();
    Map<String, Double> values = served("monitoring-it", "2001-01-05");
    assertThat(values).hasSize(7);
    assertThat(values.get("lakepipe_job_rows_read"))
        .isEqualTo(audit.<Long>getAs("rows_read").doubleValue());
    assertThat(values.get("lakepipe_job_rows_written"))
        .isEqualTo(audit.<Long>getAs("rows_written").doubleValue())
        .isEqualTo(390.0);
    assertThat(values.get("lakepipe_job_rows_quarantined")).isEqualTo(10.0);
    assertThat(values.get("lakepipe_job_quarantine_share")).isEqualTo(0.025);
    assertThat(values.get("lakepipe_job_duration_seconds"))
        .isEqualTo(audit.<Long>getAs("duration_ms") / 1000.0);
    assertThat(values.get("lakepipe_job_succeeded")).isEqualTo(1.0);
    double started = audit.<java.sql.Timestamp>getAs("started_at").getTime() / 1000.0;
    assertThat(values.get("lakepipe_job_finished_timestamp_seconds"))
        .isCloseTo(
            started + audit.<Long>getAs("duration_ms") / 1000.0,
            org.assertj.core.data.Offset.offset(1e-3));

    JobContext next = JobContext.of(spark, config, LocalDate.of(2001, 1, 6), "run-it-2");
    try {
      JobRunner.runAudited(
          "monitoring-it",
          c -> {
            throw new IllegalStateException("boom");
          },
          next);
    } catch (IllegalStateException expected) {
      // the job's own failure; the push happened before it was rethrown
    }
    assertThat(served("monitoring-it", "2001-01-05"))
        .as("a push replaces the job's group")
        .isEmpty();
    Map<String, Double> failed = served("monitoring-it", "2001-01-06");
    assertThat(failed.get("lakepipe_job_succeeded")).isEqualTo(0.0);
    assertThat(failed.get("lakepipe_job_quarantine_share")).isEqualTo(0.0);
  }

  @Test
  void aGroupOfItsOwnKeepsItsLabelsAndLeavesTheJobGroupsAlone() throws Exception {
    PushgatewayPublisher publisher =
        new PushgatewayPublisher(URI.create(url), Duration.ofSeconds(5));
    // A metric may carry a grouping-key label with the same value, as the prediction gauges do.
    var metrics =
        io.prometheus.metrics.model.snapshots.MetricSnapshots.of(
            io.prometheus.metrics.model.snapshots.GaugeSnapshot.builder()
                .name("lakepipe_it_quality")
                .dataPoint(
                    io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot
                        .builder()
                        .labels(
                            io.prometheus.metrics.model.snapshots.Labels.of(
                                "ds", "2001-01-05", "model", "m/1", "version", "3"))
                        .value(0.75)
                        .build())
                .build());

    publisher.push(publisher.groupUri("lakepipe_it_groups", Map.of("model", "m/1")), metrics);

    String body = get("/metrics").body();
    assertThat(body)
        .containsPattern(
            "lakepipe_it_quality\\{(?=[^}]*ds=\"2001-01-05\")(?=[^}]*job=\"lakepipe_it_groups\")"
                + "(?=[^}]*model=\"m/1\")(?=[^}]*version=\"3\")[^}]*} 0.75");
  }
}
