// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.config.LakepipeConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.mlflow.api.proto.Service.CreateRun;
import org.mlflow.api.proto.Service.Run;
import org.mlflow.api.proto.Service.RunInfo;
import org.mlflow.api.proto.Service.RunStatus;
import org.mlflow.api.proto.Service.RunTag;
import org.mlflow.api.proto.Service.ViewType;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowClientException;
import org.mlflow.tracking.MlflowHttpException;

/**
 * lakepipe's access to an MLflow tracking server: experiments, runs that always end (FINISHED, or
 * FAILED when their body throws), artifacts over the server's HTTP proxy, and the model registry
 * through its REST endpoints, which the Java client has no methods for.
 */
public final class MlflowTracking implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The tag by which MLflow nests a run under another. */
  public static final String PARENT_RUN_TAG = "mlflow.parentRunId";

  private final String trackingUri;
  private final MlflowCredentials credentials;
  private final MlflowClient client;
  private final ArtifactProxy artifacts;
  private final Duration timeout;

  private MlflowTracking(MlflowCredentials credentials, Duration timeout) {
    this.trackingUri = credentials.uri();
    this.credentials = credentials;
    this.timeout = timeout;
    this.client = new MlflowClient(credentials.hostCreds());
    this.artifacts = new ArtifactProxy(credentials, timeout);
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
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
      HttpResponse<String> health =
          http.send(
              credentials
                  .sign(HttpRequest.newBuilder(URI.create(uri + "/health")).timeout(timeout).GET())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (health.statusCode() != 200) {
        throw LakepipeErrors.trackingUnreachable(
            uri, new IOException("health check answered HTTP " + health.statusCode()));
      }
    } catch (IOException | IllegalArgumentException e) {
      throw LakepipeErrors.trackingUnreachable(uri, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw LakepipeErrors.trackingUnreachable(uri, e);
    }
    return new MlflowTracking(credentials, timeout);
  }

  public String trackingUri() {
    return trackingUri;
  }

  /** Returns the id of the named experiment, creating it on first use. */
  public String experimentId(String name) {
    // Searched rather than fetched by name: the Java client retries the 404 of a missing name.
    String filter = "name = '" + name.replace("'", "\\'") + "'";
    String id =
        call(
            "get or create experiment " + name,
            () ->
                client.searchExperiments(filter).getItems().stream()
                    .map(e -> e.getExperimentId())
                    .findFirst()
                    .orElseGet(() -> client.createExperiment(name)));
    // MLflow 3's UI opens an experiment in its GenAI view unless told it holds classic model
    // training.
    call(
        "tag experiment " + name,
        () -> {
          client.setExperimentTag(id, "mlflow.experimentKind", "custom_model_development");
          return null;
        });
    return id;
  }

  /**
   * The id of the named experiment, if it exists; unlike {@link #experimentId}, never creates it.
   */
  public Optional<String> findExperimentId(String name) {
    String filter = "name = '" + name.replace("'", "\\'") + "'";
    return call(
        "find experiment " + name,
        () ->
            client.searchExperiments(filter).getItems().stream()
                .map(e -> e.getExperimentId())
                .findFirst());
  }

  /**
   * The top-level runs (no nested ones) of an experiment that match an MLflow search filter such as
   * {@code tags.`lakepipe.ds` = '2001-01-15'}, newest first, at most {@code maxResults}.
   */
  public List<LoggedRun> searchRuns(String experimentId, String filter, int maxResults) {
    List<Run> runs =
        call(
            "search runs of experiment " + experimentId,
            () ->
                client
                    .searchRuns(
                        List.of(experimentId),
                        filter,
                        ViewType.ACTIVE_ONLY,
                        maxResults,
                        List.of("attributes.start_time DESC"))
                    .getItems());
    return runs.stream()
        .filter(
            run ->
                run.getData().getTagsList().stream()
                    .noneMatch(tag -> tag.getKey().equals(PARENT_RUN_TAG)))
        .map(MlflowTracking::toLoggedRun)
        .toList();
  }

  /**
   * Runs {@code body} inside a new run and ends the run FINISHED, or FAILED if the body throws, so
   * that no run is left RUNNING in the UI.
   */
  public <T> T withRun(
      String experimentId, String runName, Map<String, String> tags, Function<TrackedRun, T> body) {
    CreateRun.Builder request =
        CreateRun.newBuilder()
            .setExperimentId(experimentId)
            .setRunName(runName)
            .setStartTime(System.currentTimeMillis());
    tags.forEach((k, v) -> request.addTags(RunTag.newBuilder().setKey(k).setValue(v)));
    return runThenEnd(request, RunStatus.FINISHED, null, body);
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
    CreateRun.Builder request =
        CreateRun.newBuilder()
            .setExperimentId(parent.experimentId())
            .setRunName(runName)
            .setStartTime(startMillis)
            .addTags(RunTag.newBuilder().setKey(PARENT_RUN_TAG).setValue(parent.runId()));
    tags.forEach((k, v) -> request.addTags(RunTag.newBuilder().setKey(k).setValue(v)));
    return runThenEnd(request, status, Math.max(endMillis, startMillis), body);
  }

  /** Creates the run, applies the body, and ends the run: at {@code endMillis}, or now if null. */
  private <T> T runThenEnd(
      CreateRun.Builder request, RunStatus status, Long endMillis, Function<TrackedRun, T> body) {
    RunInfo info = call("create run", () -> client.createRun(request.build()));
    TrackedRun run =
        new TrackedRun(
            client, artifacts, info.getRunId(), request.getExperimentId(), info.getArtifactUri());
    long end = endMillis == null ? 0 : endMillis;
    T result;
    try {
      result = body.apply(run);
    } catch (Throwable e) {
      try {
        client.setTerminated(
            info.getRunId(),
            RunStatus.FAILED,
            endMillis == null ? System.currentTimeMillis() : end);
      } catch (RuntimeException endFailure) {
        e.addSuppressed(endFailure);
      }
      throw e;
    }
    call(
        "end run",
        () -> {
          client.setTerminated(
              info.getRunId(), status, endMillis == null ? System.currentTimeMillis() : end);
          return null;
        });
    return result;
  }

  /** Registers {@code source} (a run's logged model) as a new version of {@code modelName}. */
  public ModelVersion registerVersion(String modelName, String source, String runId) {
    ObjectNode model = JSON.createObjectNode().put("name", modelName);
    try {
      post("registered-models/create", model);
    } catch (LakepipeAlreadyExists ignored) {
      // Registered by an earlier training; a new version is added below.
    }
    ObjectNode version =
        JSON.createObjectNode().put("name", modelName).put("source", source).put("run_id", runId);
    return toVersion(post("model-versions/create", version).path("model_version"));
  }

  /** Points {@code alias} of the model at {@code version}. */
  public void setAlias(String modelName, String alias, String version) {
    post(
        "registered-models/alias",
        JSON.createObjectNode().put("name", modelName).put("alias", alias).put("version", version));
  }

  /** The version an alias points at, or a clear error if the alias or model does not exist. */
  public ModelVersion versionByAlias(String modelName, String alias) {
    return findByAlias(modelName, alias)
        .orElseThrow(() -> LakepipeErrors.modelNotFound(modelName, "@" + alias));
  }

  /** The version an alias points at, if the model and the alias exist. */
  public Optional<ModelVersion> findByAlias(String modelName, String alias) {
    // Searched first: a 404 for a missing model or alias would make the Java client retry for
    // seconds.
    JsonNode models =
        get(
                "registered-models/search?filter="
                    + encode("name = '" + modelName.replace("'", "\\'") + "'"),
                modelName,
                "@" + alias)
            .path("registered_models");
    for (JsonNode model : models) {
      for (JsonNode entry : model.path("aliases")) {
        if (alias.equals(entry.path("alias").asText())) {
          return Optional.of(version(modelName, entry.path("version").asText()));
        }
      }
    }
    return Optional.empty();
  }

  /** Sets a tag on a model version, such as the gate's decision. */
  public void setVersionTag(String modelName, String version, String key, String value) {
    post(
        "model-versions/set-tag",
        JSON.createObjectNode()
            .put("name", modelName)
            .put("version", version)
            .put("key", key)
            .put("value", value));
  }

  /**
   * Deletes a model version, so that a training that failed after registering leaves no version
   * behind. The Java client has no DELETE call, so this one goes over plain HTTP.
   */
  public void deleteVersion(String modelName, String version) {
    String body = JSON.createObjectNode().put("name", modelName).put("version", version).toString();
    HttpRequest request =
        credentials
            .sign(
                HttpRequest.newBuilder(
                        URI.create(trackingUri + "/api/2.0/mlflow/model-versions/delete"))
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .method("DELETE", HttpRequest.BodyPublishers.ofString(body)))
            .build();
    try {
      HttpResponse<String> response =
          HttpClient.newBuilder()
              .connectTimeout(timeout)
              .build()
              .send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        throw LakepipeErrors.trackingCallFailed(
            "model-versions/delete", "HTTP " + response.statusCode() + " " + response.body(), null);
      }
    } catch (IOException e) {
      throw LakepipeErrors.trackingUnreachable(trackingUri, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw LakepipeErrors.trackingCallFailed("model-versions/delete", "interrupted", e);
    }
  }

  /** A version by number, or a clear error if it does not exist. */
  public ModelVersion version(String modelName, String version) {
    return toVersion(
        get(
                "model-versions/get?name=" + encode(modelName) + "&version=" + encode(version),
                modelName,
                version)
            .path("model_version"));
  }

  /** Downloads a version's model directory into {@code target}. */
  public void downloadModel(ModelVersion version, Path target) {
    artifacts.downloadDirectory(version.source(), target);
  }

  /** Downloads one folder of a version's model directory, such as its Spark model data. */
  public void downloadModel(ModelVersion version, String folder, Path target) {
    artifacts.downloadDirectory(version.source() + "/" + folder, target);
  }

  /**
   * A finished (or running) run as the server holds it: its artifact root, metrics, params and
   * tags.
   */
  public LoggedRun run(String runId) {
    return toLoggedRun(call("get run " + runId, () -> client.getRun(runId)));
  }

  private static LoggedRun toLoggedRun(Run run) {
    String runId = run.getInfo().getRunId();
    Map<String, Double> metrics = new TreeMap<>();
    run.getData().getMetricsList().forEach(m -> metrics.put(m.getKey(), m.getValue()));
    Map<String, String> params = new TreeMap<>();
    run.getData().getParamsList().forEach(p -> params.put(p.getKey(), p.getValue()));
    Map<String, String> tags = new TreeMap<>();
    run.getData().getTagsList().forEach(t -> tags.put(t.getKey(), t.getValue()));
    return new LoggedRun(runId, run.getInfo().getArtifactUri(), metrics, params, tags);
  }

  /**
   * Uploads a local directory as the artifact folder {@code artifactPath} of an existing run, which
   * may have ended: files already there under the same names are replaced, so a repeated upload
   * leaves the same artifacts.
   */
  public void uploadToRun(String runId, Path localDir, String artifactPath) {
    artifacts.uploadDirectory(run(runId).artifactUri(), localDir, artifactPath);
  }

  @Override
  public void close() {
    client.close();
  }

  private JsonNode post(String endpoint, ObjectNode body) {
    try {
      return JSON.readTree(client.sendPost(endpoint, JSON.writeValueAsString(body)));
    } catch (MlflowHttpException e) {
      if (e.getBodyMessage() != null && e.getBodyMessage().contains("RESOURCE_ALREADY_EXISTS")) {
        throw new LakepipeAlreadyExists();
      }
      throw LakepipeErrors.trackingCallFailed(endpoint, httpDetail(e), e);
    } catch (MlflowClientException e) {
      throw LakepipeErrors.trackingUnreachable(trackingUri, e);
    } catch (IOException e) {
      throw LakepipeErrors.trackingCallFailed(endpoint, e.getMessage(), e);
    }
  }

  private JsonNode get(String endpoint, String modelName, String selector) {
    try {
      return JSON.readTree(client.sendGet(endpoint));
    } catch (MlflowHttpException e) {
      if (e.getStatusCode() == 404
          || (e.getBodyMessage() != null
              && (e.getBodyMessage().contains("RESOURCE_DOES_NOT_EXIST")
                  || e.getBodyMessage().contains("INVALID_PARAMETER_VALUE")))) {
        throw LakepipeErrors.modelNotFound(modelName, selector);
      }
      throw LakepipeErrors.trackingCallFailed(endpoint, httpDetail(e), e);
    } catch (MlflowClientException e) {
      throw LakepipeErrors.trackingUnreachable(trackingUri, e);
    } catch (IOException e) {
      throw LakepipeErrors.trackingCallFailed(endpoint, e.getMessage(), e);
    }
  }

  private <T> T call(String what, java.util.function.Supplier<T> action) {
    try {
      return action.get();
    } catch (MlflowHttpException e) {
      throw LakepipeErrors.trackingCallFailed(what, httpDetail(e), e);
    } catch (MlflowClientException e) {
      throw LakepipeErrors.trackingUnreachable(trackingUri, e);
    }
  }

  private static ModelVersion toVersion(JsonNode node) {
    return new ModelVersion(
        node.path("name").asText(),
        node.path("version").asText(),
        node.path("source").asText(),
        node.path("run_id").asText(),
        node.path("creation_timestamp").asLong(0L));
  }

  private static String httpDetail(MlflowHttpException e) {
    return "HTTP " + e.getStatusCode() + " " + e.getBodyMessage();
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** Signals the registry's RESOURCE_ALREADY_EXISTS, which creating a model twice answers. */
  private static final class LakepipeAlreadyExists extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }
}
