// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Run artifacts through the tracking server's artifact proxy ({@code
 * /api/2.0/mlflow-artifacts/artifacts}), so that neither a Spark driver nor the scorer needs
 * Python, a disk shared with the server, or the store's own credentials. Only {@code
 * mlflow-artifacts:} URIs, what {@code mlflow server --serve-artifacts} (its default) hands out, go
 * this way.
 */
public final class MlflowArtifacts {
  /** The scheme of the artifact URIs that the proxy serves. */
  public static final String SCHEME = "mlflow-artifacts:";

  private static final String API = "/api/2.0/mlflow-artifacts/artifacts";

  private final MlflowHttp http;

  public MlflowArtifacts(MlflowHttp http) {
    this.http = http;
  }

  /** One entry of a listing: its path relative to the proxy's root, and whether it is a folder. */
  public record Entry(String path, boolean directory, long size) {
    public String name() {
      return path.substring(path.lastIndexOf('/') + 1);
    }
  }

  /** Whether {@code artifactUri} goes through the proxy (else the store must be read directly). */
  public static boolean proxied(String artifactUri) {
    return artifactUri.startsWith(SCHEME);
  }

  /** The entries of the artifact folder {@code artifactUri}; empty if there is none. */
  public List<Entry> list(String artifactUri) {
    String remote = relativePath(artifactUri);
    JsonNode files =
        http.getJson(API + "?path=" + MlflowHttp.encode(remote), "list " + remote).path("files");
    List<Entry> entries = new ArrayList<>();
    for (JsonNode file : files) {
      String path = file.path("path").asText();
      // The proxy answers paths relative to the listed folder.
      String full = remote.isEmpty() ? path : remote + "/" + Path.of(path).getFileName();
      entries.add(
          new Entry(full, file.path("is_dir").asBoolean(), file.path("file_size").asLong(0)));
    }
    return entries;
  }

  /** The content of the artifact file {@code artifactUri}. */
  public byte[] read(String artifactUri) {
    String remote = relativePath(artifactUri);
    return http.download(endpoint(remote), "download " + remote);
  }

  /** Downloads the artifact folder {@code artifactUri}, recursively, into {@code target}. */
  public void downloadDirectory(String artifactUri, Path target) {
    download(relativePath(artifactUri), target);
  }

  /**
   * Uploads every file under {@code localDir} to the folder {@code artifactPath} of {@code
   * artifactUri}; files already there under the same names are replaced.
   */
  public void uploadDirectory(String artifactUri, Path localDir, String artifactPath) {
    String base = relativePath(artifactUri) + "/" + artifactPath;
    try (Stream<Path> files = Files.walk(localDir)) {
      for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        String relative = localDir.relativize(file).toString().replace('\\', '/');
        http.upload(endpoint(base + "/" + relative), file, "upload " + relative);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + localDir, e);
    }
  }

  private void download(String remoteDir, Path target) {
    List<Entry> entries = list(SCHEME + remoteDir);
    if (entries.isEmpty()) {
      throw new MlflowException("list " + remoteDir, "no artifacts there", null);
    }
    try {
      Files.createDirectories(target);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + target, e);
    }
    for (Entry entry : entries) {
      String remote = remoteDir + "/" + entry.name();
      if (entry.directory()) {
        download(remote, target.resolve(entry.name()));
      } else {
        http.download(endpoint(remote), target.resolve(entry.name()), "download " + remote);
      }
    }
  }

  /** The path under the proxy's root of an {@code mlflow-artifacts:} URI, without outer slashes. */
  static String relativePath(String artifactUri) {
    if (!proxied(artifactUri)) {
      throw new MlflowException(
          "artifact access",
          "the run's artifact location "
              + artifactUri
              + " is not served by the tracking server; start `mlflow server` with"
              + " --serve-artifacts (its default) so that clients upload over HTTP",
          null);
    }
    String path = artifactUri.substring(SCHEME.length());
    // mlflow-artifacts://host:port/path names the server too; the path is what the proxy serves.
    if (path.startsWith("//")) {
      int slash = path.indexOf('/', 2);
      path = slash < 0 ? "" : path.substring(slash);
    }
    return path.replaceAll("^/+", "").replaceAll("/+$", "");
  }

  private String endpoint(String relative) {
    StringBuilder path = new StringBuilder(API);
    for (String part : relative.split("/")) {
      if (!part.isEmpty()) {
        path.append('/').append(MlflowHttp.encode(part).replace("+", "%20"));
      }
    }
    return path.toString();
  }
}
