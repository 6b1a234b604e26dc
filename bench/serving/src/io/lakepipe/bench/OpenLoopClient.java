// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop load generator with a small CPU footprint, so that on a 2-core machine the
 * measurement is the server's and not the client's: request i is due at {@code start + i / rate};
 * it goes on keep-alive connection {@code i % connections}, whose thread sends it at its due time
 * (or as soon as the previous answer on that connection arrived, when late), and its latency counts
 * from the due time. Plain blocking sockets and prebuilt request bytes: no HTTP client library in
 * the way.
 */
final class OpenLoopClient {
  private final int port;
  private final String token;
  private final int connections;

  OpenLoopClient(int port, String token, int connections) {
    this.port = port;
    this.token = token;
    this.connections = connections;
  }

  /**
   * Sends {@code rate * seconds} requests to POST /predict; returns each latency in nanoseconds.
   */
  long[] run(List<byte[]> bodies, int rate, int seconds) throws Exception {
    int n = rate * seconds;
    long period = 1_000_000_000L / rate;
    long[] latencies = new long[n];
    AtomicInteger errors = new AtomicInteger();
    long start = System.nanoTime() + 50_000_000L;
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int c = 0; c < connections; c++) {
      int connection = c;
      Thread thread =
          new Thread(
              () -> {
                try (Socket socket = new Socket("127.0.0.1", port)) {
                  socket.setTcpNoDelay(true);
                  socket.setSoTimeout(30_000);
                  OutputStream out = socket.getOutputStream();
                  InputStream in = new BufferedInputStream(socket.getInputStream());
                  for (int i = connection; i < n; i += connections) {
                    long due = start + i * period;
                    long wait;
                    while ((wait = due - System.nanoTime()) > 0) {
                      LockSupport.parkNanos(wait);
                    }
                    out.write(request(bodies.get(i % bodies.size())));
                    out.flush();
                    if (readResponse(in) != 200) {
                      errors.incrementAndGet();
                    }
                    latencies[i] = System.nanoTime() - due;
                  }
                } catch (IOException | RuntimeException e) {
                  failures.add(e);
                }
              },
              "load-" + c);
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join();
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException(
          "Load connection failed: " + failures.get(0), failures.get(0));
    }
    if (errors.get() > 0) {
      throw new IllegalStateException(
          errors.get() + " of " + n + " requests were not answered 200");
    }
    return latencies;
  }

  private byte[] request(byte[] body) {
    byte[] head =
        ("POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                + token
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] request = new byte[head.length + body.length];
    System.arraycopy(head, 0, request, 0, head.length);
    System.arraycopy(body, 0, request, head.length, body.length);
    return request;
  }

  /** Reads one response (Content-Length or chunked body) and returns its status. */
  private static int readResponse(InputStream in) throws IOException {
    String statusLine = line(in);
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    long length = -1;
    boolean chunked = false;
    String header;
    while (!(header = line(in)).isEmpty()) {
      String lower = header.toLowerCase(Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        length = Long.parseLong(header.substring(15).trim());
      } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
        chunked = true;
      }
    }
    if (chunked) {
      long size;
      while ((size = Long.parseLong(line(in).split(";")[0].trim(), 16)) > 0) {
        in.skipNBytes(size);
        line(in);
      }
      line(in);
    } else if (length > 0) {
      in.skipNBytes(length);
    }
    return status;
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(64);
    int b;
    while ((b = in.read()) != -1 && b != '\n') {
      if (b != '\r') {
        line.write(b);
      }
    }
    if (b == -1 && line.size() == 0) {
      throw new IOException("Connection closed by the server");
    }
    return line.toString(StandardCharsets.US_ASCII);
  }
}
