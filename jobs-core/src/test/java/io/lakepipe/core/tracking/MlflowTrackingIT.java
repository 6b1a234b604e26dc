// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.lakepipe.core.LakepipeException;
import io.lakepipe.mlflow.MlflowRestClient;
import io.lakepipe.mlflow.MlflowRuns;
import io.lakepipe.mlflow.RunStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against the real tracking server that {@code ./lakepipe services start} runs. */
class MlflowTrackingIT {
  private static final String URI =
      System.getProperty("mlflow.tracking.uri", "http://127.0.0.1:5000");
  private static MlflowTracking tracking;
  private static MlflowRestClient client;
  private static String experimentId;

  @TempDir Path dir;

  @BeforeAll
  static void connect() {
    tracking = MlflowTracking.connect(URI, Duration.ofSeconds(10));
    client = MlflowRestClient.of(URI, System.getenv(), Duration.ofSeconds(10));
    experimentId = tracking.experimentId("lakepipe-it-" + UUID.randomUUID());
  }

  @AfterAll
  static void close() {
    tracking.close();
  }

  @Test
  void experimentIsCreatedOnceTaggedForModelTrainingAndFoundAfterwards() {
    String name = "lakepipe-it-" + UUID.randomUUID();

    String id = tracking.experimentId(name);

    assertThat(tracking.experimentId(name)).isEqualTo(id);
    JsonNode tags =
        client
            .http()
            .get("experiments/get", Map.of("experiment_id", id))
            .path("experiment")
            .path("tags");
    assertThat(tags)
        .anyMatch(
            t ->
                t.path("key").asText().equals("mlflow.experimentKind")
                    && t.path("value").asText().equals("custom_model_development"));
  }

  @Test
  void runEndsFinishedWithWhatWasLogged() {
    String runId =
        tracking.withRun(
            experimentId,
            "ok",
            Map.of("lakepipe.ds", "2001-01-01"),
            run -> {
              run.log(Map.of("max_iter", "5"), Map.of("test_roc_auc", 0.71), Map.of("extra", "x"));
              return run.runId();
            });

    MlflowRuns.Run run = client.runs().get(runId);
    assertThat(run.status()).isEqualTo(RunStatus.FINISHED.name());
    assertThat(run.params()).containsEntry("max_iter", "5");
    assertThat(run.metrics()).containsEntry("test_roc_auc", 0.71);
    assertThat(run.tags()).containsKey("lakepipe.ds");
  }

  @Test
  void runEndsFailedWhenItsBodyThrows() {
    String[] runId = new String[1];

    assertThatThrownBy(
            () ->
                tracking.withRun(
                    experimentId,
                    "fails",
                    Map.of(),
                    run -> {
                      runId[0] = run.runId();
                      throw new IllegalStateException("training blew up");
                    }))
        .hasMessage("training blew up");

    assertThat(client.runs().get(runId[0]).status()).isEqualTo(RunStatus.FAILED.name());
  }

  @Test
  void artifactsGoUpAndComeBackThroughTheServer() throws IOException {
    Path local = dir.resolve("model");
    Files.createDirectories(local.resolve("sparkml/stages"));
    Files.writeString(local.resolve("MLmodel"), "flavors: {}\n");
    byte[] binary = new byte[70_000];
    new java.util.Random(7).nextBytes(binary);
    Files.write(local.resolve("sparkml/stages/part 0.bin"), binary);

    ModelVersion version =
        tracking.withRun(
            experimentId,
            "artifacts",
            Map.of(),
            run -> {
              run.uploadDirectory(local, "model");
              return new ModelVersion("m", "1", run.artifactUri() + "/model", run.runId());
            });
    Path back = dir.resolve("back");
    tracking.downloadModel(version, back);

    assertThat(back.resolve("MLmodel")).hasContent("flavors: {}\n");
    assertThat(Files.readAllBytes(back.resolve("sparkml/stages/part 0.bin"))).isEqualTo(binary);
  }

  @Test
  void aFinishedRunIsReadBackAndTakesMoreArtifacts() throws IOException {
    String runId =
        tracking.withRun(
            experimentId,
            "read-back",
            Map.of("lakepipe.ds", "2001-01-02"),
            run -> {
              run.log(Map.of("threshold", "0.3"), Map.of("test_roc_auc", 0.7), Map.of());
              return run.runId();
            });
    Path bundle = Files.createDirectories(dir.resolve("bundle"));
    Files.writeString(bundle.resolve("bundle.json"), "{}\n");

    LoggedRun run = tracking.run(runId);
    tracking.uploadToRun(runId, bundle, "pmml");
    tracking.uploadToRun(runId, bundle, "pmml");

    assertThat(run.metrics()).containsEntry("test_roc_auc", 0.7);
    assertThat(run.params()).containsEntry("threshold", "0.3");
    assertThat(run.tags()).containsEntry("lakepipe.ds", "2001-01-02");
    assertThat(run.artifactUri()).startsWith("mlflow-artifacts:/").endsWith(runId + "/artifacts");
    Path back = dir.resolve("back");
    tracking.downloadModel(new ModelVersion("m", "1", run.artifactUri() + "/pmml", runId), back);
    assertThat(back.resolve("bundle.json")).hasContent("{}\n");
  }

  @Test
  void versionsAreRegisteredAndFoundByAliasOrNumber() {
    String model = "lakepipe_it_" + UUID.randomUUID().toString().replace("-", "");
    String runId = tracking.withRun(experimentId, "register", Map.of(), TrackedRun::runId);
    String source = "mlflow-artifacts:/" + experimentId + "/" + runId + "/artifacts/model";

    ModelVersion first = tracking.registerVersion(model, source, runId);
    ModelVersion second = tracking.registerVersion(model, source, runId);
    tracking.setAlias(model, "challenger", second.version());

    assertThat(first.version()).isEqualTo("1");
    assertThat(second.version()).isEqualTo("2");
    assertThat(tracking.versionByAlias(model, "challenger")).isEqualTo(second);
    assertThat(second.createdMillis()).isGreaterThan(0);
    assertThat(tracking.version(model, "1").source()).isEqualTo(source);
    assertThatThrownBy(() -> tracking.versionByAlias(model, "champion"))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("has no version @champion");
  }

  @Test
  void unreachableServerFailsFastWithTheFix() {
    assertThatThrownBy(() -> MlflowTracking.connect("http://127.0.0.1:9", Duration.ofSeconds(2)))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("http://127.0.0.1:9 is unreachable (connection refused)")
        .hasMessageContaining("./lakepipe services start");
  }
}
