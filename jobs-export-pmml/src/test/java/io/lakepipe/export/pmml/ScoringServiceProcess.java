// SPDX-License-Identifier: AGPL-3.0-only
package io.lakepipe.export.pmml;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The scoring service ({@code serving/target/lakepipe-serving.jar}) serving one bundle folder in a
 * JVM of its own, on a free loopback port. Its jar carries Jetty 12, Javalin and Scala, which clash
 * with Spark, so it never joins this test's classpath: it is started with {@code java -jar} and
 * spoken to over HTTP, as a client would. {@link #close} stops it and waits until it has exited.
 */
final class ScoringServiceProcess implements AutoCloseable {
  /** Failsafe sets it to serving's shaded jar, which the reactor packages before this module. */
  static final String JAR_PROPERTY = "lakepipe.serving.jar";

  // The service reads its bearer token from here only; without it every endpoint is open.
  private static final String TOKEN_ENV = "LAKEPIPE_SERVING_TOKEN";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
  private static final int LOG_TAIL_LINES = 40;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final Path log;
  private final URI base;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  private ScoringServiceProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.base = URI.create("http://127.0.0.1:" + port);
  }

  /**
   * Starts the service on {@code bundle}, its output going to {@code log}, and waits until {@code
   * GET /health} answers 200.
   *
   * @return the running service, whose {@link #health()} has answered
   */
  static ScoringServiceProcess start(Path bundle, Path log)
      throws IOException, InterruptedException {
    String property = System.getProperty(JAR_PROPERTY);
    assertThat(property)
        .as(
            "the system property %s (failsafe sets it: run this test through" + " Maven)",
            JAR_PROPERTY)
        .isNotNull();
    Path jar = Path.of(property);
    assertThat(jar)
        .as(
            "the scoring service's jar, which the parity test runs: build it with"
                + " `mvn -o -pl serving package` (the reactor packages serving before jobs-export-pmml)")
        .isRegularFile();
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-jar",
                jar.toString(),
                "--bundle",
                bundle.toString(),
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().remove(TOKEN_ENV);
    ScoringServiceProcess service = new ScoringServiceProcess(builder.start(), log, port);
    try {
      service.awaitHealthy();
      return service;
    } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
      service.close();
      throw e;
    }
  }

  /** {@code GET /health}: 200 with {@code status}, {@code model_name} and {@code model_version}. */
  JsonNode health() throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(base.resolve("/health")).timeout(REQUEST_TIMEOUT).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode())
        .as(() -> "GET /health answered " + response.body() + "\n" + logTail())
        .isEqualTo(200);
    return JSON.readTree(response.body());
  }

  /**
   * {@code POST /predict} with a JSON body (a batch: {@code {"predictions": [...], "model_name",
   * "model_version"}}); anything but 200 fails with the answer and the service's log.
   */
  JsonNode predict(String body) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(base.resolve("/predict"))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode())
        .as(
            () ->
                "POST /predict of "
                    + body.length()
                    + " characters answered "
                    + response.body()
                    + "\n"
                    + logTail())
        .isEqualTo(200);
    return JSON.readTree(response.body());
  }

  /** The last lines of the service's output, for assertion messages. */
  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return "--- last lines of "
          + log
          + " ---\n"
          + String.join(
              "\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException e) {
      return "(the service's log " + log + " cannot be read: " + e.getMessage() + ")";
    }
  }

  /** SIGTERM (the service drains and exits), then a kill if it has not exited in time. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private void awaitHealthy() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError(
            "The scoring service exited with code "
                + process.exitValue()
                + " before it was healthy\n"
                + logTail());
      }
      try {
        HttpResponse<Void> response =
            http.send(
                HttpRequest.newBuilder(base.resolve("/health"))
                    .timeout(Duration.ofSeconds(5))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notListeningYet) {
        // The JVM is still starting: try again.
      }
      Thread.sleep(250);
    }
    throw new AssertionError(
        "The scoring service was not healthy within "
            + START_TIMEOUT.toSeconds()
            + " s\n"
            + logTail());
  }
}
