// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts the shaded jar as its own process ({@code java -jar target/lakepipe-serving.jar}), sends
 * it SIGTERM while a batch is in flight, and checks that the batch is answered in full, that the
 * port stops accepting meanwhile, and that the process then exits.
 */
@Tag("faults")
class GracefulShutdownIT extends ServiceTestBase {
  @TempDir Path dir;

  @Test
  void sigtermLetsTheBatchInFlightFinishThenExits() throws Exception {
    Path jar = Path.of(System.getProperty("lakepipe.serving.jar", "target/lakepipe-serving.jar"));
    assertThat(jar)
        .as("the shaded jar (mvn package builds it before the integration tests)")
        .exists();
    Path bundle = TestBundles.write(dir.resolve("bundle"), "lr-v1", "1");
    Path log = dir.resolve("serving.log");
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                jar.toString(),
                "--bundle",
                bundle.toString(),
                "--port",
                Integer.toString(port),
                "--drain-seconds",
                "30")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put(ServingConfig.TOKEN_ENV, TOKEN);
    Process process = builder.start();
    try {
      waitUntilHealthy(port, process, log);

      String body =
          "["
              + IntStream.range(0, 2000)
                  .mapToObj(i -> record(i % 24, 10.0 * i, "ORD"))
                  .collect(Collectors.joining(","))
              + "]";
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      int half = bytes.length / 2;
      try (Socket client = new Socket("127.0.0.1", port)) {
        client.setSoTimeout(60_000);
        OutputStream out = client.getOutputStream();
        out.write(
            ("POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + TOKEN
                    + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + bytes.length
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(bytes, 0, half);
        out.flush();
        Thread.sleep(
            500); // the handler now waits for the rest of the body: the request is in flight

        process.destroy(); // SIGTERM
        Thread.sleep(1000);
        assertThat(process.isAlive()).as("still draining").isTrue();
        assertThat(refusesNewConnections(port)).as("stopped accepting").isTrue();

        out.write(bytes, half, bytes.length - half);
        out.flush();
        String response = readResponse(client.getInputStream());
        assertThat(response).startsWith("HTTP/1.1 200");
        assertThat(response).containsIgnoringCase("Connection: close");
        JsonNode json = JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
        assertThat(json.get("predictions")).hasSize(2000);
      }
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exited after draining").isTrue();
      // 143 = 128 + SIGTERM: the JVM ran its shutdown hook and exited on the signal.
      assertThat(process.exitValue()).isEqualTo(143);
      List<String> lines = Files.readAllLines(log);
      assertThat(lines).anyMatch(line -> line.contains("Shutting down"));
      assertThat(lines).anyMatch(line -> line.endsWith("Stopped"));
    } finally {
      process.destroyForcibly();
    }
  }

  private static void waitUntilHealthy(int port, Process process, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      assertThat(process.isAlive())
          .as("the service died: %s", Files.exists(log) ? Files.readString(log) : "")
          .isTrue();
      try {
        if (send(port, "GET", "/health", null, null).status() == 200) {
          return;
        }
      } catch (RuntimeException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError("The service did not become healthy: " + Files.readString(log));
  }

  private static boolean refusesNewConnections(int port) {
    try (Socket probe = new Socket("127.0.0.1", port)) {
      // Accepted at the TCP level: it must at least not serve anything new.
      probe.setSoTimeout(5000);
      probe
          .getOutputStream()
          .write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String answer = readResponse(probe.getInputStream());
      return answer.isEmpty() || answer.startsWith("HTTP/1.1 503");
    } catch (ConnectException refused) {
      return true;
    } catch (IOException closed) {
      return true;
    }
  }

  /**
   * Reads one HTTP/1.1 response: its body by Content-Length, or to the end of the stream when the
   * server closes the connection instead (as Jetty does for answers sent while shutting down).
   */
  private static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      head.write(b);
      String text = head.toString(StandardCharsets.ISO_8859_1);
      if (text.endsWith("\r\n\r\n")) {
        for (String line : text.split("\r\n")) {
          if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
            int length = Integer.parseInt(line.substring(15).trim());
            return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
          }
        }
        return text + new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }
}
