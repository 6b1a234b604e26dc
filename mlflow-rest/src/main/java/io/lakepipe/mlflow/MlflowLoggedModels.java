// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * MLflow 3's logged models: a model as an entity of its own, with its artifacts under it, its
 * parameters, tags and metrics, the run that produced it, and the registered versions made from it.
 * The MLflow UI lists them in an experiment's Models tab.
 */
public final class MlflowLoggedModels {
  /** What a registered version's {@code source} is for a logged model: {@code models:/<id>}. */
  public static final String URI_PREFIX = "models:/";

  private final MlflowHttp http;

  public MlflowLoggedModels(MlflowHttp http) {
    this.http = http;
  }

  /**
   * A logged model as the server holds it.
   *
   * @param artifactUri where its files are, such as {@code
   *     mlflow-artifacts:/1/models/m-.../artifacts}
   * @param status {@code LOGGED_MODEL_PENDING} until finalized, then {@code LOGGED_MODEL_READY}
   */
  public record LoggedModel(String modelId, String name, String artifactUri, String status) {
    /** The URI a registered version of it takes as its source. */
    public String uri() {
      return URI_PREFIX + modelId;
    }

    static LoggedModel of(JsonNode model) {
      JsonNode info = model.path("info");
      return new LoggedModel(
          info.path("model_id").asText(),
          info.path("name").asText(),
          info.path("artifact_uri").asText(),
          info.path("status").asText());
    }
  }

  /** Whether {@code uri} names a logged model ({@code models:/m-...}) rather than a version. */
  public static boolean isLoggedModelUri(String uri) {
    return uri.startsWith(URI_PREFIX + "m-");
  }

  /** Creates a pending logged model of {@code sourceRunId}, to upload its files to. */
  public LoggedModel create(
      String experimentId,
      String name,
      String sourceRunId,
      String modelType,
      Map<String, String> params,
      Map<String, String> tags) {
    ObjectNode request =
        MlflowHttp.JSON
            .createObjectNode()
            .put("experiment_id", experimentId)
            .put("name", name)
            .put("source_run_id", sourceRunId)
            .put("model_type", modelType);
    putPairs(request.putArray("params"), params);
    putPairs(request.putArray("tags"), tags);
    return LoggedModel.of(http.post("logged-models", request).path("model"));
  }

  /** The logged model {@code modelId}. */
  public LoggedModel get(String modelId) {
    return LoggedModel.of(http.get("logged-models/" + encodedId(modelId), Map.of()).path("model"));
  }

  /** Marks the model ready once its files are uploaded, or failed if they could not be. */
  public LoggedModel finalize(String modelId, boolean ready) {
    ObjectNode request =
        MlflowHttp.JSON
            .createObjectNode()
            .put("model_id", modelId)
            .put("status", ready ? "LOGGED_MODEL_READY" : "LOGGED_MODEL_UPLOAD_FAILED");
    return LoggedModel.of(http.patch("logged-models/" + encodedId(modelId), request).path("model"));
  }

  /** The artifact folder of {@code uri}: a logged model's own for {@code models:/m-...}. */
  public String artifactUri(String uri) {
    return isLoggedModelUri(uri) ? get(uri.substring(URI_PREFIX.length())).artifactUri() : uri;
  }

  private static String encodedId(String modelId) {
    return MlflowHttp.encode(modelId);
  }

  static void putPairs(ArrayNode array, Map<String, String> pairs) {
    pairs.forEach((key, value) -> array.addObject().put("key", key).put("value", value));
  }
}
