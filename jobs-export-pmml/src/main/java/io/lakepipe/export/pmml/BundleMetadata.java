// SPDX-License-Identifier: AGPL-3.0-only
package io.lakepipe.export.pmml;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code bundle.json}: what a scorer needs beside the model file ({@code model.pmml} or {@code
 * model.onnx}) to serve a model version. The scoring service reads this contract, so its field
 * names and their meaning stay fixed:
 *
 * <ul>
 *   <li>{@code model_name}, {@code model_version}, {@code run_id}: the registered version and the
 *       MLflow run that trained it;
 *   <li>{@code threshold}: the probability above which a flight is labelled delayed, the one the
 *       training used for its metrics;
 *   <li>{@code format}: {@code onnx} for an ONNX bundle; a PMML bundle leaves it out, PMML being
 *       the scorer's default, so that its bytes are those of the exports before ONNX;
 *   <li>{@code output_field}: the PMML output field holding P(delayed), such as {@code
 *       probability(1)}; an ONNX bundle has none (the graph's output is named {@code probability});
 *   <li>{@code inputs}: the fields a request must give, in order, each with its type ({@code
 *       double}, {@code long}, {@code integer} or {@code string}); null means missing, which the
 *       model fills as Spark did;
 *   <li>{@code metrics}: the test metrics of the training run;
 *   <li>{@code pmml_sha256} ({@code model_sha256} for ONNX): the hex SHA-256 of the model file, to
 *       check a copy;
 *   <li>{@code created_at}: when the registry created the version (ISO-8601, UTC), so that
 *       exporting the same version again writes the same bytes.
 * </ul>
 */
public record BundleMetadata(
    String modelName,
    String modelVersion,
    String runId,
    double threshold,
    ModelFormat format,
    String outputField,
    List<Input> inputs,
    Map<String, Double> metrics,
    String modelSha256,
    Instant createdAt) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One input field of the model and its type. */
  public record Input(String name, String type) {}

  public BundleMetadata {
    if (format == ModelFormat.PMML && outputField == null) {
      throw new IllegalArgumentException("A PMML bundle names the output field of P(delayed)");
    }
    inputs = List.copyOf(inputs);
    metrics = Collections.unmodifiableMap(new TreeMap<>(metrics));
  }

  /**
   * {@link #modelSha256()} of a PMML bundle, by its name in bundle.json.
   *
   * @throws IllegalStateException when the bundle is not PMML
   */
  public String pmmlSha256() {
    if (format != ModelFormat.PMML) {
      throw new IllegalStateException("The bundle holds " + format.file() + ", not PMML");
    }
    return modelSha256;
  }

  /** The JSON document, fields in the contract's order, pretty-printed with a final newline. */
  public byte[] toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("model_name", modelName);
    root.put("model_version", modelVersion);
    root.put("run_id", runId);
    root.put("threshold", threshold);
    if (format != ModelFormat.PMML) {
      root.put("format", format.jsonName());
    }
    if (outputField != null) {
      root.put("output_field", outputField);
    }
    ArrayNode fields = root.putArray("inputs");
    inputs.forEach(i -> fields.addObject().put("name", i.name()).put("type", i.type()));
    ObjectNode values = root.putObject("metrics");
    metrics.forEach(values::put);
    root.put(format.checksumKey(), modelSha256);
    root.put("created_at", createdAt.toString());
    try {
      return (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n")
          .getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
