// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.reload;

import static io.lakepipe.serving.TestBundles.expected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.lakepipe.serving.BundleException;
import io.lakepipe.serving.ScoringService;
import io.lakepipe.serving.ServiceTestBase;
import io.lakepipe.serving.ServingConfig;
import io.lakepipe.serving.TestBundles;
import io.lakepipe.serving.bundle.Bundle;
import io.lakepipe.serving.bundle.RegistryBundleSource;
import io.lakepipe.serving.shadow.ShadowConfig;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The registry source against the real MLflow tracking server of the local stack (./lakepipe
 * services start; {@code -Dmlflow.tracking.uri}, 127.0.0.1:5000 by default). The test plays the
 * export job over MLflow's REST API: it logs bundles as run artifacts under {@code pmml/} through
 * the artifact proxy, registers versions and moves the {@code champion} alias (and the shadow's
 * {@code challenger}), while a client scores without pause. Skipped when no tracking server answers
 * there.
 */
class RegistryReloadIT extends ServiceTestBase {
  private static final URI TRACKING =
      URI.create(System.getProperty("mlflow.tracking.uri", "http://127.0.0.1:5000"));

  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private final String model = "lakepipe-serving-it-" + suffix;
  private String experimentId;
  private final List<String> runs = new ArrayList<>();

  @BeforeEach
  void requireTrackingServer() {
    boolean up;
    try {
      up =
          send(HttpRequest.newBuilder(TRACKING.resolve("/health"))
                      .timeout(Duration.ofSeconds(3))
                      .build())
                  .status()
              == 200;
    } catch (RuntimeException e) {
      up = false;
    }
    Assumptions.assumeTrue(
        up,
        "No MLflow tracking server at " + TRACKING + ": start it with ./lakepipe services start");
    experimentId =
        mlflow(
                "POST",
                "/api/2.0/mlflow/experiments/create",
                Map.of("name", "lakepipe-serving-it-" + suffix))
            .get("experiment_id")
            .asText();
  }

  @AfterEach
  void cleanUp() {
    if (experimentId == null) {
      return;
    }
    send(
        TRACKING,
        "DELETE",
        "/api/2.0/mlflow/registered-models/delete",
        json(Map.of("name", model)));
    runs.forEach(
        run -> send(TRACKING, "POST", "/api/2.0/mlflow/runs/delete", json(Map.of("run_id", run))));
    send(
        TRACKING,
        "POST",
        "/api/2.0/mlflow/experiments/delete",
        json(Map.of("experiment_id", experimentId)));
  }

  @Test
  void theServiceFollowsTheAliasWithoutFailingARequest() throws Exception {
    mlflow("POST", "/api/2.0/mlflow/registered-models/create", Map.of("name", model));
    String v1 = publish("lr-v1", "1");
    setAlias("champion", v1);

    RegistryBundleSource source = new RegistryBundleSource(TRACKING, model, "champion", Map.of());
    assertThat(source.resolveAlias().version()).isEqualTo("1");
    Bundle loaded = source.load();
    assertThat(loaded.revision()).hasValue("1");
    assertThat(loaded.manifest().modelVersion()).isEqualTo("1");
    assertThat(loaded.location()).startsWith("models:/" + model + "@champion at " + TRACKING);

    ServingConfig config =
        ServingConfig.defaults(source)
            .withPort(0)
            .withToken(TOKEN)
            .withReloadInterval(Duration.ofMillis(500));
    try (ScoringService service = ScoringService.start(config)) {
      int port = service.port();
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong requests = new AtomicLong();
      List<String> failures = Collections.synchronizedList(new ArrayList<>());
      Set<String> versions = ConcurrentHashMap.newKeySet();
      ExecutorService client = Executors.newSingleThreadExecutor();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      Future<?> load =
          client.submit(
              () -> {
                while (running.get() && System.nanoTime() < deadline) {
                  Answer answer = predict(port, record(10, 1000.0, "ORD"));
                  requests.incrementAndGet();
                  if (answer.status() != 200) {
                    failures.add(answer.status() + " " + answer.body());
                    continue;
                  }
                  JsonNode json = answer.json();
                  String version = json.get("model_version").asText();
                  versions.add(version);
                  int coefficients = version.equals("1") ? 1 : 2;
                  if (Math.abs(
                          json.get("probability").asDouble()
                              - expected(coefficients, 10, 1000.0, "ORD"))
                      > 1e-12) {
                    failures.add("version " + version + " answered " + json);
                  }
                }
              });

      String v2 = publish("lr-v2", "2");
      Thread.sleep(1000);
      assertThat(versions).containsOnly("1"); // registering a version does not move the alias
      setAlias("champion", v2);
      awaitVersion(port, "2");
      Thread.sleep(500);
      running.set(false);
      load.get(60, TimeUnit.SECONDS);
      client.shutdown();

      assertThat(failures).isEmpty();
      assertThat(versions).containsExactlyInAnyOrder("1", "2");
      assertThat(requests.get()).isGreaterThan(10);
      assertThat(send(port, "GET", "/metrics", null, TOKEN).body())
          .contains("lakepipe_serving_reloads_total{result=\"success\"} 1")
          .contains("model_version=\"2\"");
    }
  }

  @Test
  void theShadowFollowsItsOwnAliasAndAPromotionUnderLoadFailsNoRequest() throws Exception {
    mlflow("POST", "/api/2.0/mlflow/registered-models/create", Map.of("name", model));
    String v1 = publish("lr-v1", "1");
    String v2 = publish("lr-v2", "2");
    setAlias("champion", v1);
    setAlias("challenger", v2);
    ServingConfig config =
        ServingConfig.defaults(new RegistryBundleSource(TRACKING, model, "champion", Map.of()))
            .withPort(0)
            .withToken(TOKEN)
            .withReloadInterval(Duration.ofMillis(500))
            .withShadow(
                ShadowConfig.of(new RegistryBundleSource(TRACKING, model, "challenger", Map.of())));
    try (ScoringService service = ScoringService.start(config)) {
      assertThat(service.shadowModel().orElseThrow().manifest().modelVersion()).isEqualTo("2");
      int port = service.port();
      AtomicBoolean running = new AtomicBoolean(true);
      List<String> failures = Collections.synchronizedList(new ArrayList<>());
      Set<String> versions = ConcurrentHashMap.newKeySet();
      ExecutorService client = Executors.newSingleThreadExecutor();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      Future<?> load =
          client.submit(
              () -> {
                while (running.get() && System.nanoTime() < deadline) {
                  Answer answer =
                      predict(
                          port,
                          "[" + record(10, 1000.0, "ORD") + ", " + record(10, 400.0, "DFW") + "]");
                  if (answer.status() != 200) {
                    failures.add(answer.status() + " " + answer.body());
                    continue;
                  }
                  JsonNode json = answer.json();
                  String version = json.get("model_version").asText();
                  versions.add(version);
                  double probability = json.get("predictions").get(0).get("probability").asDouble();
                  if (Math.abs(probability - expected(Integer.parseInt(version), 10, 1000.0, "ORD"))
                      > 1e-12) {
                    failures.add("version " + version + " answered " + json);
                  }
                }
              });

      Thread.sleep(1000);
      // The promotion: the challenger becomes the champion, the old champion the challenger.
      setAlias("champion", v2);
      setAlias("challenger", v1);
      awaitVersion(port, "2");
      awaitShadowVersion(service, "1");
      Thread.sleep(1000);
      running.set(false);
      load.get(60, TimeUnit.SECONDS);
      client.shutdown();

      assertThat(failures).isEmpty();
      assertThat(versions).containsExactlyInAnyOrder("1", "2");
      String difference = "lakepipe_serving_shadow_probability_difference_count";
      assertThat(metric(port, difference + "{champion_version=\"1\",shadow_version=\"2\"}"))
          .isPositive();
      assertThat(metric(port, difference + "{champion_version=\"2\",shadow_version=\"1\"}"))
          .isPositive();
      // Each pair disagrees on the DFW record and agrees on the ORD one, whichever model serves.
      String records = "lakepipe_serving_shadow_records_total{agreement=";
      assertThat(metric(port, records + "\"agree\",champion_version=\"2\",shadow_version=\"1\"}"))
          .isEqualTo(
              metric(port, records + "\"disagree\",champion_version=\"2\",shadow_version=\"1\"}"));
      assertThat(metric(port, "lakepipe_serving_shadow_requests_total{result=\"failed\"}"))
          .isZero();
      assertThat(metric(port, "lakepipe_serving_shadow_reloads_total{result=\"success\"}"))
          .isEqualTo(1);
    }
  }

  @Test
  void aMissingAliasIsAClearError() {
    mlflow("POST", "/api/2.0/mlflow/registered-models/create", Map.of("name", model));
    RegistryBundleSource source = new RegistryBundleSource(TRACKING, model, "champion", Map.of());
    assertThatThrownBy(source::load)
        .isInstanceOf(BundleException.class)
        .hasMessageContaining(
            "MLflow at "
                + TRACKING
                + " refused to resolve the alias 'champion' of model '"
                + model
                + "'")
        .hasMessageContaining("is the alias set on a version?");
  }

  @Test
  void aVersionWhoseRunHasNoBundleIsAClearError() {
    mlflow("POST", "/api/2.0/mlflow/registered-models/create", Map.of("name", model));
    JsonNode run =
        mlflow(
                "POST",
                "/api/2.0/mlflow/runs/create",
                Map.of("experiment_id", experimentId, "start_time", System.currentTimeMillis()))
            .get("run")
            .get("info");
    runs.add(run.get("run_id").asText());
    String version =
        mlflow(
                "POST",
                "/api/2.0/mlflow/model-versions/create",
                Map.of(
                    "name",
                    model,
                    "source",
                    run.get("artifact_uri").asText() + "/pmml",
                    "run_id",
                    run.get("run_id").asText()))
            .get("model_version")
            .get("version")
            .asText();
    setAlias("champion", version);

    assertThatThrownBy(() -> new RegistryBundleSource(TRACKING, model, "champion", Map.of()).load())
        .isInstanceOf(BundleException.class)
        .hasMessageStartingWith(
            "No pmml/bundle.json in the bundle at models:/" + model + "@champion");
  }

  /**
   * Logs a test bundle as the pmml/ artifacts of a new run and registers it: the export job's part.
   */
  private String publish(String name, String version) {
    JsonNode run =
        mlflow(
                "POST",
                "/api/2.0/mlflow/runs/create",
                Map.of("experiment_id", experimentId, "start_time", System.currentTimeMillis()))
            .get("run")
            .get("info");
    String runId = run.get("run_id").asText();
    runs.add(runId);
    String artifactUri = run.get("artifact_uri").asText();
    assertThat(artifactUri).startsWith("mlflow-artifacts:/");
    String path = URI.create(artifactUri).getPath();
    String pmml = TestBundles.pmml(name);
    upload(path + "/pmml/" + Bundle.PMML_FILE, pmml);
    upload(path + "/pmml/" + Bundle.MANIFEST_FILE, TestBundles.manifest(version, pmml));
    String registered =
        mlflow(
                "POST",
                "/api/2.0/mlflow/model-versions/create",
                Map.of("name", model, "source", artifactUri + "/pmml", "run_id", runId))
            .get("model_version")
            .get("version")
            .asText();
    assertThat(registered).isEqualTo(version);
    return registered;
  }

  private void setAlias(String alias, String version) {
    mlflow(
        "POST",
        "/api/2.0/mlflow/registered-models/alias",
        Map.of("name", model, "alias", alias, "version", version));
  }

  private void upload(String artifactPath, String content) {
    Answer answer =
        send(
            HttpRequest.newBuilder(
                    URI.create(TRACKING + "/api/2.0/mlflow-artifacts/artifacts" + artifactPath))
                .PUT(HttpRequest.BodyPublishers.ofString(content, StandardCharsets.UTF_8))
                .build());
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
  }

  private static void awaitVersion(int port, String version) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (send(port, "GET", "/health", null, null)
          .json()
          .get("model_version")
          .asText()
          .equals(version)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("The service did not move to version " + version + " within 30 s");
  }

  private static void awaitShadowVersion(ScoringService service, String version)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (service
          .shadowModel()
          .map(shadow -> shadow.manifest().modelVersion().equals(version))
          .orElse(false)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("The shadow did not move to version " + version + " within 30 s");
  }

  private static JsonNode mlflow(String method, String path, Map<String, ?> body) {
    Answer answer = send(TRACKING, method, path, json(body));
    assertThat(answer.status()).as(path + ": " + answer.body()).isEqualTo(200);
    return answer.json();
  }

  private static Answer send(URI base, String method, String path, String body) {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  private static String json(Map<String, ?> body) {
    try {
      return JSON.writeValueAsString(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
