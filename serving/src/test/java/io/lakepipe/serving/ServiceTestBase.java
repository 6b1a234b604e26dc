// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * What the HTTP tests share: a JDK HTTP client and small helpers to call a running service on
 * loopback and read its JSON answers. Every test talks to a real {@link ScoringService} over a real
 * socket.
 */
public abstract class ServiceTestBase {
  protected static final String TOKEN = "test-token-0123456789";
  protected static final ObjectMapper JSON = new ObjectMapper();
  protected static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** An answer: status, body, and the body as JSON when it is JSON. */
  public record Answer(int status, String body, HttpResponse<String> response) {
    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("Not JSON: " + body, e);
      }
    }
  }

  protected static Answer send(int port, String method, String path, String body, String token) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return send(request.build());
  }

  protected static Answer send(HttpRequest request) {
    return send(HTTP, request);
  }

  protected static Answer send(HttpClient client, HttpRequest request) {
    try {
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.body(), response);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  protected static Answer predict(int port, String body) {
    return send(port, "POST", "/predict", body, TOKEN);
  }

  /**
   * The value of one series of the service's /metrics, named as Prometheus text writes it (labels
   * in alphabetical order), e.g. {@code lakepipe_serving_reloads_total{result="success"}}; NaN when
   * the series is absent.
   */
  protected static double metric(int port, String series) {
    String metrics = send(port, "GET", "/metrics", null, TOKEN).body();
    for (String line : metrics.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return Double.NaN;
  }

  /** A record of the test model's three inputs as JSON; null values are written as JSON null. */
  protected static String record(Object hour, Object distance, Object origin) {
    return "{\"hour\": "
        + literal(hour)
        + ", \"distance\": "
        + literal(distance)
        + ", \"origin\": "
        + literal(origin)
        + "}";
  }

  private static String literal(Object value) {
    return value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
  }
}
