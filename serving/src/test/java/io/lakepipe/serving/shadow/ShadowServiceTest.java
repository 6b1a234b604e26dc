// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.shadow;

import static io.lakepipe.serving.TestBundles.expected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lakepipe.serving.ScoringService;
import io.lakepipe.serving.ServiceTestBase;
import io.lakepipe.serving.ServingConfig;
import io.lakepipe.serving.TestBundles;
import io.lakepipe.serving.bundle.FolderBundleSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shadow model beside the served one, over real HTTP with the test bundles: lr-v1 serves, lr-v2
 * (the same model with an intercept higher by 1) shadows, so every difference is known in advance.
 */
class ShadowServiceTest extends ServiceTestBase {
  private static final String SCORED = "lakepipe_serving_shadow_requests_total{result=\"scored\"}";
  private static final String DROPPED =
      "lakepipe_serving_shadow_requests_total{result=\"dropped\"}";
  private static final String FAILED = "lakepipe_serving_shadow_requests_total{result=\"failed\"}";
  private static final String NO_MODEL =
      "lakepipe_serving_shadow_requests_total{result=\"no_model\"}";

  @TempDir Path dir;

  private static ScoringService start(Path champion, ShadowConfig shadow) {
    ServingConfig config =
        ServingConfig.defaults(new FolderBundleSource(champion)).withPort(0).withToken(TOKEN);
    return ScoringService.start(shadow == null ? config : config.withShadow(shadow));
  }

  private static ShadowConfig shadowOf(Path bundle) {
    return ShadowConfig.of(new FolderBundleSource(bundle));
  }

  /** Waits until the shadow has dealt with {@code requests} requests, whatever became of them. */
  private static void awaitShadowed(int port, int requests) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    double seen = 0;
    while (System.nanoTime() < deadline) {
      seen =
          metric(port, SCORED)
              + metric(port, DROPPED)
              + metric(port, FAILED)
              + metric(port, NO_MODEL);
      if (seen >= requests) {
        assertThat(seen).as("requests the shadow dealt with").isEqualTo(requests);
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError(
        "The shadow dealt with " + seen + " of " + requests + " requests within 30 s");
  }

  private record Call(String path, String body) {}

  @Test
  void everyAnswerIsByteIdenticalWithAndWithoutAShadow() throws Exception {
    Path champion = TestBundles.write(dir.resolve("champion"), "lr-v1", "1");
    Path challenger = TestBundles.write(dir.resolve("challenger"), "lr-v2", "2");
    String batch =
        "["
            + record(10, 1000.0, "ORD")
            + ", "
            + record(3, 50.0, "ATL")
            + ", "
            + record(10, 400.0, "DFW")
            + "]";
    List<Call> calls =
        List.of(
            new Call("/predict", record(10, 1000.0, "ORD")),
            new Call("/predict", record(7, 300.0, "SFO")),
            new Call("/predict", record(null, null, null)),
            new Call("/predict", batch),
            new Call("/predict", "{\"records\": " + batch + "}"),
            new Call(
                "/invocations",
                "{\"dataframe_split\": {\"columns\": [\"hour\", \"distance\", \"origin\"],"
                    + " \"data\": [[10, 1000.0, \"ORD\"], [3, 50.0, \"ATL\"]]}}"),
            new Call("/invocations", "{\"dataframe_records\": " + batch + "}"),
            new Call("/predict", "{"),
            new Call("/predict", "{\"hour\": 1}"),
            new Call("/invocations", "{\"instances\": [{\"hour\": \"ten\"}]}"));
    try (ScoringService plain = start(champion, null);
        ScoringService shadowed = start(champion, shadowOf(challenger))) {
      assertThat(shadowed.shadowModel().orElseThrow().manifest().modelVersion()).isEqualTo("2");
      int answered = 0;
      for (Call call : calls) {
        Answer without = send(plain.port(), "POST", call.path(), call.body(), TOKEN);
        Answer with = send(shadowed.port(), "POST", call.path(), call.body(), TOKEN);

        assertThat(with.status()).as(call.toString()).isEqualTo(without.status());
        assertThat(with.body()).as(call.toString()).isEqualTo(without.body());
        assertThat(with.response().headers().firstValue("Content-Type"))
            .isEqualTo(without.response().headers().firstValue("Content-Type"));
        answered += with.status() == 200 ? 1 : 0;
      }

      assertThat(answered).isEqualTo(7);
      // Refused requests are never shadowed: only the seven answered ones are.
      awaitShadowed(shadowed.port(), answered);
      assertThat(metric(shadowed.port(), SCORED)).isEqualTo(7);
      assertThat(metric(plain.port(), SCORED)).as("no shadow metric without a shadow").isNaN();
    }
  }

  @Test
  void theMetricsCountAgreementAndTheKnownDifferenceOfTheTwoModels() throws Exception {
    Path champion = TestBundles.write(dir.resolve("champion"), "lr-v1", "1");
    Path challenger = TestBundles.write(dir.resolve("challenger"), "lr-v2", "2");
    try (ScoringService service = start(champion, shadowOf(challenger))) {
      int port = service.port();
      // Both delayed, both not delayed, then delayed for the shadow only (0.40 against 0.65).
      Answer batch =
          predict(
              port,
              "["
                  + record(10, 1000.0, "ORD")
                  + ", "
                  + record(3, 50.0, "ATL")
                  + ", "
                  + record(10, 400.0, "DFW")
                  + "]");
      Answer single =
          send(
              port,
              "POST",
              "/invocations",
              "{\"dataframe_records\": [" + record(10, 400.0, "DFW") + "]}",
              TOKEN);
      assertThat(batch.status()).isEqualTo(200);
      assertThat(single.status()).isEqualTo(200);
      awaitShadowed(port, 2);

      double differences =
          Math.abs(expected(1, 10, 1000.0, "ORD") - expected(2, 10, 1000.0, "ORD"))
              + Math.abs(expected(1, 3, 50.0, "ATL") - expected(2, 3, 50.0, "ATL"))
              + 2 * Math.abs(expected(1, 10, 400.0, "DFW") - expected(2, 10, 400.0, "DFW"));
      String pair = "champion_version=\"1\",shadow_version=\"2\"";
      String records = "lakepipe_serving_shadow_records_total{";
      String difference = "lakepipe_serving_shadow_probability_difference";
      assertThat(metric(port, SCORED)).isEqualTo(2);
      assertThat(metric(port, records + "agreement=\"agree\"," + pair + "}")).isEqualTo(2);
      assertThat(metric(port, records + "agreement=\"disagree\"," + pair + "}")).isEqualTo(2);
      assertThat(metric(port, difference + "_count{" + pair + "}")).isEqualTo(4);
      assertThat(metric(port, difference + "_sum{" + pair + "}"))
          .isCloseTo(differences, within(1e-12));
      // Every difference of this pair lies between 0.2 and 0.3.
      assertThat(metric(port, difference + "_bucket{" + pair + ",le=\"0.2\"}")).isZero();
      assertThat(metric(port, difference + "_bucket{" + pair + ",le=\"0.3\"}")).isEqualTo(4);
      assertThat(metric(port, "lakepipe_serving_shadow_duration_seconds_count")).isEqualTo(2);
      assertThat(
              metric(
                  port,
                  "lakepipe_serving_shadow_model_info{model_name=\""
                      + TestBundles.MODEL_NAME
                      + "\",model_version=\"2\",run_id=\"run-2\"}"))
          .isEqualTo(1);
      // The served model's own series are unchanged by the shadow.
      assertThat(
              metric(
                  port,
                  "lakepipe_serving_model_info{model_name=\""
                      + TestBundles.MODEL_NAME
                      + "\",model_version=\"1\",run_id=\"run-1\"}"))
          .isEqualTo(1);
      assertThat(metric(port, "lakepipe_serving_rows_scored_total")).isEqualTo(4);
    }
  }

  @Test
  void aShadowThatFailsChangesNoAnswerAndEachFailureIsCounted() throws Exception {
    Path champion = TestBundles.write(dir.resolve("champion"), "lr-v1", "1");
    // Without the imputer's distance, the shadow gives no probability for a record without one.
    Path failing =
        TestBundles.write(
            dir.resolve("failing"),
            "lr-v2",
            "2",
            pmml -> pmml.replace(" missingValueReplacement=\"800.0\"", ""));
    try (ScoringService service = start(champion, shadowOf(failing))) {
      int port = service.port();
      for (int i = 0; i < 4; i++) {
        Answer answer = predict(port, record(10 + i, null, "ORD"));
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().get("model_version").asText()).isEqualTo("1");
        assertThat(answer.json().get("probability").asDouble())
            .isCloseTo(expected(1, 10 + i, null, "ORD"), within(1e-12));
      }
      assertThat(predict(port, record(10, 1000.0, "ORD")).status()).isEqualTo(200);
      awaitShadowed(port, 5);

      assertThat(metric(port, FAILED)).isEqualTo(4);
      assertThat(metric(port, SCORED)).isEqualTo(1);
      // The shadow's failures are not the service's.
      assertThat(
              metric(port, "lakepipe_serving_requests_total{endpoint=\"predict\",status=\"200\"}"))
          .isEqualTo(5);
      assertThat(
              metric(
                  port,
                  "lakepipe_serving_errors_total{endpoint=\"predict\",reason=\"unscorable\"}"))
          .isNaN();
    }
  }

  @Test
  void aShadowThatCannotLoadChangesNothingAndAnAdminReloadLoadsItLater() throws Exception {
    Path champion = TestBundles.write(dir.resolve("champion"), "lr-v1", "1");
    Path missing = dir.resolve("not-yet-exported");
    try (ScoringService service = start(champion, shadowOf(missing))) {
      int port = service.port();
      assertThat(service.shadowModel()).isEmpty();
      assertThat(metric(port, "lakepipe_serving_shadow_reloads_total{result=\"failure\"}"))
          .isEqualTo(1);
      Answer answer = predict(port, record(10, 1000.0, "ORD"));
      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.json().get("probability").asDouble())
          .isCloseTo(expected(1, 10, 1000.0, "ORD"), within(1e-12));
      awaitShadowed(port, 1);
      assertThat(metric(port, NO_MODEL)).isEqualTo(1);

      TestBundles.write(missing, "lr-v2", "2");
      Answer reload = send(port, "POST", "/admin/reload", null, TOKEN);

      assertThat(reload.status()).isEqualTo(200);
      assertThat(reload.json().get("model_version").asText()).isEqualTo("1");
      assertThat(reload.json().get("shadow_version").asText()).isEqualTo("2");
      assertThat(predict(port, record(10, 1000.0, "ORD")).body()).isEqualTo(answer.body());
      awaitShadowed(port, 2);
      assertThat(metric(port, SCORED)).isEqualTo(1);
    }
  }

  @Test
  void aFullQueueDropsTheShadowsWorkInsteadOfWaiting() throws Exception {
    Path champion = TestBundles.write(dir.resolve("champion"), "lr-v1", "1");
    Path challenger = TestBundles.write(dir.resolve("challenger"), "lr-v2", "2");
    // A queue of one record never takes a batch of two: every such request is dropped.
    ShadowConfig oneRecord = shadowOf(challenger).withMaxQueuedRecords(1);
    String batch = "[" + record(10, 1000.0, "ORD") + ", " + record(3, 50.0, "ATL") + "]";
    try (ScoringService service = start(champion, oneRecord)) {
      int port = service.port();
      for (int i = 0; i < 5; i++) {
        Answer answer = predict(port, batch);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().get("predictions").get(1).get("probability").asDouble())
            .isCloseTo(expected(1, 3, 50.0, "ATL"), within(1e-12));
      }
      awaitShadowed(port, 5);

      assertThat(metric(port, DROPPED)).isEqualTo(5);
      assertThat(metric(port, SCORED)).isZero();
    }
  }

  @Test
  void withoutAShadowTheReloadAnswerIsUnchanged() {
    Path champion = TestBundles.write(dir.resolve("champion"), "lr-v1", "1");
    try (ScoringService service = start(champion, null)) {
      Answer reload = send(service.port(), "POST", "/admin/reload", null, TOKEN);
      assertThat(reload.json().has("shadow_version")).isFalse();
      assertThat(service.shadowModel()).isEmpty();
    }
  }

  @Test
  void theSummaryIntervalMustBePositive() {
    ShadowConfig config = shadowOf(dir);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> config.withSummaryInterval(Duration.ZERO))
        .hasMessageContaining("shadow summary interval must be positive");
  }
}
