// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.LakepipeException;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jobs' MLflow calls against a second, real tracking server started here with MLflow's
 * basic-auth app on (a random loopback port): signed in the way MLflow's own clients are, they
 * register, alias, upload and download; unsigned, they fail clearly; no password shows anywhere.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MlflowAuthIT {
  private static final String ADMIN = "admin";
  private static final String PASSWORD = "Pw-" + UUID.randomUUID();
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  @TempDir static Path dir;
  private Process server;
  private String uri;

  @BeforeAll
  void startAnAuthenticatedServer() throws Exception {
    String python = System.getProperty("lakepipe.mlflow.python", "");
    Path mlflow = Path.of(python).resolveSibling("mlflow");
    assertThat(mlflow).as("mlflow of venv-mlflow (set lakepipe.mlflow.python)").isExecutable();
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    uri = "http://127.0.0.1:" + port;
    Path config = dir.resolve("auth.ini");
    Files.writeString(
        config,
        String.join(
            "\n",
            "[mlflow]",
            "default_permission = READ",
            "database_uri = sqlite:///" + dir.resolve("auth.db"),
            "admin_username = " + ADMIN,
            "admin_password = " + PASSWORD,
            "authorization_function = mlflow.server.auth:authenticate_request_basic_auth",
            ""));
    ProcessBuilder start =
        new ProcessBuilder(
                mlflow.toString(),
                "server",
                "--app-name",
                "basic-auth",
                "--host",
                "127.0.0.1",
                "--port",
                String.valueOf(port),
                "--workers",
                "1",
                "--backend-store-uri",
                "sqlite:///" + dir.resolve("mlflow.db"),
                "--artifacts-destination",
                dir.resolve("artifacts").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("server.log").toFile());
    start.environment().put("MLFLOW_AUTH_CONFIG_PATH", config.toString());
    start.environment().put("MLFLOW_FLASK_SERVER_SECRET_KEY", UUID.randomUUID().toString());
    server = start.start();
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      try {
        if (http.send(
                    HttpRequest.newBuilder(URI.create(uri + "/health")).build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          break;
        }
      } catch (IOException notYet) {
        // starting
      }
      assertThat(server.isAlive())
          .as("the server is running; its log: " + dir.resolve("server.log"))
          .isTrue();
      assertThat(System.nanoTime()).as("the server answers within 120 s").isLessThan(deadline);
      Thread.sleep(500);
    }
  }

  @AfterAll
  void stop() throws InterruptedException {
    if (server != null) {
      server.destroy();
      if (!server.waitFor(20, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  private Map<String, String> signedIn() {
    return Map.of("MLFLOW_TRACKING_USERNAME", ADMIN, "MLFLOW_TRACKING_PASSWORD", PASSWORD);
  }

  @Test
  void signedInWithMlflowsVariablesTheJobsCallsAllWork() throws Exception {
    Path model = Files.createDirectories(dir.resolve("model"));
    Files.writeString(model.resolve("MLmodel"), "flavors: {}\n");
    String name = "lakepipe_auth_it_" + UUID.randomUUID().toString().replace("-", "");
    try (MlflowTracking tracking = MlflowTracking.connect(uri, TIMEOUT, signedIn())) {
      String experiment = tracking.experimentId("lakepipe-auth-it");
      ModelVersion version =
          tracking.withRun(
              experiment,
              "train",
              Map.of(),
              run -> {
                run.log(Map.of("p", "1"), Map.of("m", 0.5), Map.of());
                run.uploadDirectory(model, "model");
                return tracking.registerVersion(name, run.artifactUri() + "/model", run.runId());
              });
      tracking.setAlias(name, "champion", version.version());
      tracking.setVersionTag(name, version.version(), "lakepipe.gate", "first_champion");
      assertThat(tracking.versionByAlias(name, "champion").version()).isEqualTo(version.version());

      Path downloaded = dir.resolve("downloaded");
      tracking.downloadModel(version, downloaded);
      assertThat(downloaded.resolve("MLmodel")).hasContent("flavors: {}");
      tracking.deleteVersion(name, version.version());
      assertThat(tracking.findByAlias(name, "champion")).isEmpty();
    }
  }

  @Test
  void credentialsInTheUriWorkAndAreNeverShown() {
    String withPassword = uri.replace("http://", "http://" + ADMIN + ":" + PASSWORD + "@");
    try (MlflowTracking tracking = MlflowTracking.connect(withPassword, TIMEOUT, Map.of())) {
      assertThat(tracking.experimentId("lakepipe-auth-it-uri")).isNotBlank();
      assertThat(tracking.trackingUri()).isEqualTo(uri).doesNotContain(PASSWORD);
    }
    // A server that does not answer: the error names the address without the password.
    String closed = "http://" + ADMIN + ":" + PASSWORD + "@127.0.0.1:1";
    assertThatThrownBy(() -> MlflowTracking.connect(closed, TIMEOUT, Map.of()))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("127.0.0.1:1")
        .hasMessageNotContaining(PASSWORD);
  }

  @Test
  void unsignedCallsFailClearly() {
    try (MlflowTracking tracking = MlflowTracking.connect(uri, TIMEOUT, Map.of())) {
      assertThatThrownBy(() -> tracking.experimentId("lakepipe-auth-it-unsigned"))
          .isInstanceOf(LakepipeException.class)
          .hasMessageContaining("401");
    }
    Map<String, String> wrong =
        Map.of("MLFLOW_TRACKING_USERNAME", ADMIN, "MLFLOW_TRACKING_PASSWORD", "not-" + PASSWORD);
    try (MlflowTracking tracking = MlflowTracking.connect(uri, TIMEOUT, wrong)) {
      assertThatThrownBy(() -> tracking.experimentId("lakepipe-auth-it-wrong"))
          .isInstanceOf(LakepipeException.class)
          .hasMessageContaining("401")
          .hasMessageNotContaining(PASSWORD);
    }
  }
}
