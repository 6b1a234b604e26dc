// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.reload;

import static io.lakepipe.serving.TestBundles.expected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.lakepipe.serving.ScoringService;
import io.lakepipe.serving.ServiceTestBase;
import io.lakepipe.serving.ServingConfig;
import io.lakepipe.serving.TestBundles;
import io.lakepipe.serving.bundle.Bundle;
import io.lakepipe.serving.bundle.BundleSource;
import io.lakepipe.serving.bundle.FolderBundleSource;
import io.lakepipe.serving.shadow.ShadowConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reloading a folder bundle over POST /admin/reload, alone and under a continuous load. */
class ReloadTest extends ServiceTestBase {
  @TempDir Path dir;

  private ScoringService start(Path bundle, String token) {
    return ScoringService.start(
        ServingConfig.defaults(new FolderBundleSource(bundle)).withPort(0).withToken(token));
  }

  @Test
  void reloadSwapsInTheBundleTheFolderHoldsNow() {
    Path bundle = TestBundles.write(dir, "lr-v1", "1");
    try (ScoringService service = start(bundle, TOKEN)) {
      TestBundles.write(bundle, "lr-v2", "2");
      Answer reload = send(service.port(), "POST", "/admin/reload", null, TOKEN);

      assertThat(reload.status()).isEqualTo(200);
      assertThat(reload.json().get("model_version").asText()).isEqualTo("2");
      assertThat(reload.json().get("previous_version").asText()).isEqualTo("1");
      JsonNode json = predict(service.port(), record(10, 1000.0, "ORD")).json();
      assertThat(json.get("model_version").asText()).isEqualTo("2");
      assertThat(json.get("probability").asDouble())
          .isCloseTo(expected(2, 10, 1000.0, "ORD"), within(1e-12));
      assertThat(send(service.port(), "GET", "/metrics", null, TOKEN).body())
          .contains("lakepipe_serving_reloads_total{result=\"success\"} 1")
          .contains("model_version=\"2\"")
          .doesNotContain("model_version=\"1\"");
    }
  }

  @Test
  void aDamagedBundleIsRefusedAndTheServedModelStays() throws IOException {
    Path bundle = TestBundles.write(dir, "lr-v1", "1");
    try (ScoringService service = start(bundle, TOKEN)) {
      // A half-written export: the new bundle.json beside the old model.pmml.
      Files.writeString(
          bundle.resolve(Bundle.MANIFEST_FILE),
          TestBundles.manifest("2", TestBundles.pmml("lr-v2")));
      Answer reload = send(service.port(), "POST", "/admin/reload", null, TOKEN);

      assertThat(reload.status()).isEqualTo(500);
      assertThat(reload.json().get("error").asText())
          .contains("damaged or half-written")
          .endsWith("The service goes on with version 1.");
      assertThat(
              predict(service.port(), record(10, 1000.0, "ORD"))
                  .json()
                  .get("model_version")
                  .asText())
          .isEqualTo("1");
      assertThat(send(service.port(), "GET", "/metrics", null, TOKEN).body())
          .contains("lakepipe_serving_reloads_total{result=\"failure\"} 1")
          .contains(
              "lakepipe_serving_errors_total{endpoint=\"reload\",reason=\"reload_failed\"} 1");
    }
  }

  @Test
  void withoutATokenReloadingOverHttpIsDisabled() {
    try (ScoringService service = start(TestBundles.write(dir, "lr-v1", "1"), null)) {
      Answer reload = send(service.port(), "POST", "/admin/reload", null, null);
      assertThat(reload.status()).isEqualTo(403);
      assertThat(reload.json().get("error").asText()).contains("LAKEPIPE_SERVING_TOKEN");
      // Without a token, scoring is open.
      assertThat(send(service.port(), "POST", "/predict", record(1, 2.0, "ORD"), null).status())
          .isEqualTo(200);
    }
  }

  @Test
  void noRequestFailsWhileTheModelIsSwappedUnderLoad() throws Exception {
    swapUnderLoad(false);
  }

  @Test
  void noRequestFailsWhileTheModelAndItsShadowAreSwappedUnderLoad() throws Exception {
    swapUnderLoad(true);
  }

  /**
   * Scores without pause from three clients while the bundle is swapped ten times; with a shadow,
   * the shadow's folder is swapped too, always holding the other coefficients.
   */
  private void swapUnderLoad(boolean withShadow) throws Exception {
    Path bundle = TestBundles.write(dir.resolve("served"), "lr-v1", "1");
    Path shadowBundle = TestBundles.write(dir.resolve("shadow"), "lr-v2", "2");
    int swaps = 10;
    ServingConfig config =
        ServingConfig.defaults(new FolderBundleSource(bundle)).withPort(0).withToken(TOKEN);
    if (withShadow) {
      config = config.withShadow(ShadowConfig.of(new FolderBundleSource(shadowBundle)));
    }
    try (ScoringService service = ScoringService.start(config)) {
      int port = service.port();
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong requests = new AtomicLong();
      List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
      Set<String> versionsSeen = ConcurrentHashMap.newKeySet();
      ExecutorService clients = Executors.newFixedThreadPool(3);
      List<Future<?>> done = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      for (int c = 0; c < 3; c++) {
        boolean batch = c == 2;
        done.add(
            clients.submit(
                () -> {
                  while (running.get() && System.nanoTime() < deadline) {
                    String body =
                        batch
                            ? "[" + record(10, 1000.0, "ORD") + ", " + record(3, 50.0, "ATL") + "]"
                            : record(10, 1000.0, "ORD");
                    Answer answer = predict(port, body);
                    requests.incrementAndGet();
                    if (answer.status() != 200) {
                      failures.add(answer.status() + " " + answer.body());
                      continue;
                    }
                    JsonNode json = answer.json();
                    String version = json.get("model_version").asText();
                    versionsSeen.add(version);
                    // Odd versions carry lr-v1's coefficients, even ones lr-v2's: a response must
                    // match its version.
                    int model = Integer.parseInt(version) % 2 == 1 ? 1 : 2;
                    JsonNode first = batch ? json.get("predictions").get(0) : json;
                    if (Math.abs(
                            first.get("probability").asDouble()
                                - expected(model, 10, 1000.0, "ORD"))
                        > 1e-12) {
                      failures.add("version " + version + " answered " + first);
                    }
                    if (batch
                        && Math.abs(
                                json.get("predictions").get(1).get("probability").asDouble()
                                    - expected(model, 3, 50.0, "ATL"))
                            > 1e-12) {
                      failures.add("batch of version " + version + " mixed models: " + json);
                    }
                  }
                  return null;
                }));
      }
      for (int version = 2; version <= swaps + 1; version++) {
        Thread.sleep(100);
        TestBundles.write(bundle, version % 2 == 1 ? "lr-v1" : "lr-v2", Integer.toString(version));
        String shadowVersion = Integer.toString(version + 1);
        TestBundles.write(shadowBundle, version % 2 == 1 ? "lr-v2" : "lr-v1", shadowVersion);
        Answer reload = send(port, "POST", "/admin/reload", null, TOKEN);
        assertThat(reload.status()).as(reload.body()).isEqualTo(200);
        assertThat(reload.json().get("model_version").asText())
            .isEqualTo(Integer.toString(version));
        if (withShadow) {
          assertThat(reload.json().get("shadow_version").asText()).isEqualTo(shadowVersion);
        }
      }
      Thread.sleep(100);
      running.set(false);
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
      clients.shutdown();

      assertThat(failures).isEmpty();
      assertThat(requests.get()).isGreaterThan(100);
      assertThat(versionsSeen)
          .hasSizeGreaterThan(swaps / 2)
          .contains("1", Integer.toString(swaps + 1));
      if (withShadow) {
        // The shadow worked all along, on each pair of versions, and never failed.
        String shadowRequests = "lakepipe_serving_shadow_requests_total{result=";
        assertThat(metric(port, shadowRequests + "\"scored\"}")).isPositive();
        assertThat(metric(port, shadowRequests + "\"failed\"}")).isZero();
        assertThat(metric(port, shadowRequests + "\"no_model\"}")).isZero();
        assertThat(metric(port, "lakepipe_serving_shadow_reloads_total{result=\"success\"}"))
            .isEqualTo(swaps);
      }
    }
  }

  @Test
  void healthIs503UntilTheFirstModelIsLoaded() throws Exception {
    Path bundle = TestBundles.write(dir, "lr-v1", "1");
    CountDownLatch release = new CountDownLatch(1);
    BundleSource slow =
        new BundleSource() {
          @Override
          public String location() {
            return "slow " + bundle;
          }

          @Override
          public Bundle load() {
            try {
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return new FolderBundleSource(bundle).load();
          }
        };
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    ExecutorService starter = Executors.newSingleThreadExecutor();
    Future<ScoringService> started =
        starter.submit(
            () ->
                ScoringService.start(ServingConfig.defaults(slow).withPort(port).withToken(TOKEN)));
    try {
      Answer health = null;
      for (int i = 0; i < 100 && (health == null || health.status() != 503); i++) {
        Thread.sleep(50);
        try {
          health = send(port, "GET", "/health", null, null);
        } catch (java.io.UncheckedIOException notListeningYet) {
          health = null;
        }
      }
      assertThat(health).isNotNull();
      assertThat(health.status()).isEqualTo(503);
      assertThat(health.json().get("status").asText()).isEqualTo("loading");
      Answer early = predict(port, record(1, 2.0, "ORD"));
      assertThat(early.status()).isEqualTo(503);
      assertThat(early.json().get("error").asText()).contains("No model is loaded yet");

      release.countDown();
      try (ScoringService service = started.get(30, TimeUnit.SECONDS)) {
        assertThat(service.port()).isEqualTo(port);
        assertThat(send(port, "GET", "/health", null, null).json())
            .isEqualTo(
                JSON.valueToTree(
                    Map.of(
                        "status",
                        "ok",
                        "model_name",
                        TestBundles.MODEL_NAME,
                        "model_version",
                        "1")));
      }
    } finally {
      release.countDown();
      starter.shutdownNow();
    }
  }
}
