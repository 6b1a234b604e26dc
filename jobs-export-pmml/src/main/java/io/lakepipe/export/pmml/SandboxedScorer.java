// SPDX-License-Identifier: AGPL-3.0-only
package io.lakepipe.export.pmml;

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
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The scoring service ({@code lakepipe-serving.jar}, the binary that serves in production) serving
 * one bundle folder in a JVM of its own: a sandbox with a heap of its own, on a free loopback port,
 * behind a token made for this run. Its jar carries Jetty 12, Javalin and Scala, which clash with
 * Spark, so it never joins a job's classpath: it is started with {@code java -jar} and spoken to
 * over HTTP, as a client would. {@link #close} stops it and waits until it has exited.
 */
public final class SandboxedScorer implements AutoCloseable {
  // The service reads its bearer token from here only.
  private static final String TOKEN_ENV = "LAKEPIPE_SERVING_TOKEN";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
  private static final int LOG_TAIL_LINES = 40;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final Path log;
  private final URI base;
  private final String token;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  private SandboxedScorer(Process process, Path log, int port, String token) {
    this.process = process;
    this.log = log;
    this.base = URI.create("http://127.0.0.1:" + port);
    this.token = token;
  }

  /**
   * Starts the service of {@code jar} on {@code bundle} with a heap of {@code heapMegabytes}, its
   * output going to {@code log}, and waits until {@code GET /health} answers 200.
   *
   * @throws IOException if the jar is missing or the service does not come up
   */
  public static SandboxedScorer start(Path jar, Path bundle, Path log, int heapMegabytes)
      throws IOException, InterruptedException {
    if (!Files.isRegularFile(jar)) {
      throw new IOException(
          "the scoring service's jar "
              + jar
              + " does not exist: build it with `./mvnw -o -pl serving package`, or set"
              + " lakepipe.export.serving-check.scorer-jar");
    }
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String token = UUID.randomUUID().toString();
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heapMegabytes + "m",
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
    builder.environment().put(TOKEN_ENV, token);
    SandboxedScorer service = new SandboxedScorer(builder.start(), log, port, token);
    try {
      service.awaitHealthy();
      return service;
    } catch (IOException | InterruptedException | RuntimeException e) {
      service.close();
      throw e;
    }
  }

  /** {@code GET /health}: 200 with {@code status}, {@code model_name} and {@code model_version}. */
  public JsonNode health() throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(request("/health").GET().build(), ofString());
    if (response.statusCode() != 200) {
      throw new IOException("GET /health answered " + response.body() + "\n" + logTail());
    }
    return JSON.readTree(response.body());
  }

  /**
   * {@code POST /predict} with a JSON body (a batch: {@code {"predictions": [...], "model_name",
   * "model_version"}}); anything but 200 fails with the answer and the service's log.
   */
  public JsonNode predict(String body) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            request("/predict")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build(),
            ofString());
    if (response.statusCode() != 200) {
      throw new IOException(
          "POST /predict of "
              + body.length()
              + " characters answered "
              + response.statusCode()
              + " "
              + response.body()
              + "\n"
              + logTail());
    }
    return JSON.readTree(response.body());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(base.resolve(path))
        .timeout(REQUEST_TIMEOUT)
        .header("Authorization", "Bearer " + token);
  }

  private static HttpResponse.BodyHandler<String> ofString() {
    return HttpResponse.BodyHandlers.ofString();
  }

  /** The last lines of the service's output, for messages. */
  public String logTail() {
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
        throw new IOException(
            "The scoring service exited with code "
                + process.exitValue()
                + " before it was healthy\n"
                + logTail());
      }
      try {
        HttpResponse<Void> response =
            http.send(
                request("/health").timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notListeningYet) {
        // The JVM is still starting: try again.
      }
      Thread.sleep(250);
    }
    throw new IOException(
        "The scoring service was not healthy within "
            + START_TIMEOUT.toSeconds()
            + " s\n"
            + logTail());
  }
}
