// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.http;

import static io.lakepipe.serving.OnnxTestBundles.expected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.lakepipe.serving.OnnxTestBundles;
import io.lakepipe.serving.ScoringService;
import io.lakepipe.serving.ServiceTestBase;
import io.lakepipe.serving.ServingConfig;
import io.lakepipe.serving.TestBundles;
import io.lakepipe.serving.bundle.FolderBundleSource;
import io.lakepipe.serving.shadow.ShadowConfig;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ONNX bundle served over real HTTP on a loopback port: the same routes, errors, metrics,
 * reloads and shadow as a PMML bundle, with lr.onnx (see {@link OnnxTestBundles}).
 */
class OnnxServiceTest extends ServiceTestBase {
  private static final double TOLERANCE = 1e-6;

  @TempDir Path dir;

  private static ScoringService start(ServingConfig config) {
    return ScoringService.start(config.withPort(0).withToken(TOKEN));
  }

  private ScoringService startOnnx() {
    Path bundle = OnnxTestBundles.write(dir.resolve("onnx"), OnnxTestBundles.LR, "1");
    return start(ServingConfig.defaults(new FolderBundleSource(bundle)));
  }

  @Test
  void predictAndInvocationsScoreWithTheOnnxModel() {
    try (ScoringService service = startOnnx()) {
      int port = service.port();
      JsonNode one = predict(port, record(10, 1000.0, "ORD")).json();
      assertThat(one.get("probability").asDouble())
          .isCloseTo(expected(10.0, 1000.0, "ORD"), within(TOLERANCE));
      assertThat(one.get("delayed").asBoolean()).isTrue(); // 0.55 > 0.5
      assertThat(one.get("model_name").asText()).isEqualTo(TestBundles.MODEL_NAME);
      assertThat(one.get("model_version").asText()).isEqualTo("1");
      assertThat(one.has("unknown_categories")).isFalse();

      Answer batch =
          predict(
              port,
              "["
                  + record(3, 50.0, "ATL")
                  + ", "
                  + record(null, 400.0, "XYZ")
                  + ", "
                  + record(22, 2500.0, null)
                  + "]");
      assertThat(batch.status()).isEqualTo(200);
      JsonNode predictions = batch.json().get("predictions");
      assertThat(predictions).hasSize(3);
      assertThat(predictions.get(0).get("probability").asDouble())
          .isCloseTo(expected(3.0, 50.0, "ATL"), within(TOLERANCE));
      assertThat(predictions.get(1).get("probability").asDouble())
          .isCloseTo(expected(null, 400.0, "XYZ"), within(TOLERANCE));
      assertThat(predictions.get(1).get("unknown_categories").get(0).asText()).isEqualTo("origin");
      assertThat(predictions.get(2).get("probability").asDouble())
          .isCloseTo(expected(22.0, 2500.0, null), within(TOLERANCE));
      assertThat(predictions.get(2).has("unknown_categories")).isFalse();

      Answer invocations =
          send(
              port,
              "POST",
              "/invocations",
              "{\"dataframe_split\": {\"columns\": [\"hour\", \"distance\", \"origin\"],"
                  + " \"data\": [[10, 1000.0, \"ORD\"], [3, 50.0, \"ATL\"]]}}",
              TOKEN);
      assertThat(invocations.status()).isEqualTo(200);
      assertThat(invocations.json().get("predictions").get(1).asDouble())
          .isCloseTo(expected(3.0, 50.0, "ATL"), within(TOLERANCE));

      assertThat(send(port, "GET", "/health", null, null).json().get("model_version").asText())
          .isEqualTo("1");
      assertThat(metric(port, "lakepipe_serving_rows_scored_total")).isEqualTo(6);
      assertThat(metric(port, "lakepipe_serving_unknown_categories_total{input=\"origin\"}"))
          .isEqualTo(1);
      assertThat(metric(port, "lakepipe_serving_missing_inputs_total{input=\"hour\"}"))
          .isEqualTo(1);
      assertThat(metric(port, "lakepipe_serving_missing_inputs_total{input=\"origin\"}"))
          .isEqualTo(1);
      assertThat(
              metric(
                  port,
                  "lakepipe_serving_model_info{model_name=\""
                      + TestBundles.MODEL_NAME
                      + "\",model_version=\"1\",run_id=\"run-1\"}"))
          .isEqualTo(1);
    }
  }

  @Test
  void aRecordTheModelGivesNanForIsRefusedWithItsIndex() {
    try (ScoringService service = startOnnx()) {
      Answer answer =
          predict(
              service.port(),
              "["
                  + record(10, 1000.0, "ORD")
                  + ", "
                  + record(10, null, "ORD")
                  + ", "
                  + record(11, 900.0, "ATL")
                  + "]");
      assertThat(answer.status()).isEqualTo(422);
      assertThat(answer.json().get("field").asText()).isEqualTo("distance");
      assertThat(answer.json().get("index").asInt()).isEqualTo(1);
      assertThat(answer.json().get("error").asText())
          .contains("no replacement for a missing value");
      // Refused as a whole: no record of it is counted as scored.
      assertThat(metric(service.port(), "lakepipe_serving_rows_scored_total")).isZero();
    }
  }

  @Test
  void aReloadSwapsAPmmlBundleForAnOnnxOne() {
    Path bundle = TestBundles.write(dir.resolve("bundle"), "lr-v1", "1");
    try (ScoringService service = start(ServingConfig.defaults(new FolderBundleSource(bundle)))) {
      int port = service.port();
      OnnxTestBundles.write(bundle, OnnxTestBundles.LR, "2");
      Answer reload = send(port, "POST", "/admin/reload", null, TOKEN);
      assertThat(reload.status()).isEqualTo(200);
      assertThat(reload.json().get("model_version").asText()).isEqualTo("2");
      assertThat(reload.json().get("previous_version").asText()).isEqualTo("1");

      // The PMML model replaces a missing hour by 13, the ONNX one by 13.5.
      JsonNode json = predict(port, record(null, 1000.0, "ORD")).json();
      assertThat(json.get("model_version").asText()).isEqualTo("2");
      assertThat(json.get("probability").asDouble())
          .isCloseTo(expected(null, 1000.0, "ORD"), within(TOLERANCE));
      assertThat(metric(port, "lakepipe_serving_reloads_total{result=\"success\"}")).isEqualTo(1);
    }
  }

  @Test
  void anOnnxShadowIsComparedWithAPmmlChampion() throws InterruptedException {
    Path champion = TestBundles.write(dir.resolve("champion"), "lr-v1", "1");
    Path shadow = OnnxTestBundles.write(dir.resolve("shadow"), OnnxTestBundles.LR, "2");
    ServingConfig config =
        ServingConfig.defaults(new FolderBundleSource(champion))
            .withShadow(ShadowConfig.of(new FolderBundleSource(shadow)));
    try (ScoringService service = start(config)) {
      int port = service.port();
      // The two models are one formula: the same label for every complete record.
      Answer answer =
          predict(port, "[" + record(10, 1000.0, "ORD") + ", " + record(3, 50.0, "ATL") + "]");
      assertThat(answer.status()).isEqualTo(200);

      String scored = "lakepipe_serving_shadow_requests_total{result=\"scored\"}";
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!(metric(port, scored) >= 1) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(metric(port, scored)).isEqualTo(1);
      String pair = "champion_version=\"1\",shadow_version=\"2\"";
      assertThat(
              metric(
                  port, "lakepipe_serving_shadow_records_total{agreement=\"agree\"," + pair + "}"))
          .isEqualTo(2);
      assertThat(metric(port, "lakepipe_serving_shadow_probability_difference_sum{" + pair + "}"))
          .isCloseTo(0, within(2 * TOLERANCE));
    }
  }
}
