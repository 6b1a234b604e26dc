// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.scoring;

import io.lakepipe.serving.bundle.InputField;
import io.lakepipe.serving.bundle.InputType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a record's inputs hold that a caller may want to know, whatever the model's format: the
 * categories the model never saw and the inputs that were null.
 */
record InputReport(List<String> unknownCategories, List<String> missingInputs) {

  /**
   * Checks {@code record}'s declared inputs against the model's known categories (input name to its
   * categories; an input without an entry reports none as unknown).
   */
  static InputReport of(
      List<InputField> inputs,
      Map<String, Set<String>> knownCategories,
      Map<String, Object> record) {
    List<String> unknown = List.of();
    List<String> missing = List.of();
    for (InputField input : inputs) {
      Object value = record.get(input.name());
      if (value == null) {
        missing = append(missing, input.name());
      } else if (input.type() == InputType.STRING) {
        Set<String> known = knownCategories.get(input.name());
        if (known != null && !known.contains(value)) {
          unknown = append(unknown, input.name());
        }
      }
    }
    return new InputReport(unknown, missing);
  }

  /** The prediction of a probability the model gave for the record. */
  Prediction prediction(double probability) {
    return new Prediction(probability, unknownCategories, missingInputs);
  }

  // Most records have no unknown or missing input: allocate only when one has.
  private static List<String> append(List<String> list, String name) {
    List<String> grown = new ArrayList<>(list);
    grown.add(name);
    return grown;
  }
}
