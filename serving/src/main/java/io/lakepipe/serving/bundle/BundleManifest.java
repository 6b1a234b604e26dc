// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.bundle;

import java.util.List;
import java.util.Map;

/**
 * The contents of bundle.json, the metadata the export job writes beside the model file.
 *
 * @param modelName registered model name
 * @param modelVersion registered model version (a string, as MLflow keeps it)
 * @param runId MLflow run that trained the model, or null
 * @param threshold the probability above which a record is labelled delayed
 * @param format the model's format, and so its file: model.pmml or model.onnx
 * @param outputField the PMML output holding the positive class's probability, e.g. probability(1);
 *     an ONNX bundle needs none (its output is named probability), so null there when bundle.json
 *     leaves it out
 * @param inputs the inputs every request record must carry, in order
 * @param metrics evaluation metrics of the model (name to number), possibly empty
 * @param modelSha256 lower-case hex SHA-256 of the model file: pmml_sha256 for model.pmml,
 *     model_sha256 for model.onnx
 * @param createdAt when the export wrote the bundle, as written, or null
 */
public record BundleManifest(
    String modelName,
    String modelVersion,
    String runId,
    double threshold,
    ModelFormat format,
    String outputField,
    List<InputField> inputs,
    Map<String, Double> metrics,
    String modelSha256,
    String createdAt) {

  public BundleManifest {
    inputs = List.copyOf(inputs);
    metrics = Map.copyOf(metrics);
  }
}
