// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakepipe.serving.ServingErrors;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bundle of the model version an MLflow registry alias points to, read over MLflow's REST API
 * with plain {@code java.net.http} (no MLflow client: it would bring protobuf and more for three
 * calls).
 *
 * <p>The alias resolves to a version and its run ({@code GET registered-models/alias}); the run
 * gives its artifact URI ({@code GET runs/get}); the bundle is the run's {@code pmml/} artifacts,
 * fetched through the server's artifact proxy for {@code mlflow-artifacts:/} URIs, or read directly
 * for {@code file:} and {@code s3://} artifact stores. Credentials, when the server needs them,
 * come from the environment as for MLflow's own clients: {@code MLFLOW_TRACKING_TOKEN}, or {@code
 * MLFLOW_TRACKING_USERNAME} and {@code MLFLOW_TRACKING_PASSWORD}.
 */
public final class RegistryBundleSource implements BundleSource {
  /** Folder of the run's artifacts that holds the bundle. */
  public static final String ARTIFACT_DIR = "pmml";

  private static final Logger LOG = LoggerFactory.getLogger(RegistryBundleSource.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final URI trackingUri;
  private final String model;
  private final String alias;
  private final Map<String, String> env;
  private final HttpClient http;

  /** The version an alias points to, and the run that produced it. */
  public record AliasTarget(String version, String runId) {}

  public RegistryBundleSource(
      URI trackingUri, String model, String alias, Map<String, String> env) {
    String base = trackingUri.toString().replaceAll("/+$", "");
    this.trackingUri = URI.create(base);
    this.model = model;
    this.alias = alias;
    this.env = Map.copyOf(env);
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  @Override
  public String location() {
    return "models:/" + model + "@" + alias + " at " + trackingUri;
  }

  @Override
  public boolean watchable() {
    return true;
  }

  @Override
  public Optional<String> currentRevision() {
    return Optional.of(resolveAlias().version());
  }

  @Override
  public Bundle load() {
    AliasTarget target = resolveAlias();
    Bundle bundle = fetch(target);
    if (!bundle.manifest().modelVersion().equals(target.version())) {
      // Served all the same: the registry decides what serves, bundle.json only describes it.
      LOG.warn(
          "The bundle of {} version {} says model_version {}: responses and metrics carry the"
              + " bundle's; fix the export so that both agree",
          location(),
          target.version(),
          bundle.manifest().modelVersion());
    }
    return bundle;
  }

  private Bundle fetch(AliasTarget target) {
    String artifactUri = runArtifactUri(target.runId());
    String where = location() + " (version " + target.version() + ", run " + target.runId() + ")";
    if (artifactUri.startsWith("mlflow-artifacts:")) {
      String path = URI.create(artifactUri).getPath().replaceAll("^/+", "").replaceAll("/+$", "");
      String base = "/api/2.0/mlflow-artifacts/artifacts/" + path + "/" + ARTIFACT_DIR + "/";
      byte[] manifest = artifact(base + Bundle.MANIFEST_FILE, where, Bundle.MANIFEST_FILE);
      byte[] pmml = artifact(base + Bundle.PMML_FILE, where, Bundle.PMML_FILE);
      return Bundle.of(where, target.version(), manifest, pmml);
    }
    // Servers started without --serve-artifacts hand out their store's own URI: read it directly.
    BundleSource direct;
    if (artifactUri.startsWith("s3://")) {
      direct = S3BundleSource.fromEnvironment(URI.create(artifactUri + "/" + ARTIFACT_DIR), env);
    } else if (artifactUri.startsWith("file:")) {
      direct = new FolderBundleSource(Path.of(URI.create(artifactUri)).resolve(ARTIFACT_DIR));
    } else if (artifactUri.startsWith("/")) {
      direct = new FolderBundleSource(Path.of(artifactUri).resolve(ARTIFACT_DIR));
    } else {
      throw ServingErrors.unsupportedArtifactUri(target.runId(), artifactUri);
    }
    return direct.load().withOrigin(where + " from " + direct.location(), target.version());
  }

  /** Asks the registry which version the alias points to now. */
  public AliasTarget resolveAlias() {
    String path =
        "/api/2.0/mlflow/registered-models/alias?name=" + encode(model) + "&alias=" + encode(alias);
    JsonNode version =
        getJson(path, "resolve the alias '" + alias + "' of model '" + model + "'")
            .path("model_version");
    String number = version.path("version").asText("");
    String runId = version.path("run_id").asText("");
    if (number.isEmpty() || runId.isEmpty()) {
      throw ServingErrors.registryAnswer(
          trackingUri,
          "the alias '" + alias + "'",
          "a model version without version or run_id: " + version);
    }
    return new AliasTarget(number, runId);
  }

  private String runArtifactUri(String runId) {
    JsonNode info =
        getJson("/api/2.0/mlflow/runs/get?run_id=" + encode(runId), "read the run " + runId)
            .path("run")
            .path("info");
    String artifactUri = info.path("artifact_uri").asText("");
    if (artifactUri.isEmpty()) {
      throw ServingErrors.registryAnswer(trackingUri, "the run " + runId, "no artifact_uri");
    }
    return artifactUri;
  }

  private JsonNode getJson(String pathAndQuery, String what) {
    HttpResponse<byte[]> response = get(pathAndQuery);
    if (response.statusCode() != 200) {
      throw ServingErrors.registryRefused(
          trackingUri,
          what,
          response.statusCode(),
          new String(response.body(), StandardCharsets.UTF_8));
    }
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw ServingErrors.registryAnswer(trackingUri, "'" + what + "'", "a body that is not JSON");
    }
  }

  private byte[] artifact(String path, String where, String file) {
    HttpResponse<byte[]> response = get(path);
    if (response.statusCode() == 404) {
      throw ServingErrors.missingFile(where, ARTIFACT_DIR + "/" + file);
    }
    if (response.statusCode() != 200) {
      throw ServingErrors.registryRefused(
          trackingUri,
          "send the artifact " + ARTIFACT_DIR + "/" + file,
          response.statusCode(),
          new String(response.body(), StandardCharsets.UTF_8));
    }
    return response.body();
  }

  private HttpResponse<byte[]> get(String pathAndQuery) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(trackingUri + pathAndQuery)).timeout(TIMEOUT).GET();
    authorization().ifPresent(value -> request.header("Authorization", value));
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw ServingErrors.registryUnreachable(trackingUri, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ServingErrors.registryUnreachable(trackingUri, e);
    }
  }

  private Optional<String> authorization() {
    String token = env.getOrDefault("MLFLOW_TRACKING_TOKEN", "");
    if (!token.isBlank()) {
      return Optional.of("Bearer " + token);
    }
    String user = env.getOrDefault("MLFLOW_TRACKING_USERNAME", "");
    if (!user.isBlank()) {
      String password = env.getOrDefault("MLFLOW_TRACKING_PASSWORD", "");
      return Optional.of(
          "Basic "
              + Base64.getEncoder()
                  .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }
    return Optional.empty();
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
