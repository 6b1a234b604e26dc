// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/** Experiments: found by name, created, tagged. */
public final class MlflowExperiments {
  private final MlflowHttp http;

  public MlflowExperiments(MlflowHttp http) {
    this.http = http;
  }

  /** The id of the active experiment of that name, if there is one (deleted ones do not count). */
  public Optional<String> findId(String name) {
    // Searched, not fetched by name: get-by-name also returns deleted experiments.
    String filter = "name = '" + name.replace("'", "\\'") + "'";
    ObjectNode request =
        MlflowHttp.JSON.createObjectNode().put("filter", filter).put("max_results", 1);
    JsonNode first = http.post("experiments/search", request).path("experiments").path(0);
    return first.isMissingNode()
        ? Optional.empty()
        : Optional.of(first.path("experiment_id").asText());
  }

  /** Creates the experiment and returns its id. */
  public String create(String name) {
    return http.post("experiments/create", MlflowHttp.JSON.createObjectNode().put("name", name))
        .path("experiment_id")
        .asText();
  }

  public void setTag(String experimentId, String key, String value) {
    http.post(
        "experiments/set-experiment-tag",
        MlflowHttp.JSON
            .createObjectNode()
            .put("experiment_id", experimentId)
            .put("key", key)
            .put("value", value));
  }
}
