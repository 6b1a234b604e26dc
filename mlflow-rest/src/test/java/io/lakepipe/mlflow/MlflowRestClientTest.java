// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.lakepipe.mlflow.FakeMlflowServer.Answer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MlflowRestClientTest {
  private final FakeMlflowServer server;
  private final MlflowRestClient client;

  MlflowRestClientTest() throws IOException {
    server = new FakeMlflowServer();
    client =
        MlflowRestClient.of(
            server.uri(), Map.of("MLFLOW_TRACKING_TOKEN", "tok"), Duration.ofSeconds(5));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void callsAreSignedAndAnswersRead() {
    server.on(
        "/api/2.0/mlflow/registered-models/alias?alias=champion&name=flight+delay",
        Answer.json(
            200,
            "{\"model_version\": {\"name\": \"flight delay\", \"version\": \"3\","
                + " \"source\": \"mlflow-artifacts:/1/r/artifacts/model\", \"run_id\": \"r\","
                + " \"creation_timestamp\": 42}}"));

    MlflowRegistry.Version version = client.registry().versionByAlias("flight delay", "champion");

    assertThat(version)
        .isEqualTo(
            new MlflowRegistry.Version(
                "flight delay", "3", "mlflow-artifacts:/1/r/artifacts/model", "r", 42L));
    assertThat(server.requests)
        .singleElement()
        .extracting(r -> r.authorization())
        .isEqualTo("Bearer tok");
  }

  @Test
  void mlflowsErrorJsonBecomesARefusalThatNamesTheCall() {
    server.on(
        "/api/2.0/mlflow/model-versions/get?name=m&version=9",
        Answer.json(
            404,
            "{\"error_code\": \"RESOURCE_DOES_NOT_EXIST\", \"message\": \"Model Version (name=m,"
                + " version=9) not found\"}"));

    assertThatThrownBy(() -> client.registry().version("m", "9"))
        .isInstanceOfSatisfying(
            MlflowRefusedException.class,
            e -> {
              assertThat(e.status()).isEqualTo(404);
              assertThat(e.errorCode()).isEqualTo("RESOURCE_DOES_NOT_EXIST");
              assertThat(e.notFound()).isTrue();
              assertThat(e.call()).isEqualTo("model-versions/get");
              assertThat(e.detail()).startsWith("HTTP 404 {\"error_code\"");
            });
  }

  @Test
  void aLoggedModelIsCreatedFinalizedAndItsVersionsFilesFoundUnderIt() {
    String model =
        "{\"model\": {\"info\": {\"model_id\": \"m-1\", \"name\": \"lr-1\","
            + " \"artifact_uri\": \"mlflow-artifacts:/1/models/m-1/artifacts\","
            + " \"status\": \"%s\"}}}";
    server.on(
        "/api/2.0/mlflow/logged-models", Answer.json(200, model.formatted("LOGGED_MODEL_PENDING")));
    server.on(
        "/api/2.0/mlflow/logged-models/m-1",
        Answer.json(200, model.formatted("LOGGED_MODEL_READY")));

    MlflowLoggedModels.LoggedModel created =
        client
            .loggedModels()
            .create("1", "lr-1", "r", "logistic-regression", Map.of("a", "1"), Map.of());
    MlflowLoggedModels.LoggedModel ready = client.loggedModels().finalize("m-1", true);

    assertThat(created.status()).isEqualTo("LOGGED_MODEL_PENDING");
    assertThat(created.uri()).isEqualTo("models:/m-1");
    assertThat(ready.status()).isEqualTo("LOGGED_MODEL_READY");
    assertThat(server.requests.get(0).method()).isEqualTo("POST");
    assertThat(new String(server.requests.get(0).body(), StandardCharsets.UTF_8))
        .contains("\"source_run_id\":\"r\"", "\"params\":[{\"key\":\"a\",\"value\":\"1\"}]");
    assertThat(server.requests.get(1).method()).isEqualTo("PATCH");
    assertThat(new String(server.requests.get(1).body(), StandardCharsets.UTF_8))
        .contains("\"status\":\"LOGGED_MODEL_READY\"");
    // A version made from a logged model names it; its files are the logged model's.
    assertThat(client.loggedModels().artifactUri("models:/m-1"))
        .isEqualTo("mlflow-artifacts:/1/models/m-1/artifacts");
    assertThat(client.loggedModels().artifactUri("mlflow-artifacts:/1/r/artifacts/model"))
        .isEqualTo("mlflow-artifacts:/1/r/artifacts/model");
  }

  @Test
  void everyVersionOfAModelIsSearchedPageByPageAndComesOldestFirst() {
    String search = "/api/2.0/mlflow/model-versions/search?filter=name+%3D+%27m%27&max_results=200";
    server
        .on(
            search,
            Answer.json(
                200,
                "{\"model_versions\": [{\"name\": \"m\", \"version\": \"10\", \"run_id\": \"r10\"},"
                    + " {\"name\": \"m\", \"version\": \"2\", \"run_id\": \"r2\"}],"
                    + " \"next_page_token\": \"t2\"}"))
        .on(
            search + "&page_token=t2",
            Answer.json(
                200,
                "{\"model_versions\": [{\"name\": \"m\", \"version\": \"1\", \"run_id\": \"r1\"}]}"));

    assertThat(client.registry().versionsOf("m"))
        .extracting(MlflowRegistry.Version::version, MlflowRegistry.Version::runId)
        .containsExactly(tuple("1", "r1"), tuple("2", "r2"), tuple("10", "r10"));
    assertThat(server.requests).hasSize(2);
  }

  @Test
  void aModelWithoutVersionsHasNone() {
    server.on(
        "/api/2.0/mlflow/model-versions/search?filter=name+%3D+%27none%27&max_results=200",
        Answer.json(200, "{}"));

    assertThat(client.registry().versionsOf("none")).isEmpty();
  }

  @Test
  void creatingAModelThatExistsIsNoError() {
    server.on(
        "/api/2.0/mlflow/registered-models/create",
        Answer.json(400, "{\"error_code\": \"RESOURCE_ALREADY_EXISTS\", \"message\": \"exists\"}"));

    assertThat(client.registry().createModel("m")).isFalse();
    assertThat(new String(server.requests.get(0).body(), StandardCharsets.UTF_8))
        .isEqualTo("{\"name\":\"m\"}");
  }

  @Test
  void anAnswerThatIsNotJsonIsNamed() {
    server.on("/api/2.0/mlflow/runs/get?run_id=r", Answer.json(200, "<html>a proxy</html>"));

    assertThatThrownBy(() -> client.runs().get("r"))
        .isExactlyInstanceOf(MlflowException.class)
        .hasMessage("MLflow call runs/get failed: a body that is not JSON");
  }

  @Test
  void aServerThatDoesNotAnswerIsUnreachable() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    MlflowRestClient nobody =
        MlflowRestClient.of(
            "http://user:secret@127.0.0.1:" + closedPort, Map.of(), Duration.ofSeconds(5));

    assertThatThrownBy(() -> nobody.http().checkHealth())
        .isInstanceOfSatisfying(
            MlflowUnreachableException.class,
            e -> assertThat(e.uri()).isEqualTo("http://127.0.0.1:" + closedPort))
        .hasMessageNotContaining("secret");
  }

  @Test
  void runsAreReadWithTheirMetricsParamsAndTags() {
    server.on(
        "/api/2.0/mlflow/runs/get?run_id=r",
        Answer.json(
            200,
            "{\"run\": {\"info\": {\"run_id\": \"r\", \"experiment_id\": \"1\", \"status\":"
                + " \"FINISHED\", \"artifact_uri\": \"mlflow-artifacts:/1/r/artifacts\"}, \"data\":"
                + " {\"metrics\": [{\"key\": \"auc\", \"value\": 0.75}], \"params\": [{\"key\":"
                + " \"p\", \"value\": \"1\"}], \"tags\": [{\"key\": \"t\", \"value\": \"x\"}]}}}"));

    MlflowRuns.Run run = client.runs().get("r");

    assertThat(run.artifactUri()).isEqualTo("mlflow-artifacts:/1/r/artifacts");
    assertThat(run.metrics()).containsExactly(Map.entry("auc", 0.75));
    assertThat(run.params()).containsExactly(Map.entry("p", "1"));
    assertThat(run.tags()).containsExactly(Map.entry("t", "x"));
  }

  @Test
  void foldersAreDownloadedThroughTheArtifactProxy(@TempDir Path target) throws IOException {
    String api = "/api/2.0/mlflow-artifacts/artifacts";
    server
        .on(
            api + "?path=1%2Fr%2Fartifacts%2Fmodel",
            Answer.json(
                200,
                "{\"files\": [{\"path\": \"MLmodel\", \"is_dir\": false, \"file_size\": 3},"
                    + " {\"path\": \"data\", \"is_dir\": true}]}"))
        .on(
            api + "?path=1%2Fr%2Fartifacts%2Fmodel%2Fdata",
            Answer.json(200, "{\"files\": [{\"path\": \"a b.parquet\", \"is_dir\": false}]}"))
        .on(api + "/1/r/artifacts/model/MLmodel", Answer.json(200, "ml!"))
        .on(api + "/1/r/artifacts/model/data/a%20b.parquet", Answer.json(200, "pq"));

    client.artifacts().downloadDirectory("mlflow-artifacts:/1/r/artifacts/model", target);

    assertThat(target.resolve("MLmodel")).hasContent("ml!");
    assertThat(target.resolve("data/a b.parquet")).hasContent("pq");
    assertThat(client.artifacts().read("mlflow-artifacts:/1/r/artifacts/model/MLmodel"))
        .asString(StandardCharsets.UTF_8)
        .isEqualTo("ml!");
  }

  @Test
  void anEmptyOrMissingFolderIsNamed(@TempDir Path target) {
    server.on(
        "/api/2.0/mlflow-artifacts/artifacts?path=1%2Fr%2Fartifacts%2Fmodel",
        Answer.json(200, "{}"));

    assertThatThrownBy(
            () ->
                client
                    .artifacts()
                    .downloadDirectory("mlflow-artifacts:/1/r/artifacts/model", target))
        .isExactlyInstanceOf(MlflowException.class)
        .hasMessage("MLflow call list 1/r/artifacts/model failed: no artifacts there");
    assertThatThrownBy(() -> client.artifacts().read("s3://bucket/1/r/artifacts/model.pmml"))
        .hasMessageContaining("is not served by the tracking server");
  }

  @Test
  void foldersAreUploadedFileByFile(@TempDir Path local) throws IOException {
    Files.createDirectories(local.resolve("sub"));
    Files.writeString(local.resolve("sub/model.pmml"), "<PMML/>");
    String path = "/api/2.0/mlflow-artifacts/artifacts/1/r/artifacts/pmml/sub/model.pmml";
    server.on(path, Answer.json(200, "{}"));

    client.artifacts().uploadDirectory("mlflow-artifacts:/1/r/artifacts", local, "pmml");

    assertThat(server.requests)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.method()).isEqualTo("PUT");
              assertThat(r.pathAndQuery()).isEqualTo(path);
              assertThat(r.body()).asString(StandardCharsets.UTF_8).isEqualTo("<PMML/>");
            });
  }
}
