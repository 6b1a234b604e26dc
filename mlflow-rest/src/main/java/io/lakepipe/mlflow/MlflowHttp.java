// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * The transport of every MLflow call: signed requests to one tracking server, answers checked, and
 * failures turned into {@link MlflowException}s that name the call. JSON calls go to MLflow's REST
 * API ({@code /api/2.0/mlflow/<endpoint>}); file transfers to any path of the server.
 */
public final class MlflowHttp {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final String API = "/api/2.0/mlflow/";

  private final MlflowCredentials credentials;
  private final HttpClient http;
  private final Duration callTimeout;
  private final Duration transferTimeout;

  /**
   * @param callTimeout how long a JSON call may take
   * @param transferTimeout how long one file upload or download may take
   */
  public MlflowHttp(
      MlflowCredentials credentials,
      Duration connectTimeout,
      Duration callTimeout,
      Duration transferTimeout) {
    this.credentials = credentials;
    this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
    this.callTimeout = callTimeout;
    this.transferTimeout = transferTimeout;
  }

  /** One timeout for connecting and calls; a file transfer may take six times as long. */
  public MlflowHttp(MlflowCredentials credentials, Duration timeout) {
    this(credentials, timeout, timeout, timeout.multipliedBy(6));
  }

  /** The server's address, without credentials: what messages may show. */
  public String uri() {
    return credentials.uri();
  }

  /** Asks the server's {@code /health}; any answer but 200 is a {@link MlflowRefusedException}. */
  public void checkHealth() {
    HttpResponse<byte[]> answer =
        send(
            request("/health", callTimeout).GET(),
            HttpResponse.BodyHandlers.ofByteArray(),
            "health");
    if (answer.statusCode() != 200) {
      throw refused("health", answer.statusCode(), answer.body());
    }
  }

  /** {@code GET /api/2.0/mlflow/<endpoint>?<query>}, its JSON answer. */
  public JsonNode get(String endpoint, Map<String, String> query) {
    StringJoiner parameters = new StringJoiner("&", "?", "").setEmptyValue("");
    // In key order, so that the same call is the same URL (logs, tests).
    new TreeMap<>(query).forEach((key, value) -> parameters.add(encode(key) + "=" + encode(value)));
    return json(request(API + endpoint + parameters, callTimeout).GET(), endpoint);
  }

  /** {@code POST /api/2.0/mlflow/<endpoint>} with a JSON body, its JSON answer. */
  public JsonNode post(String endpoint, JsonNode body) {
    return json(withJson(API + endpoint, "POST", body), endpoint);
  }

  /** {@code PATCH /api/2.0/mlflow/<endpoint>} with a JSON body (MLflow 3's logged models). */
  public JsonNode patch(String endpoint, JsonNode body) {
    return json(withJson(API + endpoint, "PATCH", body), endpoint);
  }

  /** {@code DELETE /api/2.0/mlflow/<endpoint>} with a JSON body, as MLflow's deletes take it. */
  public JsonNode delete(String endpoint, JsonNode body) {
    return json(withJson(API + endpoint, "DELETE", body), endpoint);
  }

  /** The bytes at {@code path} (already encoded), a 2xx answer's. */
  byte[] download(String path, String call) {
    HttpResponse<byte[]> answer =
        send(request(path, transferTimeout).GET(), HttpResponse.BodyHandlers.ofByteArray(), call);
    if (answer.statusCode() / 100 != 2) {
      throw refused(call, answer.statusCode(), answer.body());
    }
    return answer.body();
  }

  /** Streams {@code path} (already encoded) into {@code file}, replacing it. */
  void download(String path, Path file, String call) {
    HttpResponse<InputStream> answer =
        send(request(path, transferTimeout).GET(), HttpResponse.BodyHandlers.ofInputStream(), call);
    try (InputStream body = answer.body()) {
      if (answer.statusCode() / 100 != 2) {
        throw refused(call, answer.statusCode(), body.readAllBytes());
      }
      Files.copy(body, file, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new MlflowException(call, "cannot write " + file + " (" + e.getMessage() + ")", e);
    }
  }

  /** PUTs {@code file} to {@code path} (already encoded). */
  void upload(String path, Path file, String call) {
    HttpRequest.Builder put;
    try {
      put = request(path, transferTimeout).PUT(HttpRequest.BodyPublishers.ofFile(file));
    } catch (FileNotFoundException e) {
      throw new MlflowException(call, "cannot read " + file, e);
    }
    HttpResponse<byte[]> answer = send(put, HttpResponse.BodyHandlers.ofByteArray(), call);
    if (answer.statusCode() / 100 != 2) {
      throw refused(call, answer.statusCode(), answer.body());
    }
  }

  /** {@code GET} of a JSON answer at any path of the server (already encoded). */
  JsonNode getJson(String pathAndQuery, String call) {
    return json(request(pathAndQuery, callTimeout).GET(), call);
  }

  static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private HttpRequest.Builder withJson(String path, String method, JsonNode body) {
    return request(path, callTimeout)
        .header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
  }

  private HttpRequest.Builder request(String pathAndQuery, Duration timeout) {
    return credentials.sign(
        HttpRequest.newBuilder(URI.create(uri() + pathAndQuery)).timeout(timeout));
  }

  private JsonNode json(HttpRequest.Builder request, String call) {
    HttpResponse<byte[]> answer = send(request, HttpResponse.BodyHandlers.ofByteArray(), call);
    if (answer.statusCode() / 100 != 2) {
      throw refused(call, answer.statusCode(), answer.body());
    }
    try {
      JsonNode json = JSON.readTree(answer.body());
      return json == null ? MissingNode.getInstance() : json;
    } catch (IOException e) {
      throw new MlflowException(call, "a body that is not JSON", e);
    }
  }

  private <T> HttpResponse<T> send(
      HttpRequest.Builder request, HttpResponse.BodyHandler<T> body, String call) {
    try {
      try {
        return http.send(request.build(), body);
      } catch (IOException e) {
        if (!staleConnection(e)) {
          throw e;
        }
        // A kept-alive connection that the server had closed: the request never reached it, so it
        // is sent once more, on a new connection.
        return http.send(request.build(), body);
      }
    } catch (IOException e) {
      throw new MlflowUnreachableException(call, uri(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MlflowUnreachableException(call, uri(), e);
    }
  }

  /**
   * Whether the failure is a pooled connection the server closed while it was idle ("Broken pipe"
   * writing the request, or no byte of an answer), not a timeout or a refused connection.
   */
  static boolean staleConnection(IOException e) {
    if (e instanceof HttpTimeoutException || e instanceof ConnectException) {
      return false;
    }
    String message = String.valueOf(e.getMessage());
    return message.contains("Broken pipe") || message.contains("received no bytes");
  }

  private static MlflowRefusedException refused(String call, int status, byte[] body) {
    return new MlflowRefusedException(call, status, new String(body, StandardCharsets.UTF_8));
  }
}
