// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.model;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.config.LakepipeConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Expands the configured candidate families and their grids into the candidates to fit. */
public final class CandidateGrid {
  private CandidateGrid() {}

  /** Every combination of every family of {@code lakepipe.train.candidates}, validated. */
  public static List<Candidate> from(LakepipeConfig config) {
    List<Candidate> candidates = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (LakepipeConfig family : config.sections("train.candidates")) {
      String name = family.string("name");
      if (!names.add(name)) {
        throw LakepipeErrors.configValueInvalid(
            "train.candidates.name", name, "names that no other candidate family uses");
      }
      ModelType type;
      try {
        type = ModelType.named(family.string("type"));
      } catch (IllegalArgumentException e) {
        throw LakepipeErrors.configValueInvalid(
            "train.candidates[" + name + "].type", family.string("type"), e.getMessage());
      }
      Map<String, List<Object>> grid = family.listsByKey("grid");
      for (String key : grid.keySet()) {
        if (!type.gridKeys().contains(key)) {
          throw LakepipeErrors.configValueInvalid(
              "train.candidates[" + name + "].grid",
              key,
              "one of " + type.gridKeys() + " for type " + type.configName());
        }
        if (grid.get(key).isEmpty()) {
          throw LakepipeErrors.configValueInvalid(
              "train.candidates[" + name + "].grid." + key, "[]", "lists of at least one value");
        }
      }
      List<Map<String, Object>> combinations = combinations(grid);
      for (int i = 0; i < combinations.size(); i++) {
        Candidate candidate = new Candidate(name, type, i + 1, combinations.get(i));
        try {
          // Built once here, so that a wrongly typed value stops the job before Spark starts.
          type.stages(candidate, new Preprocessing.Layout(List.of("x"), List.of(), 1), 0L, "label");
        } catch (IllegalArgumentException e) {
          throw LakepipeErrors.configValueInvalid(
              "train.candidates[" + name + "].grid",
              String.valueOf(combinations.get(i)),
              "values the model accepts (" + e.getMessage() + ")");
        }
        candidates.add(candidate);
      }
    }
    if (candidates.isEmpty()) {
      throw LakepipeErrors.configValueInvalid(
          "train.candidates", "[]", "lists of at least one candidate family");
    }
    return candidates;
  }

  /** The cartesian product of the grid's value lists, the last key varying fastest. */
  static List<Map<String, Object>> combinations(Map<String, List<Object>> grid) {
    List<Map<String, Object>> result = new ArrayList<>();
    result.add(new LinkedHashMap<>());
    for (Map.Entry<String, List<Object>> axis : grid.entrySet()) {
      List<Map<String, Object>> next = new ArrayList<>();
      for (Map<String, Object> partial : result) {
        for (Object value : axis.getValue()) {
          Map<String, Object> extended = new LinkedHashMap<>(partial);
          extended.put(axis.getKey(), value);
          next.add(extended);
        }
      }
      result = next;
    }
    return result;
  }
}
