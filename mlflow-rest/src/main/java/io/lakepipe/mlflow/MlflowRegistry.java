// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The model registry: registered models, their versions, aliases and version tags. */
public final class MlflowRegistry {
  /** Versions per page of a search; the server's own limit is far higher. */
  private static final int SEARCH_PAGE = 200;

  private final MlflowHttp http;

  public MlflowRegistry(MlflowHttp http) {
    this.http = http;
  }

  /**
   * A registered model version as the registry reports it.
   *
   * @param createdMillis when the registry created it (epoch milliseconds), 0 if not told
   */
  public record Version(
      String name, String version, String source, String runId, long createdMillis) {
    static Version of(JsonNode node) {
      return new Version(
          node.path("name").asText(),
          node.path("version").asText(),
          node.path("source").asText(),
          node.path("run_id").asText(),
          node.path("creation_timestamp").asLong(0L));
    }
  }

  /** Creates the registered model; false if it already existed. */
  public boolean createModel(String name) {
    try {
      http.post("registered-models/create", object().put("name", name));
      return true;
    } catch (MlflowRefusedException e) {
      if (e.alreadyExists()) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Creates the registered model with a description and tags in one call; false if a model of that
   * name already existed (the server refuses a second one, so of two creators only one gets true).
   */
  public boolean createModel(String name, String description, Map<String, String> tags) {
    ObjectNode request = object().put("name", name).put("description", description);
    ArrayNode tagList = request.putArray("tags");
    tags.forEach((key, value) -> tagList.addObject().put("key", key).put("value", value));
    try {
      http.post("registered-models/create", request);
      return true;
    } catch (MlflowRefusedException e) {
      if (e.alreadyExists()) {
        return false;
      }
      throw e;
    }
  }

  /** A registered model's tags; a refusal if it does not exist. */
  public Map<String, String> modelTags(String name) {
    Map<String, String> tags = new LinkedHashMap<>();
    http.get("registered-models/get", Map.of("name", name))
        .path("registered_model")
        .path("tags")
        .forEach(tag -> tags.put(tag.path("key").asText(), tag.path("value").asText()));
    return tags;
  }

  /** A version's tags. */
  public Map<String, String> versionTags(String model, String version) {
    Map<String, String> tags = new LinkedHashMap<>();
    http.get("model-versions/get", Map.of("name", model, "version", version))
        .path("model_version")
        .path("tags")
        .forEach(tag -> tags.put(tag.path("key").asText(), tag.path("value").asText()));
    return tags;
  }

  /** Deletes a registered model with its versions. */
  public void deleteModel(String name) {
    http.delete("registered-models/delete", object().put("name", name));
  }

  /** Registers {@code source} (a run's logged model) as a new version of {@code model}. */
  public Version createVersion(String model, String source, String runId) {
    ObjectNode request = object().put("name", model).put("source", source).put("run_id", runId);
    return Version.of(http.post("model-versions/create", request).path("model_version"));
  }

  /**
   * Registers the logged model {@code modelId} of run {@code runId} as a new version of {@code
   * model}, linked to it (MLflow lists the version on the logged model).
   */
  public Version createVersionOf(String model, String modelId, String runId) {
    ObjectNode request =
        object()
            .put("name", model)
            .put("source", MlflowLoggedModels.URI_PREFIX + modelId)
            .put("run_id", runId)
            .put("model_id", modelId);
    return Version.of(http.post("model-versions/create", request).path("model_version"));
  }

  /** The versions of {@code model} registered from run {@code runId}. */
  public List<Version> versionsOfRun(String model, String runId) {
    return search("name = '" + quoted(model) + "' and run_id = '" + quoted(runId) + "'");
  }

  /**
   * Every version of {@code model}, oldest first, page by page; none if the model does not exist
   * (the search names models, it does not look one up).
   */
  public List<Version> versionsOf(String model) {
    return search("name = '" + quoted(model) + "'");
  }

  /** The versions a model-version search {@code filter} finds, page by page. */
  private List<Version> search(String filter) {
    List<Version> versions = new ArrayList<>();
    String pageToken = "";
    do {
      Map<String, String> query = new LinkedHashMap<>();
      query.put("filter", filter);
      query.put("max_results", String.valueOf(SEARCH_PAGE));
      if (!pageToken.isEmpty()) {
        query.put("page_token", pageToken);
      }
      JsonNode page = http.get("model-versions/search", query);
      page.path("model_versions").forEach(version -> versions.add(Version.of(version)));
      pageToken = page.path("next_page_token").asText("");
    } while (!pageToken.isEmpty());
    versions.sort(
        Comparator.comparingLong((Version v) -> parseOrMax(v.version()))
            .thenComparing(Version::version));
    return versions;
  }

  private static long parseOrMax(String number) {
    try {
      return Long.parseLong(number);
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private static String quoted(String value) {
    return value.replace("'", "\\'");
  }

  /** A version by number. */
  public Version version(String model, String version) {
    return Version.of(
        http.get("model-versions/get", Map.of("name", model, "version", version))
            .path("model_version"));
  }

  /** The version that {@code alias} points at; a refusal if the model or the alias is missing. */
  public Version versionByAlias(String model, String alias) {
    return Version.of(
        http.get("registered-models/alias", Map.of("name", model, "alias", alias))
            .path("model_version"));
  }

  /** Points {@code alias} of the model at {@code version}. */
  public void setAlias(String model, String alias, String version) {
    http.post(
        "registered-models/alias",
        object().put("name", model).put("alias", alias).put("version", version));
  }

  /** Sets a tag on a model version. */
  public void setVersionTag(String model, String version, String key, String value) {
    http.post(
        "model-versions/set-tag",
        object().put("name", model).put("version", version).put("key", key).put("value", value));
  }

  /** Deletes a model version. */
  public void deleteVersion(String model, String version) {
    http.delete("model-versions/delete", object().put("name", model).put("version", version));
  }

  private static ObjectNode object() {
    return MlflowHttp.JSON.createObjectNode();
  }
}
