// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Runs, read back: one by id, or the runs of an experiment that match a search filter. */
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
