// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.mlflow;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in tracking server on a loopback port: answers set per path (query included), and a
 * record of every request, with its Authorization header and body.
 */
final class FakeMlflowServer implements AutoCloseable {
  record Answer(int status, byte[] body) {
    static Answer json(int status, String body) {
      return new Answer(status, body.getBytes(StandardCharsets.UTF_8));
    }
  }

  record Request(String method, String pathAndQuery, String authorization, byte[] body) {}

  private final HttpServer server;
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  final List<Request> requests = new CopyOnWriteArrayList<>();

  FakeMlflowServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  String uri() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Answers {@code pathAndQuery} (as sent, encoded) with {@code answer}; unknown paths get 404. */
  FakeMlflowServer on(String pathAndQuery, Answer answer) {
    answers.put(pathAndQuery, answer);
    return this;
  }

  private void handle(HttpExchange exchange) throws IOException {
    String target = exchange.getRequestURI().getRawPath();
    if (exchange.getRequestURI().getRawQuery() != null) {
      target += "?" + exchange.getRequestURI().getRawQuery();
    }
    byte[] body = exchange.getRequestBody().readAllBytes();
    requests.add(
        new Request(
            exchange.getRequestMethod(),
            target,
            exchange.getRequestHeaders().getFirst("Authorization"),
            body));
    Answer answer =
        answers.getOrDefault(
            target,
            Answer.json(
                404, "{\"error_code\": \"ENDPOINT_NOT_FOUND\", \"message\": \"no route\"}"));
    exchange.sendResponseHeaders(
        answer.status(), answer.body().length == 0 ? -1 : answer.body().length);
    exchange.getResponseBody().write(answer.body());
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
