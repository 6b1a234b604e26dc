// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs: created, logged to, ended and deleted; one read by id, a metric's history, the runs of an
 * experiment that match a search filter; a run's inputs and outputs.
 */
public final class MlflowRuns {
  /** The most metrics the tracking server takes in one {@code runs/log-batch} request. */
  public static final int MAX_METRICS_PER_BATCH = 1000;

  private final MlflowHttp http;

  public MlflowRuns(MlflowHttp http) {
    this.http = http;
  }

  /**
   * A run as the server holds it. Metrics hold each key's latest value; the maps are sorted by key.
   */
  public record Run(
      String runId,
      String experimentId,
      String artifactUri,
      String status,
      Map<String, Double> metrics,
      Map<String, String> params,
      Map<String, String> tags) {

    static Run of(JsonNode run) {
      JsonNode info = run.path("info");
      JsonNode data = run.path("data");
      Map<String, Double> metrics = new TreeMap<>();
      data.path("metrics")
          .forEach(m -> metrics.put(m.path("key").asText(), m.path("value").asDouble()));
      return new Run(
          info.path("run_id").asText(),
          info.path("experiment_id").asText(),
          info.path("artifact_uri").asText(""),
          info.path("status").asText(),
          metrics,
          keyValues(data.path("params")),
          keyValues(data.path("tags")));
    }

    private static Map<String, String> keyValues(JsonNode entries) {
      Map<String, String> map = new TreeMap<>();
      entries.forEach(e -> map.put(e.path("key").asText(), e.path("value").asText()));
      return map;
    }
  }

  /** One value of a metric: at a step (0 when there are none), logged at a time. */
  public record Metric(String key, double value, long timestampMillis, long step) {}

  public Run get(String runId) {
    return Run.of(http.get("runs/get", Map.of("run_id", runId)).path("run"));
  }

  /**
   * Creates a run of an experiment, RUNNING from {@code startMillis}, with its tags (nested under
   * another run by the tag {@code mlflow.parentRunId}); the answer holds its id and artifact root.
   */
  public Run create(
      String experimentId, String runName, long startMillis, Map<String, String> tags) {
    ObjectNode request =
        MlflowHttp.JSON
            .createObjectNode()
            .put("experiment_id", experimentId)
            .put("run_name", runName)
            .put("start_time", startMillis);
    putKeyValues(request.putArray("tags"), tags);
    return Run.of(http.post("runs/create", request).path("run"));
  }

  /**
   * Logs params, metrics and tags: in one request, unless there are more metrics than the server
   * takes at once ({@link #MAX_METRICS_PER_BATCH}); the rest then follow in further requests.
   */
  public void logBatch(
      String runId, Map<String, String> params, List<Metric> metrics, Map<String, String> tags) {
    int from = 0;
    do {
      List<Metric> batch =
          metrics.subList(from, Math.min(from + MAX_METRICS_PER_BATCH, metrics.size()));
      ObjectNode request = MlflowHttp.JSON.createObjectNode().put("run_id", runId);
      ArrayNode list = request.putArray("metrics");
      batch.forEach(
          metric ->
              list.addObject()
                  .put("key", metric.key())
                  .put("value", metric.value())
                  .put("timestamp", metric.timestampMillis())
                  .put("step", metric.step()));
      putKeyValues(request.putArray("params"), from == 0 ? params : Map.of());
      putKeyValues(request.putArray("tags"), from == 0 ? tags : Map.of());
      http.post("runs/log-batch", request);
      from += MAX_METRICS_PER_BATCH;
    } while (from < metrics.size());
  }

  /** Ends a run with {@code status} at {@code endMillis}. */
  public void end(String runId, RunStatus status, long endMillis) {
    http.post(
        "runs/update",
        MlflowHttp.JSON
            .createObjectNode()
            .put("run_id", runId)
            .put("status", status.name())
            .put("end_time", endMillis));
  }

  /** Marks a run deleted (the server keeps it, out of searches of active runs). */
  public void delete(String runId) {
    http.post("runs/delete", MlflowHttp.JSON.createObjectNode().put("run_id", runId));
  }

  /** Every value a run logged for a metric, page after page, as the server orders them. */
  public List<Metric> metricHistory(String runId, String key) {
    List<Metric> history = new ArrayList<>();
    String pageToken = "";
    do {
      Map<String, String> query = new TreeMap<>(Map.of("run_id", runId, "metric_key", key));
      if (!pageToken.isEmpty()) {
        query.put("page_token", pageToken);
      }
      JsonNode page = http.get("metrics/get-history", query);
      page.path("metrics")
          .forEach(
              m ->
                  history.add(
                      new Metric(
                          m.path("key").asText(),
                          m.path("value").asDouble(),
                          m.path("timestamp").asLong(),
                          m.path("step").asLong())));
      pageToken = page.path("next_page_token").asText("");
    } while (!pageToken.isEmpty());
    return history;
  }

  private static void putKeyValues(ArrayNode list, Map<String, String> entries) {
    entries.forEach((key, value) -> list.addObject().put("key", key).put("value", value));
  }

  /**
   * A dataset a run read, as MLflow records its inputs: a name, a digest that changes with the
   * data, the kind of source ({@code delta}) and the source as JSON (for Delta, {@code {"path":
   * ..., "delta_table_version": ...}}), and what the run used it for ({@code training}, ...).
   */
  public record DatasetInput(
      String name, String digest, String sourceType, String source, String context) {}

  /** Records the datasets a run read, and the logged models it took as inputs, if any. */
  public void logInputs(String runId, List<DatasetInput> datasets, List<String> modelIds) {
    ObjectNode request = MlflowHttp.JSON.createObjectNode().put("run_id", runId);
    ArrayNode inputs = request.putArray("datasets");
    for (DatasetInput dataset : datasets) {
      ObjectNode input = inputs.addObject();
      input
          .putObject("dataset")
          .put("name", dataset.name())
          .put("digest", dataset.digest())
          .put("source_type", dataset.sourceType())
          .put("source", dataset.source());
      input
          .putArray("tags")
          .addObject()
          .put("key", "mlflow.data.context")
          .put("value", dataset.context());
    }
    ArrayNode models = request.putArray("models");
    modelIds.forEach(id -> models.addObject().put("model_id", id));
    http.post("runs/log-inputs", request);
  }

  /** Records the logged model as an output of the run (the run's Models column in the UI). */
  public void logOutput(String runId, String modelId) {
    ObjectNode request = MlflowHttp.JSON.createObjectNode().put("run_id", runId);
    request.putArray("models").addObject().put("model_id", modelId).put("step", 0);
    http.post("runs/outputs", request);
  }

  /**
   * Logs metrics of a logged model, measured by the run on a dataset (its name and digest as in
   * {@link #logInputs}): MLflow shows them on the model and links them to the dataset.
   */
  public void logModelMetrics(
      String runId,
      String modelId,
      Map<String, Double> metrics,
      DatasetInput dataset,
      long timestampMillis) {
    ObjectNode request = MlflowHttp.JSON.createObjectNode().put("run_id", runId);
    ArrayNode list = request.putArray("metrics");
    metrics.forEach(
        (key, value) ->
            list.addObject()
                .put("key", key)
                .put("value", value)
                .put("timestamp", timestampMillis)
                .put("step", 0)
                .put("model_id", modelId)
                .put("dataset_name", dataset.name())
                .put("dataset_digest", dataset.digest()));
    http.post("runs/log-batch", request);
  }

  /**
   * The active runs of an experiment that match an MLflow search filter (such as {@code
   * tags.`lakepipe.ds` = '2001-01-15'}; "" for all), in {@code orderBy} order, at most {@code
   * maxResults}.
   */
  public List<Run> search(String experimentId, String filter, int maxResults, String orderBy) {
    ObjectNode request =
        MlflowHttp.JSON
            .createObjectNode()
            .put("filter", filter)
            .put("max_results", maxResults)
            .put("run_view_type", "ACTIVE_ONLY");
    request.putArray("experiment_ids").add(experimentId);
    request.putArray("order_by").add(orderBy);
    List<Run> runs = new ArrayList<>();
    http.post("runs/search", request).path("runs").forEach(run -> runs.add(Run.of(run)));
    return runs;
  }
}
