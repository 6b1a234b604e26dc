// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.tracking;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.mlflow.MlflowCredentials;
import io.lakepipe.mlflow.MlflowHttp;
import io.lakepipe.mlflow.MlflowLoggedModels;
import io.lakepipe.mlflow.MlflowRefusedException;
import io.lakepipe.mlflow.MlflowRegistry;
import io.lakepipe.mlflow.MlflowRestClient;
import io.lakepipe.mlflow.MlflowRuns;
import io.lakepipe.mlflow.MlflowUnreachableException;
import io.lakepipe.mlflow.RunStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs' access to an MLflow tracking server, configured from {@code lakepipe.mlflow}:
 * experiments, runs that always end (FINISHED, or FAILED when their body throws), artifacts over
 * the server's HTTP proxy, and the model registry. Every call goes through lakepipe's REST client
 * (mlflow-rest); failures become {@link LakepipeErrors}.
 */
public final class MlflowTracking implements AutoCloseable {

  /** The tag by which MLflow nests a run under another. */
  public static final String PARENT_RUN_TAG = "mlflow.parentRunId";

  private static final Logger LOG = LoggerFactory.getLogger(MlflowTracking.class);

  private final String trackingUri;
  private final MlflowRestClient rest;

  private MlflowTracking(MlflowRestClient rest) {
    this.trackingUri = rest.uri();
    this.rest = rest;
  }

  /**
   * Connects to {@code lakepipe.mlflow.tracking-uri}, failing fast if the server does not answer.
   */
  public static MlflowTracking connect(LakepipeConfig config) {
    return connect(
        config.string("mlflow.tracking-uri"),
        Duration.ofSeconds(config.integer("mlflow.timeout-seconds")));
  }

  /**
   * Connects to a tracking server, signed in with MLflow's environment variables (see {@link
   * MlflowCredentials}), failing fast if it does not answer its health check.
   */
  public static MlflowTracking connect(String trackingUri, Duration timeout) {
    return connect(trackingUri, timeout, System.getenv());
  }

  /** Connects with the credentials that {@code env} (an environment) and the URI give. */
  public static MlflowTracking connect(
      String trackingUri, Duration timeout, Map<String, String> env) {
    MlflowCredentials credentials = MlflowCredentials.resolve(trackingUri, env);
    String uri = credentials.uri();
    MlflowRestClient rest = new MlflowRestClient(new MlflowHttp(credentials, timeout));
    try {
      rest.http().checkHealth();
    } catch (MlflowUnreachableException e) {
      throw LakepipeErrors.trackingUnreachable(uri, e.getCause());
    } catch (MlflowRefusedException e) {
      throw LakepipeErrors.trackingUnreachable(
          uri, new IOException("health check answered HTTP " + e.status()));
    } catch (IllegalArgumentException e) {
      throw LakepipeErrors.trackingUnreachable(uri, e);
    }
    return new MlflowTracking(rest);
  }

  public String trackingUri() {
    return trackingUri;
  }

  /** Returns the id of the named experiment, creating it on first use. */
  public String experimentId(String name) {
    String id =
        call(
            "get or create experiment " + name,
            () -> rest.experiments().findId(name).orElseGet(() -> rest.experiments().create(name)));
    // MLflow 3's UI opens an experiment in its GenAI view unless told it holds classic model
    // training.
    call(
        "tag experiment " + name,
        () -> {
          rest.experiments().setTag(id, "mlflow.experimentKind", "custom_model_development");
          return null;
        });
    return id;
  }

  /**
   * The id of the named experiment, if it exists; unlike {@link #experimentId}, never creates it.
   */
  public Optional<String> findExperimentId(String name) {
    return call("find experiment " + name, () -> rest.experiments().findId(name));
  }

  /**
   * The top-level runs (no nested ones) of an experiment that match an MLflow search filter such as
   * {@code tags.`lakepipe.ds` = '2001-01-15'}, newest first, at most {@code maxResults}.
   */
  public List<LoggedRun> searchRuns(String experimentId, String filter, int maxResults) {
    List<MlflowRuns.Run> runs =
        call(
            "search runs of experiment " + experimentId,
            () ->
                rest.runs()
                    .search(
                        experimentId,
                        filter == null ? "" : filter,
                        maxResults,
                        "attributes.start_time DESC"));
    return runs.stream()
        .filter(run -> !run.tags().containsKey(PARENT_RUN_TAG))
        .map(MlflowTracking::toLoggedRun)
        .toList();
  }

  /**
   * Runs {@code body} inside a new run and ends the run FINISHED, or FAILED if the body throws, so
   * that no run is left RUNNING in the UI.
   */
  public <T> T withRun(
      String experimentId, String runName, Map<String, String> tags, Function<TrackedRun, T> body) {
    return runThenEnd(
        experimentId, runName, System.currentTimeMillis(), tags, RunStatus.FINISHED, null, body);
  }

  /**
   * Runs {@code body} in a run nested under {@code parent} (the MLflow UI folds it under the
   * parent), for work that already happened between {@code startMillis} and {@code endMillis}, such
   * as one candidate of a search; it ends with {@code status} at {@code endMillis}, or FAILED if
   * the body throws.
   */
  public <T> T withNestedRun(
      TrackedRun parent,
      String runName,
      Map<String, String> tags,
      long startMillis,
      long endMillis,
      RunStatus status,
      Function<TrackedRun, T> body) {
    Map<String, String> nested = new LinkedHashMap<>();
    nested.put(PARENT_RUN_TAG, parent.runId());
    nested.putAll(tags);
    return runThenEnd(
        parent.experimentId(),
        runName,
        startMillis,
        nested,
        status,
        Math.max(endMillis, startMillis),
        body);
  }

  /** Creates the run, applies the body, and ends the run: at {@code endMillis}, or now if null. */
  private <T> T runThenEnd(
      String experimentId,
      String runName,
      long startMillis,
      Map<String, String> tags,
      RunStatus status,
      Long endMillis,
      Function<TrackedRun, T> body) {
    MlflowRuns.Run created =
        call("create run", () -> rest.runs().create(experimentId, runName, startMillis, tags));
    String runId = created.runId();
    T result;
    try {
      result =
          body.apply(new TrackedRun(rest, trackingUri, runId, experimentId, created.artifactUri()));
    } catch (Throwable e) {
      try {
        rest.runs().end(runId, RunStatus.FAILED, endOr(endMillis));
      } catch (RuntimeException endFailure) {
        e.addSuppressed(endFailure);
      }
      throw e;
    }
    run("end run", () -> rest.runs().end(runId, status, endOr(endMillis)));
    return result;
  }

  private static long endOr(Long endMillis) {
    return endMillis == null ? System.currentTimeMillis() : endMillis;
  }

  /** Registers {@code source} (a run's logged model) as a new version of {@code modelName}. */
  public ModelVersion registerVersion(String modelName, String source, String runId) {
    // A model registered by an earlier training is kept; a new version is added below.
    call("registered-models/create", () -> rest.registry().createModel(modelName));
    return toVersion(
        call(
            "model-versions/create",
            () -> rest.registry().createVersion(modelName, source, runId)));
  }

  /** Points {@code alias} of the model at {@code version}. */
  public void setAlias(String modelName, String alias, String version) {
    run("registered-models/alias", () -> rest.registry().setAlias(modelName, alias, version));
  }

  /** The version an alias points at, or a clear error if the alias or model does not exist. */
  public ModelVersion versionByAlias(String modelName, String alias) {
    return findByAlias(modelName, alias)
        .orElseThrow(() -> LakepipeErrors.modelNotFound(modelName, "@" + alias));
  }

  /** The version an alias points at, if the model and the alias exist. */
  public Optional<ModelVersion> findByAlias(String modelName, String alias) {
    return call(
        "registered-models/alias",
        () -> {
          try {
            return Optional.of(toVersion(rest.registry().versionByAlias(modelName, alias)));
          } catch (MlflowRefusedException e) {
            if (missing(e)) {
              return Optional.empty();
            }
            throw e;
          }
        });
  }

  /**
   * Creates a registered model with its tags in one call, as an atomic claim: false if one of that
   * name exists already (of two callers, only one gets true).
   */
  public boolean createRegisteredModel(
      String modelName, String description, Map<String, String> tags) {
    return call(
        "registered-models/create",
        () -> rest.registry().createModel(modelName, description, tags));
  }

  /** A registered model's tags, if the model exists. */
  public Optional<Map<String, String>> registeredModelTags(String modelName) {
    return call(
        "registered-models/get",
        () -> {
          try {
            return Optional.of(rest.registry().modelTags(modelName));
          } catch (MlflowRefusedException e) {
            if (e.notFound()) {
              return Optional.empty();
            }
            throw e;
          }
        });
  }

  /** Deletes a registered model; nothing if it is gone already. */
  public void deleteRegisteredModel(String modelName) {
    run(
        "registered-models/delete",
        () -> {
          try {
            rest.registry().deleteModel(modelName);
          } catch (MlflowRefusedException e) {
            if (!e.notFound()) {
              throw e;
            }
          }
        });
  }

  /** A version's tags, such as where its promotion stands ({@link Promotion#TAG}). */
  public Map<String, String> versionTags(String modelName, String version) {
    return call("model-versions/get", () -> rest.registry().versionTags(modelName, version));
  }

  /**
   * Logs metrics and tags to a run that may have ended, such as the training run of a version that
   * a later job checked.
   */
  public void logToRun(String runId, Map<String, Double> metrics, Map<String, String> tags) {
    long now = System.currentTimeMillis();
    List<MlflowRuns.Metric> metricList = new java.util.ArrayList<>();
    metrics.forEach((key, value) -> metricList.add(new MlflowRuns.Metric(key, value, now, 0)));
    run("log-batch " + runId, () -> rest.runs().logBatch(runId, Map.of(), metricList, tags));
  }

  /** Sets a tag on a model version, such as the gate's decision. */
  public void setVersionTag(String modelName, String version, String key, String value) {
    run(
        "model-versions/set-tag",
        () -> rest.registry().setVersionTag(modelName, version, key, value));
  }

  /** Deletes a model version, so that a training that failed after registering leaves none. */
  public void deleteVersion(String modelName, String version) {
    run("model-versions/delete", () -> rest.registry().deleteVersion(modelName, version));
  }

  /** A version by number, or a clear error if it does not exist. */
  public ModelVersion version(String modelName, String version) {
    return call(
        "model-versions/get",
        () -> {
          try {
            return toVersion(rest.registry().version(modelName, version));
          } catch (MlflowRefusedException e) {
            if (missing(e)) {
              throw LakepipeErrors.modelNotFound(modelName, version);
            }
            throw e;
          }
        });
  }

  /**
   * Every registered version of {@code modelName}, oldest first; none if the model does not exist.
   */
  public List<ModelVersion> versions(String modelName) {
    return call("model-versions/search", () -> rest.registry().versionsOf(modelName)).stream()
        .map(MlflowTracking::toVersion)
        .toList();
  }

  /** Downloads a version's model directory into {@code target}. */
  public void downloadModel(ModelVersion version, Path target) {
    run(null, () -> rest.artifacts().downloadDirectory(modelFiles(version), target));
  }

  /** Downloads one folder of a version's model directory, such as its Spark model data. */
  public void downloadModel(ModelVersion version, String folder, Path target) {
    run(null, () -> rest.artifacts().downloadDirectory(modelFiles(version) + "/" + folder, target));
  }

  /**
   * Where a version's model directory is: a logged model's artifact folder for a version made from
   * one ({@code models:/m-...}), else the run's artifact folder its source names.
   */
  private String modelFiles(ModelVersion version) {
    return call(
        "get logged model " + version.source(),
        () -> rest.loggedModels().artifactUri(version.source()));
  }

  /**
   * Registers the logged model {@code modelId} of run {@code runId} as a new version of {@code
   * modelName}, linked to it.
   */
  public ModelVersion registerLoggedModel(String modelName, String modelId, String runId) {
    call("registered-models/create", () -> rest.registry().createModel(modelName));
    try {
      return toVersion(
          call(
              "model-versions/create",
              () -> rest.registry().createVersionOf(modelName, modelId, runId)));
    } catch (LakepipeException e) {
      // The server may have created the version with its answer lost: the version of this run's
      // logged model is this registration's, not an orphan to leave behind.
      String source = MlflowLoggedModels.URI_PREFIX + modelId;
      Optional<MlflowRegistry.Version> created =
          call("model-versions/search", () -> rest.registry().versionsOfRun(modelName, runId))
              .stream()
              .filter(version -> version.source().equals(source))
              .findFirst();
      if (created.isEmpty()) {
        throw e;
      }
      LOG.warn(
          "Registering {} of run {} failed ({}), but the server created version {}; going on"
              + " with it",
          modelName,
          runId,
          e.getMessage(),
          created.get().version());
      return toVersion(created.get());
    }
  }

  /**
   * A finished (or running) run as the server holds it: its artifact root, metrics, params and
   * tags.
   */
  public LoggedRun run(String runId) {
    return toLoggedRun(call("get run " + runId, () -> rest.runs().get(runId)));
  }

  private static LoggedRun toLoggedRun(MlflowRuns.Run run) {
    return new LoggedRun(run.runId(), run.artifactUri(), run.metrics(), run.params(), run.tags());
  }

  /**
   * Uploads a local directory as the artifact folder {@code artifactPath} of an existing run, which
   * may have ended: files already there under the same names are replaced, so a repeated upload
   * leaves the same artifacts.
   */
  public void uploadToRun(String runId, Path localDir, String artifactPath) {
    String artifactUri = run(runId).artifactUri();
    run(null, () -> rest.artifacts().uploadDirectory(artifactUri, localDir, artifactPath));
  }

  /**
   * Nothing to release (Java 17's HttpClient has no close); kept for callers' try-with-resources.
   */
  @Override
  public void close() {}

  private <T> T call(String what, Supplier<T> action) {
    return TrackingCalls.call(trackingUri, what, action);
  }

  private void run(String what, Runnable action) {
    TrackingCalls.run(trackingUri, what, action);
  }

  /** A missing model, version or alias, as the registry reports it. */
  private static boolean missing(MlflowRefusedException e) {
    return e.notFound() || e.errorCode().equals("INVALID_PARAMETER_VALUE");
  }

  private static ModelVersion toVersion(MlflowRegistry.Version version) {
    return new ModelVersion(
        version.name(),
        version.version(),
        version.source(),
        version.runId(),
        version.createdMillis());
  }
}
