// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.bundle;

import io.lakepipe.mlflow.MlflowArtifacts;
import io.lakepipe.mlflow.MlflowCredentials;
import io.lakepipe.mlflow.MlflowException;
import io.lakepipe.mlflow.MlflowHttp;
import io.lakepipe.mlflow.MlflowRefusedException;
import io.lakepipe.mlflow.MlflowRegistry;
import io.lakepipe.mlflow.MlflowRestClient;
import io.lakepipe.mlflow.MlflowUnreachableException;
import io.lakepipe.serving.BundleException;
import io.lakepipe.serving.ServingErrors;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bundle of the model version an MLflow registry alias points to, read over MLflow's REST API
 * with lakepipe's REST client (mlflow-rest, which the jobs share; no MLflow client: it would bring
 * protobuf and more for three calls).
 *
 * <p>The alias resolves to a version and its run ({@code GET registered-models/alias}); the run
 * gives its artifact URI ({@code GET runs/get}); the bundle is the run's {@code pmml/} artifacts,
 * fetched through the server's artifact proxy for {@code mlflow-artifacts:/} URIs, or read directly
 * for {@code file:} and {@code s3://} artifact stores. Credentials, when the server needs them,
 * come from the environment as for MLflow's own clients: {@code MLFLOW_TRACKING_TOKEN}, or {@code
 * MLFLOW_TRACKING_USERNAME} and {@code MLFLOW_TRACKING_PASSWORD}, or a {@code user:password@} in
 * the tracking URI, which messages never show.
 */
public final class RegistryBundleSource implements BundleSource {
  /**
   * Folder of the run's artifacts that holds the bundle, whatever its format: an ONNX bundle is
   * read from {@code pmml/} too, as the bundle contract names no other folder.
   */
  public static final String ARTIFACT_DIR = "pmml";

  private static final Logger LOG = LoggerFactory.getLogger(RegistryBundleSource.class);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final URI trackingUri;
  private final String model;
  private final String alias;
  private final Map<String, String> env;
  private final MlflowRestClient mlflow;

  /** The version an alias points to, and the run that produced it. */
  public record AliasTarget(String version, String runId) {}

  public RegistryBundleSource(
      URI trackingUri, String model, String alias, Map<String, String> env) {
    MlflowCredentials credentials = MlflowCredentials.resolve(trackingUri.toString(), env);
    this.trackingUri = URI.create(credentials.uri());
    this.model = model;
    this.alias = alias;
    this.env = Map.copyOf(env);
    this.mlflow =
        new MlflowRestClient(new MlflowHttp(credentials, CONNECT_TIMEOUT, TIMEOUT, TIMEOUT));
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
    if (MlflowArtifacts.proxied(artifactUri)) {
      return Bundle.read(where, target.version(), file -> artifact(artifactUri, where, file));
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
    MlflowRegistry.Version version =
        ask(
            "resolve the alias '" + alias + "' of model '" + model + "'",
            () -> mlflow.registry().versionByAlias(model, alias));
    if (version.version().isEmpty() || version.runId().isEmpty()) {
      throw ServingErrors.registryAnswer(
          trackingUri,
          "the alias '" + alias + "'",
          "a model version without version or run_id: " + version);
    }
    return new AliasTarget(version.version(), version.runId());
  }

  private String runArtifactUri(String runId) {
    String artifactUri = ask("read the run " + runId, () -> mlflow.runs().get(runId)).artifactUri();
    if (artifactUri.isEmpty()) {
      throw ServingErrors.registryAnswer(trackingUri, "the run " + runId, "no artifact_uri");
    }
    return artifactUri;
  }

  private byte[] artifact(String runArtifactUri, String where, String file) {
    String name = ARTIFACT_DIR + "/" + file;
    try {
      return mlflow.artifacts().read(runArtifactUri + "/" + name);
    } catch (MlflowRefusedException e) {
      if (e.status() == 404) {
        throw ServingErrors.missingFile(where, name);
      }
      throw failure("send the artifact " + name, e);
    } catch (MlflowException e) {
      throw failure("send the artifact " + name, e);
    }
  }

  /** Makes one registry call; its failure becomes the service's message for {@code what}. */
  private <T> T ask(String what, Supplier<T> call) {
    try {
      return call.get();
    } catch (MlflowException e) {
      throw failure(what, e);
    }
  }

  private BundleException failure(String what, MlflowException e) {
    if (e instanceof MlflowUnreachableException) {
      return ServingErrors.registryUnreachable(trackingUri, e.getCause());
    }
    if (e instanceof MlflowRefusedException refused) {
      return ServingErrors.registryRefused(trackingUri, what, refused.status(), refused.body());
    }
    return ServingErrors.registryAnswer(trackingUri, "'" + what + "'", e.detail());
  }
}
