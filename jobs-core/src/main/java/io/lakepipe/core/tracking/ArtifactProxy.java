// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakepipe.core.LakepipeErrors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * Uploads and downloads run artifacts through the tracking server's artifact proxy ({@code
 * /api/2.0/mlflow-artifacts/artifacts}), so that a Spark driver needs neither Python nor a disk
 * shared with the server. Only {@code mlflow-artifacts:} URIs are supported.
 */
final class ArtifactProxy {
  private static final String SCHEME = "mlflow-artifacts:";
  private static final String API = "/api/2.0/mlflow-artifacts/artifacts";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String trackingUri;
  private final MlflowCredentials credentials;
  private final HttpClient http;
  private final Duration timeout;

  ArtifactProxy(MlflowCredentials credentials, Duration timeout) {
    this.trackingUri = credentials.uri();
    this.credentials = credentials;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /** Uploads every file under {@code localDir} to {@code artifactUri}/{@code artifactPath}. */
  void uploadDirectory(String artifactUri, Path localDir, String artifactPath) {
    String base = relativePath(artifactUri) + "/" + artifactPath;
    try (Stream<Path> files = Files.walk(localDir)) {
      for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        String relative = localDir.relativize(file).toString().replace('\\', '/');
        HttpRequest request =
            HttpRequest.newBuilder(endpoint(base + "/" + relative))
                .timeout(timeout.multipliedBy(6))
                .PUT(HttpRequest.BodyPublishers.ofFile(file))
                .build();
        send(request, HttpResponse.BodyHandlers.ofString(), "upload " + relative);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + localDir, e);
    }
  }

  /** Downloads the artifact directory {@code artifactUri} (recursively) into {@code target}. */
  void downloadDirectory(String artifactUri, Path target) {
    download(relativePath(artifactUri), target);
  }

  private void download(String remoteDir, Path target) {
    String query = API + "?path=" + URLEncoder.encode(remoteDir, StandardCharsets.UTF_8);
    HttpRequest list =
        HttpRequest.newBuilder(URI.create(trackingUri + query)).timeout(timeout).GET().build();
    JsonNode files;
    try {
      files =
          JSON.readTree(
                  send(list, HttpResponse.BodyHandlers.ofString(), "list " + remoteDir).body())
              .path("files");
    } catch (IOException e) {
      throw LakepipeErrors.trackingCallFailed("list " + remoteDir, e.getMessage(), e);
    }
    if (files.isEmpty()) {
      throw LakepipeErrors.trackingCallFailed("list " + remoteDir, "no artifacts there", null);
    }
    try {
      Files.createDirectories(target);
      for (JsonNode file : files) {
        String name = Path.of(file.path("path").asText()).getFileName().toString();
        String remote = remoteDir + "/" + name;
        if (file.path("is_dir").asBoolean()) {
          download(remote, target.resolve(name));
        } else {
          HttpRequest get =
              HttpRequest.newBuilder(endpoint(remote))
                  .timeout(timeout.multipliedBy(6))
                  .GET()
                  .build();
          send(get, HttpResponse.BodyHandlers.ofFile(target.resolve(name)), "download " + remote);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + target, e);
    }
  }

  private static String relativePath(String artifactUri) {
    if (!artifactUri.startsWith(SCHEME)) {
      throw LakepipeErrors.trackingCallFailed(
          "artifact access",
          "the run's artifact location "
              + artifactUri
              + " is not served by the tracking server; start `mlflow server` with"
              + " --serve-artifacts (its default) so that clients upload over HTTP",
          null);
    }
    return artifactUri.substring(SCHEME.length()).replaceAll("^/+", "").replaceAll("/+$", "");
  }

  private URI endpoint(String relative) {
    StringBuilder path = new StringBuilder(trackingUri).append(API);
    for (String part : relative.split("/")) {
      if (!part.isEmpty()) {
        path.append('/')
            .append(URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20"));
      }
    }
    return URI.create(path.toString());
  }

  private HttpRequest signed(HttpRequest request) {
    return credentials.sign(HttpRequest.newBuilder(request, (name, value) -> true)).build();
  }

  /** Sends a request; a non-2xx answer or no answer becomes a one-line lakepipe error. */
  private <T> HttpResponse<T> send(
      HttpRequest request, HttpResponse.BodyHandler<T> body, String call) {
    try {
      HttpResponse<T> response = http.send(signed(request), body);
      if (response.statusCode() / 100 != 2) {
        String detail = response.body() instanceof String text ? " " + text : "";
        throw LakepipeErrors.trackingCallFailed(
            call, "HTTP " + response.statusCode() + detail, null);
      }
      return response;
    } catch (IOException e) {
      throw LakepipeErrors.trackingUnreachable(trackingUri, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw LakepipeErrors.trackingCallFailed(call, "interrupted", e);
    }
  }
}
