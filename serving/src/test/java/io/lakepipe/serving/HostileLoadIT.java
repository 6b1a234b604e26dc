// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar in its own JVM with a small heap (64 MiB), under many concurrent bodies just under
 * the 1 MiB limit, each shaped to cost the most memory once parsed: half a million numbers, a batch
 * of thousands of records, nesting a hundred thousand levels deep, an object of a hundred thousand
 * keys. The service must answer every one of them with a 4xx or a 503 (or a 200 for the valid
 * batch), never run out of memory, and score normally afterwards.
 */
@Tag("faults")
class HostileLoadIT extends ServiceTestBase {
  private static final Pattern LISTENING =
      Pattern.compile("Listening on http://127\\.0\\.0\\.1:(\\d+)");
  private static final int LIMIT = 1 << 20;
  private static final int CLIENTS = 32;
  private static final int ROUNDS = 3;

  /** The status counted for a request whose connection ended without an answer. */
  private static final int NO_ANSWER = -1;

  @TempDir Path dir;

  @Test
  void manyLargeBodiesAtOnceNeverExhaustTheHeap() throws Exception {
    Path jar = Path.of(System.getProperty("lakepipe.serving.jar", "target/lakepipe-serving.jar"));
    assertThat(jar)
        .as("the shaded jar (mvn package builds it before the integration tests)")
        .exists();
    Path bundle = TestBundles.write(dir.resolve("bundle"), "lr-v1", "1");
    Path log = dir.resolve("serving.log");
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-XX:+UseSerialGC",
                "-jar",
                jar.toString(),
                "--bundle",
                bundle.toString(),
                "--port",
                "0")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put(ServingConfig.TOKEN_ENV, TOKEN);
    Process process = builder.start();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    try {
      int port = waitForPort(process, log);
      List<String> bodies = List.of(manyNumbers(), manyRecords(), deepNesting(), manyKeys());
      for (String body : bodies) {
        assertThat(body.length()).isBetween(LIMIT - 64 * 1024, LIMIT);
      }
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      List<Future<Integer>> answers = new ArrayList<>();
      for (int i = 0; i < CLIENTS * ROUNDS; i++) {
        String body = bodies.get(i % bodies.size());
        answers.add(
            clients.submit(
                () -> {
                  try {
                    return http.send(
                            HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + port + "/predict"))
                                .header("Authorization", "Bearer " + TOKEN)
                                .header("Content-Type", "application/json")
                                .timeout(Duration.ofSeconds(120))
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                            HttpResponse.BodyHandlers.discarding())
                        .statusCode();
                  } catch (IOException noAnswer) {
                    return NO_ANSWER;
                  }
                }));
      }
      Map<Integer, Integer> statuses = new TreeMap<>();
      for (Future<Integer> answer : answers) {
        statuses.merge(answer.get(180, TimeUnit.SECONDS), 1, Integer::sum);
      }

      String output = Files.readString(log);
      assertThat(output).doesNotContain("OutOfMemoryError");
      assertThat(process.isAlive()).as("the service is still up: %s", output).isTrue();
      // 400 (too deep, a record without its inputs), 413 (too many records), 503 (busy), 200 (the
      // batch).
      assertThat(statuses.keySet())
          .as("statuses %s", statuses)
          .isSubsetOf(200, 400, 413, 503)
          .contains(400, 413);
      assertThat(send(port, "GET", "/health", null, null).status()).isEqualTo(200);
      Answer scored = predict(port, record(7, 800.0, "ORD"));
      assertThat(scored.status()).isEqualTo(200);
      assertThat(scored.json().get("probability").asDouble()).isBetween(0.0, 1.0);
    } finally {
      clients.shutdownNow();
      process.destroyForcibly();
    }
  }

  /** Half a million numbers: one array element each, over the batch limit. */
  private static String manyNumbers() {
    return "[" + String.join(",", java.util.Collections.nCopies(LIMIT / 2 - 1, "0")) + "]";
  }

  /** A valid batch as large as the body limit allows. */
  private static String manyRecords() {
    String one = record(7, 800.0, "ORD");
    int count = (LIMIT - 2) / (one.length() + 1);
    return "["
        + IntStream.range(0, count).mapToObj(i -> one).collect(Collectors.joining(","))
        + "]";
  }

  /** Arrays nested as deep as the body allows. */
  private static String deepNesting() {
    int depth = LIMIT / 2 - 1;
    return "[".repeat(depth) + "]".repeat(depth);
  }

  /** One record of a hundred thousand keys, none of them an input. */
  private static String manyKeys() {
    StringBuilder body = new StringBuilder("{");
    for (int i = 0; body.length() < LIMIT - 16; i++) {
      body.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":0");
    }
    return body.append('}').toString();
  }

  private static int waitForPort(Process process, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      String output = Files.exists(log) ? Files.readString(log) : "";
      assertThat(process.isAlive()).as("the service died: %s", output).isTrue();
      Matcher listening = LISTENING.matcher(output);
      if (listening.find() && output.contains("Serving model")) {
        return Integer.parseInt(listening.group(1));
      }
      Thread.sleep(200);
    }
    throw new AssertionError("The service did not start: " + Files.readString(log));
  }
}
