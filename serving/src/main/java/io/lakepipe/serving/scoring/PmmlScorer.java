// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.scoring;

import io.lakepipe.serving.ServingErrors;
import io.lakepipe.serving.bundle.Bundle;
import io.lakepipe.serving.bundle.BundleManifest;
import io.lakepipe.serving.bundle.InputField;
import io.lakepipe.serving.bundle.InputType;
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
 * The {@link Scorer} of PMML bundles, through PMML4S. One instance serves all request threads
 * (PMML4S 0.9.12's {@code Model.predict} keeps no state between calls; the concurrency test of this
 * module checks it).
 *
 * <p>What PMML4S does with the awkward values, and so what this service does:
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
 *   <li>A missing category (null) takes the field's {@code missingValueReplacement}, which
 *       lakepipe's export sets to the {@code __unknown} of unknown categories, as Spark's keep
 *       bucket takes nulls too (without one, the perceptron gives no probability). It is reported
 *       as a missing input, not as an unknown category.
 * </ul>
 */
final class PmmlScorer implements Scorer {
  private static final Set<String> PMML_NUMBERS = Set.of("integer", "float", "double", "real");

  private final Model model;
  private final String outputField;
  private final List<InputField> inputs;
  private final Map<String, Set<String>> knownCategories;

  private PmmlScorer(
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
  static PmmlScorer of(Bundle bundle) {
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
    return new PmmlScorer(model, manifest.outputField(), manifest.inputs(), Map.copyOf(categories));
  }

  @Override
  public List<InputField> inputs() {
    return inputs;
  }

  @Override
  public Prediction score(Map<String, Object> record) {
    InputReport report = InputReport.of(inputs, knownCategories, record);
    Object probability = model.predict(record).get(outputField);
    if (!(probability instanceof Number) || Double.isNaN(((Number) probability).doubleValue())) {
      throw new UnscorableRecordException(report.missingInputs());
    }
    return report.prediction(((Number) probability).doubleValue());
  }
}
