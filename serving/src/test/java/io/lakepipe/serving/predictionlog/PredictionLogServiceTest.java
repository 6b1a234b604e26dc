// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.predictionlog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lakepipe.serving.ScoringService;
import io.lakepipe.serving.ServiceTestBase;
import io.lakepipe.serving.ServingConfig;
import io.lakepipe.serving.TestBundles;
import io.lakepipe.serving.bundle.FolderBundleSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The prediction log of a real service, over real HTTP, against the answers it gave. */
class PredictionLogServiceTest extends ServiceTestBase {
  private static final String WRITTEN =
      "lakepipe_serving_prediction_log_lines_total{result=\"written\"}";
  private static final String FAILED =
      "lakepipe_serving_prediction_log_lines_total{result=\"failed\"}";

  @TempDir Path dir;

  private ScoringService start(Path log) {
    Path bundle = TestBundles.write(dir.resolve("bundle"), "lr-v1", "1");
    return ScoringService.start(
        ServingConfig.defaults(new FolderBundleSource(bundle))
            .withPort(0)
            .withToken(TOKEN)
            .withPredictionLog(PredictionLogConfig.of(log)));
  }

  /** Waits until the writer has dealt with {@code lines} lines; the test fails after 30 s. */
  private static void awaitLines(int port, String series, int lines) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (metric(port, series) < lines && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(metric(port, series)).isEqualTo(lines);
  }

  private static List<JsonNode> lines(Path log) throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(log)) {
      for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
        assertThat(file.getFileName().toString()).doesNotStartWith(".").endsWith(".jsonl");
        for (String line : Files.readAllLines(file)) {
          JsonNode node = JSON.readTree(line);
          // The line's folder is its day.
          assertThat(file.getParent().getFileName().toString())
              .isEqualTo(
                  "ds="
                      + (node.get("record_day").isNull()
                          ? LocalDate.now(ZoneOffset.UTC).toString()
                          : node.get("record_day").asText()));
          lines.add(node);
        }
      }
    }
    return lines;
  }

  private static JsonNode byId(List<JsonNode> lines, String id) {
    return lines.stream()
        .filter(
            l -> id == null ? l.get("record_id").isNull() : id.equals(l.get("record_id").asText()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no line of record " + id + " in " + lines));
  }

  @Test
  void everyScoredRecordIsOneLineMatchingItsAnswer() throws Exception {
    Path log = dir.resolve("log");
    List<JsonNode> answers = new ArrayList<>();
    try (ScoringService service = start(log)) {
      int port = service.port();
      answers.add(
          predict(
                  port,
                  "{\"flight_id\": \"f1\", \"ds\": \"2001-01-15\", \"hour\": 10,"
                      + " \"distance\": 1000.0, \"origin\": \"ORD\"}")
              .json());
      // A batch: a second flight of another day, and a record without id or day.
      answers.add(
          predict(
                  port,
                  "[{\"flight_id\": \"f2\", \"ds\": \"2001-01-16\", \"hour\": 3,"
                      + " \"distance\": 50.0, \"origin\": \"ATL\"}, "
                      + record(7, 300.0, "SFO")
                      + "]")
              .json());
      answers.add(
          send(
                  port,
                  "POST",
                  "/invocations",
                  "{\"dataframe_split\": {\"columns\": [\"flight_id\", \"ds\", \"hour\","
                      + " \"distance\", \"origin\"], \"data\": [[\"f3\", \"2001-01-15\", 10, 400.0,"
                      + " \"DFW\"]]}}",
                  TOKEN)
              .json());
      // Refused: no line.
      assertThat(predict(port, "{\"flight_id\": \"f4\", \"hour\": 1}").status()).isEqualTo(400);
      awaitLines(port, WRITTEN, 4);
      assertThat(metric(port, FAILED)).isZero();
    }

    List<JsonNode> lines = lines(log);
    assertThat(lines).hasSize(4);
    JsonNode f1 = byId(lines, "f1");
    assertThat(f1.get("probability").asDouble())
        .isEqualTo(answers.get(0).get("probability").asDouble());
    assertThat(f1.get("delayed").asBoolean()).isEqualTo(answers.get(0).get("delayed").asBoolean());
    assertThat(f1.get("model_name").asText()).isEqualTo(TestBundles.MODEL_NAME);
    assertThat(f1.get("model_version").asText()).isEqualTo("1");
    assertThat(f1.get("endpoint").asText()).isEqualTo("predict");
    assertThat(f1.get("record_day").asText()).isEqualTo("2001-01-15");
    JsonNode batch = answers.get(1).get("predictions");
    assertThat(byId(lines, "f2").get("probability").asDouble())
        .isEqualTo(batch.get(0).get("probability").asDouble());
    JsonNode anonymous = byId(lines, null);
    assertThat(anonymous.get("probability").asDouble())
        .isEqualTo(batch.get(1).get("probability").asDouble());
    assertThat(anonymous.get("record_day").isNull()).isTrue();
    JsonNode f3 = byId(lines, "f3");
    assertThat(f3.get("endpoint").asText()).isEqualTo("invocations");
    assertThat(f3.get("probability").asDouble())
        .isEqualTo(answers.get(2).get("predictions").get(0).asDouble());
    assertThat(lines.stream().map(l -> l.get("prediction_id").asText()).distinct()).hasSize(4);
  }

  @Test
  void aFolderThatCannotBeWrittenFailsNoRequestAndIsCounted() throws Exception {
    Path notAFolder = Files.writeString(dir.resolve("a-file"), "x");
    try (ScoringService service = start(notAFolder.resolve("log"))) {
      int port = service.port();

      Answer answer =
          predict(
              port, "{\"flight_id\": \"f1\", \"hour\": 10, \"distance\": 1.0, \"origin\": null}");

      assertThat(answer.status()).isEqualTo(200);
      awaitLines(port, FAILED, 1);
      assertThat(metric(port, WRITTEN)).isZero();
    }
  }

  @Test
  void withoutTheOptionNothingIsKeptAndNoLogMetricIsShown() throws Exception {
    Path bundle = TestBundles.write(dir.resolve("bundle"), "lr-v1", "1");
    try (ScoringService service =
        ScoringService.start(
            ServingConfig.defaults(new FolderBundleSource(bundle)).withPort(0).withToken(TOKEN))) {
      assertThat(predict(service.port(), record(10, 1000.0, "ORD")).status()).isEqualTo(200);
      assertThat(metric(service.port(), WRITTEN)).isNaN();
    }
  }
}
