// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One point of a hyperparameter search: a model type with one value for each parameter of its grid.
 * {@code name} is the configured candidate family (e.g. {@code gradient_boosted_trees}).
 */
public record Candidate(String name, ModelType type, int index, Map<String, Object> params) {

  /** A short unique label, e.g. {@code gradient_boosted_trees-2}, used as the nested run's name. */
  public String id() {
    return name + "-" + index;
  }

  /** The parameters as MLflow logs them, with the model type and family. */
  public Map<String, String> loggedParams() {
    Map<String, String> logged = new LinkedHashMap<>();
    logged.put("model_type", type.configName());
    logged.put("candidate", name);
    params.forEach((key, value) -> logged.put(key.replace('-', '_'), String.valueOf(value)));
    return logged;
  }

  int integer(String key, int fallback) {
    Object value = params.get(key);
    return value == null ? fallback : number(key, value).intValue();
  }

  double number(String key, double fallback) {
    Object value = params.get(key);
    return value == null ? fallback : number(key, value).doubleValue();
  }

  int[] integers(String key, int[] fallback) {
    Object value = params.get(key);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof List<?> list)) {
      throw new IllegalArgumentException(
          id() + ": " + key + " must be a list of layer sizes such as" + " [16, 8], not " + value);
    }
    return list.stream().mapToInt(v -> number(key, v).intValue()).toArray();
  }

  private Number number(String key, Object value) {
    if (!(value instanceof Number number)) {
      throw new IllegalArgumentException(id() + ": " + key + " must be a number, not " + value);
    }
    return number;
  }
}
