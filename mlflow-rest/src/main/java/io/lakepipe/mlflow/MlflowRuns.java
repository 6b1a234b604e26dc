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
 * Runs: one read by id, the runs of an experiment that match a search filter, a run's inputs and
 * outputs.
 */
public final class MlflowRuns {
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

  public Run get(String runId) {
    return Run.of(http.get("runs/get", Map.of("run_id", runId)).path("run"));
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
