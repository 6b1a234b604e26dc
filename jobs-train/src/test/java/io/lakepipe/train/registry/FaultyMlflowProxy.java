// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A proxy on loopback in front of the real MLflow server that fails one chosen call: the k-th
 * request to an endpoint (a path under {@code /api/2.0/mlflow/}, such as {@code
 * registered-models/alias}) with a given method is answered 503 without reaching the server, or is
 * passed on and its answer withheld until the client gives up, as a response lost after the server
 * acted, or is held back before it reaches the server. Every other request is passed on as it is.
 */
final class FaultyMlflowProxy implements AutoCloseable {
  /** What the chosen call gets. */
  enum Fault {
    /** 503, and the server never sees the request. */
    UNAVAILABLE,
    /** The server acts on the request, and the answer never comes back in time. */
    LOST_RESPONSE,
    /** The request reaches the server only after the stall (a slow network); answered as usual. */
    DELAYED
  }

  private static final Set<String> HOP_BY_HOP =
      Set.of("connection", "content-length", "host", "transfer-encoding", "upgrade", "expect");

  private final HttpServer server;
  private final HttpClient upstream = HttpClient.newHttpClient();
  private final URI target;
  private final String method;
  private final String endpoint;
  private final Fault fault;
  private final int occurrence;
  private final Duration stall;
  private final AtomicInteger seen = new AtomicInteger();
  private final AtomicInteger faults = new AtomicInteger();
  private final CountDownLatch faulted = new CountDownLatch(1);

  /** Fails the {@code occurrence}-th (from 1) {@code method} request to {@code endpoint}. */
  FaultyMlflowProxy(
      String target, String method, String endpoint, int occurrence, Fault fault, Duration stall) {
    this.target = URI.create(target.replaceAll("/+$", ""));
    this.method = method;
    this.endpoint = "/api/2.0/mlflow/" + endpoint;
    this.occurrence = occurrence;
    this.fault = fault;
    this.stall = stall;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", this::handle);
    server.start();
  }

  /** The proxy's address, to connect a client to instead of the server's. */
  String uri() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Waits until the chosen request has arrived; false if it has not within {@code timeout}. */
  boolean awaitFault(Duration timeout) throws InterruptedException {
    return faulted.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** How many requests the fault was applied to (at most one). */
  int faultsApplied() {
    return faults.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      boolean chosen =
          exchange.getRequestMethod().equals(method)
              && exchange.getRequestURI().getPath().equals(endpoint)
              && seen.incrementAndGet() == occurrence;
      if (chosen) {
        faults.incrementAndGet();
        faulted.countDown();
      }
      if (chosen && fault == Fault.UNAVAILABLE) {
        respond(
            exchange,
            503,
            "{\"error_code\": \"TEMPORARILY_UNAVAILABLE\"}".getBytes(StandardCharsets.UTF_8));
        return;
      }
      if (chosen && fault == Fault.DELAYED) {
        sleep(stall);
      }
      HttpResponse<byte[]> answer = forward(exchange, body);
      if (chosen && fault == Fault.LOST_RESPONSE) {
        // LOST_RESPONSE: the server has acted; the client waits past its timeout.
        sleep(stall);
      }
      respond(exchange, answer.statusCode(), answer.body());
    }
  }

  private HttpResponse<byte[]> forward(HttpExchange exchange, byte[] body) throws IOException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(target.resolve(exchange.getRequestURI().toString()))
            .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
    exchange
        .getRequestHeaders()
        .forEach(
            (name, values) -> {
              if (!HOP_BY_HOP.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                values.forEach(value -> request.header(name, value));
              }
            });
    try {
      return upstream.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.getResponseHeaders().put("Content-Type", List.of("application/json"));
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    exchange.getResponseBody().write(body);
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
