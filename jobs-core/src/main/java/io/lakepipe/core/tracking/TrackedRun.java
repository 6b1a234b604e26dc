// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.tracking;

import io.lakepipe.mlflow.MlflowLoggedModels.LoggedModel;
import io.lakepipe.mlflow.MlflowRestClient;
import io.lakepipe.mlflow.MlflowRuns.DatasetInput;
import io.lakepipe.mlflow.MlflowRuns.Metric;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An active MLflow run: what a training logs while {@link MlflowTracking#withRun} holds it open.
 */
public final class TrackedRun {
  private final MlflowRestClient rest;
  private final String trackingUri;
  private final String runId;
  private final String experimentId;
  private final String artifactUri;

  TrackedRun(
      MlflowRestClient rest,
      String trackingUri,
      String runId,
      String experimentId,
      String artifactUri) {
    this.rest = rest;
    this.trackingUri = trackingUri;
    this.runId = runId;
    this.experimentId = experimentId;
    this.artifactUri = artifactUri;
  }

  public String runId() {
    return runId;
  }

  public String experimentId() {
    return experimentId;
  }

  /** The run's artifact root, such as {@code mlflow-artifacts:/1/<run id>/artifacts}. */
  public String artifactUri() {
    return artifactUri;
  }

  /** Logs parameters, metrics and tags in one request. */
  public void log(
      Map<String, String> params, Map<String, Double> metrics, Map<String, String> tags) {
    long now = System.currentTimeMillis();
    List<Metric> metricList = new ArrayList<>();
    metrics.forEach((k, v) -> metricList.add(new Metric(k, v, now, 0)));
    logBatch(params, metricList, tags);
  }

  /** Logs metrics at one step (e.g. a fold number). */
  public void logMetrics(Map<String, Double> metrics, long step) {
    long now = System.currentTimeMillis();
    List<Metric> metricList = new ArrayList<>();
    metrics.forEach((k, v) -> metricList.add(new Metric(k, v, now, step)));
    logBatch(Map.of(), metricList, Map.of());
  }

  /** Logs a per-iteration history: value i at step i, which the MLflow UI draws as a curve. */
  public void logHistory(String key, double[] values) {
    long now = System.currentTimeMillis();
    List<Metric> metricList = new ArrayList<>();
    for (int step = 0; step < values.length; step++) {
      if (Double.isFinite(values[step])) {
        metricList.add(new Metric(key, values[step], now, step));
      }
    }
    logBatch(Map.of(), metricList, Map.of());
  }

  /** Sets tags on the run. */
  public void setTags(Map<String, String> tags) {
    log(Map.of(), Map.of(), tags);
  }

  /** One request, or more if there are more metrics than the server takes at once. */
  private void logBatch(
      Map<String, String> params, List<Metric> metrics, Map<String, String> tags) {
    TrackingCalls.run(
        trackingUri,
        "log to run " + runId,
        () -> rest.runs().logBatch(runId, params, metrics, tags));
  }

  /** Uploads a local directory as the artifact folder {@code artifactPath} of this run. */
  public void uploadDirectory(Path localDir, String artifactPath) {
    TrackingCalls.run(
        trackingUri,
        null,
        () -> rest.artifacts().uploadDirectory(artifactUri, localDir, artifactPath));
  }

  /**
   * Logs the model directory {@code localDir} as an MLflow 3 logged model of this run: created
   * pending, its files uploaded under it, marked ready, and recorded as the run's output. If the
   * upload fails, the model is marked failed, so that no half-uploaded model looks ready.
   */
  public LoggedModel logModel(
      String name,
      String modelType,
      Path localDir,
      Map<String, String> params,
      Map<String, String> tags) {
    LoggedModel model =
        TrackingCalls.call(
            trackingUri,
            "create logged model " + name,
            () -> rest.loggedModels().create(experimentId, name, runId, modelType, params, tags));
    try {
      TrackingCalls.run(
          trackingUri,
          null,
          () -> rest.artifacts().uploadDirectory(model.artifactUri(), localDir, ""));
    } catch (RuntimeException e) {
      try {
        rest.loggedModels().finalize(model.modelId(), false);
      } catch (RuntimeException markFailed) {
        e.addSuppressed(markFailed);
      }
      throw e;
    }
    TrackingCalls.run(
        trackingUri,
        "finalize logged model " + model.modelId(),
        () -> rest.loggedModels().finalize(model.modelId(), true));
    TrackingCalls.run(
        trackingUri,
        "log outputs of run " + runId,
        () -> rest.runs().logOutput(runId, model.modelId()));
    return model;
  }

  /** Records the datasets the run read, as MLflow's dataset inputs of the run. */
  public void logInputs(List<DatasetInput> datasets) {
    TrackingCalls.run(
        trackingUri,
        "log inputs of run " + runId,
        () -> rest.runs().logInputs(runId, datasets, List.of()));
  }

  /** Logs metrics of a logged model of this run, measured on {@code dataset}. */
  public void logModelMetrics(String modelId, Map<String, Double> metrics, DatasetInput dataset) {
    TrackingCalls.run(
        trackingUri,
        "log metrics of logged model " + modelId,
        () ->
            rest.runs()
                .logModelMetrics(runId, modelId, metrics, dataset, System.currentTimeMillis()));
  }
}
