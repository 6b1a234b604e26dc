// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.scoring;

import io.lakepipe.serving.ServingErrors;
import io.lakepipe.serving.bundle.Bundle;
import io.lakepipe.serving.bundle.BundleManifest;
import io.lakepipe.serving.bundle.InputField;
import io.lakepipe.serving.bundle.InputType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pmml4s.metadata.Field;
import org.pmml4s.metadata.OutputField;
import org.pmml4s.model.Model;

/**
 * Scores records with a bundle's PMML through PMML4S: a record (input name to value) in, the
 * probability of the positive class out. Pure and thread-safe: no I/O, no HTTP, and one instance
 * serves all request threads (PMML4S 0.9.12's {@code Model.predict} keeps no state between calls;
 * the concurrency test of this module checks it).
 *
 * <p>Values are what the request parser produces: {@code Long} or {@code Double} for numbers,
 * {@code String} for categories, null for missing. What PMML4S does with the awkward ones, and so
 * what this service does:
 *
 * <ul>
 *   <li>A missing number takes the PMML's {@code missingValueReplacement}, which JPMML-SparkML
 *       writes for Spark's Imputer. PMML4S casts it to the field's type, as Spark's ImputerModel
 *       casts the surrogate back to an integer column's type. Without a replacement PMML4S may give
 *       no probability; the record is then refused as unscorable.
 *   <li>An unknown category is scored whatever the field's {@code invalidValueTreatment}:
 *       JPMML-SparkML writes {@code asValue} with {@code __unknown} for a StringIndexer with
 *       handleInvalid=keep, and in every case no predictor matches the value, which is what Spark's
 *       keep bucket (dropped by the one-hot encoder) does. The scorer reports such inputs in {@link
 *       Prediction#unknownCategories()}: a category outside the PMML DataField's declared values.
 *   <li>A missing category (null) matches no category either, like Spark's keep bucket for nulls.
 * </ul>
 */
public final class Scorer {
  private static final Set<String> PMML_NUMBERS = Set.of("integer", "float", "double", "real");

  private final Model model;
  private final String outputField;
  private final List<InputField> inputs;
  private final Map<String, Set<String>> knownCategories;

  private Scorer(
      Model model,
      String outputField,
      List<InputField> inputs,
      Map<String, Set<String>> knownCategories) {
    this.model = model;
    this.outputField = outputField;
    this.inputs = inputs;
    this.knownCategories = knownCategories;
  }

  /**
   * Parses the bundle's PMML and checks it against bundle.json: the output exists and is a
   * probability, every input the model reads is declared, with a compatible type.
   *
   * @throws io.lakepipe.serving.BundleException when the PMML cannot be loaded or disagrees
   */
  public static Scorer of(Bundle bundle) {
    BundleManifest manifest = bundle.manifest();
    String location = bundle.location();
    Model model;
    try {
      model = Model.fromBytes(bundle.pmml());
    } catch (Exception | LinkageError e) {
      // PMML4S, written in Scala, throws its checked PmmlException undeclared.
      throw ServingErrors.pmmlUnreadable(location, e);
    }
    OutputField output =
        Arrays.stream(model.outputFields())
            .filter(f -> f.name().equals(manifest.outputField()))
            .findFirst()
            .orElseThrow(
                () ->
                    ServingErrors.outputFieldMissing(
                        location, manifest.outputField(), Arrays.asList(model.outputNames())));
    if (!"probability".equals(output.feature().toString())) {
      throw ServingErrors.outputNotProbability(location, manifest.outputField());
    }
    Map<String, InputType> declared = new LinkedHashMap<>();
    manifest.inputs().forEach(input -> declared.put(input.name(), input.type()));
    Map<String, Set<String>> categories = new HashMap<>();
    for (Field field : model.inputFields()) {
      InputType type = declared.get(field.name());
      if (type == null) {
        throw ServingErrors.inputNotDeclared(location, field.name(), declared.keySet());
      }
      String pmmlType = field.dataType().toString();
      boolean compatible =
          type == InputType.STRING ? "string".equals(pmmlType) : PMML_NUMBERS.contains(pmmlType);
      if (!compatible) {
        throw ServingErrors.inputTypeMismatch(
            location,
            field.name(),
            type.jsonName(),
            field.dataType() + " (" + field.opType() + ")");
      }
      if (type == InputType.STRING && field.validValues().length > 0) {
        Set<String> values = new HashSet<>();
        for (Object value : field.validValues()) {
          values.add(String.valueOf(value));
        }
        categories.put(field.name(), Set.copyOf(values));
      }
    }
    return new Scorer(model, manifest.outputField(), manifest.inputs(), Map.copyOf(categories));
  }

  /** The inputs a record carries, as bundle.json declares them. */
  public List<InputField> inputs() {
    return inputs;
  }

  /**
   * Scores one record.
   *
   * @param record every declared input's value (Long, Double, String or null)
   * @throws UnscorableRecordException when the model gives no probability for the record
   */
  public Prediction score(Map<String, Object> record) {
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
    Object probability = model.predict(record).get(outputField);
    if (!(probability instanceof Number) || Double.isNaN(((Number) probability).doubleValue())) {
      throw new UnscorableRecordException(missing);
    }
    return new Prediction(((Number) probability).doubleValue(), unknown, missing);
  }

  // Most records have no unknown or missing input: allocate only when one has.
  private static List<String> append(List<String> list, String name) {
    List<String> grown = new ArrayList<>(list);
    grown.add(name);
    return grown;
  }
}
