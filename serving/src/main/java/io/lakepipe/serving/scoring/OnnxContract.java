// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.scoring;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.TensorInfo.OnnxTensorType;
import ai.onnxruntime.ValueInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakepipe.serving.ServingErrors;
import io.lakepipe.serving.bundle.InputField;
import io.lakepipe.serving.bundle.InputType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What an ONNX model must be to serve a bundle, checked once when it loads: each graph input a
 * declared bundle input of shape [N, 1] (float for numbers, string for categories), a float output
 * named {@value #OUTPUT} of shape [N] or [N, 1], and the known categories of string inputs in the
 * metadata under {@value #CATEGORIES_PREFIX}{@code <input>}, as a JSON array.
 *
 * @param inputs the graph's inputs, in the session's order, with the type bundle.json declares
 * @param knownCategories the categories the metadata lists, by input
 */
record OnnxContract(List<InputField> inputs, Map<String, Set<String>> knownCategories) {
  /** The output holding the positive class's probability. */
  static final String OUTPUT = "probability";

  /** The metadata key prefix of an input's known categories. */
  static final String CATEGORIES_PREFIX = "lakepipe.categories.";

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Checks the session's model against the bundle's declared inputs.
   *
   * @throws io.lakepipe.serving.BundleException when the model breaks the contract
   * @throws OrtException when ONNX Runtime cannot describe the model
   */
  static OnnxContract check(String location, OrtSession session, List<InputField> declaredInputs)
      throws OrtException {
    Map<String, InputType> declared = new LinkedHashMap<>();
    declaredInputs.forEach(input -> declared.put(input.name(), input.type()));
    List<InputField> inputs = new ArrayList<>();
    for (NodeInfo node : session.getInputInfo().values()) {
      InputType type = declared.get(node.getName());
      if (type == null) {
        throw ServingErrors.onnxInputNotDeclared(location, node.getName(), declared.keySet());
      }
      OnnxTensorType wanted =
          type == InputType.STRING
              ? OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING
              : OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
      if (!(node.getInfo() instanceof TensorInfo tensor) || tensor.onnxType != wanted) {
        throw ServingErrors.onnxInputTypeMismatch(
            location, node.getName(), type.jsonName(), describe(node.getInfo()));
      }
      long[] shape = tensor.getShape();
      // A fixed first axis would refuse batches; ONNX Runtime gives a dynamic one as -1.
      if (shape.length != 2 || shape[0] >= 0 || shape[1] != 1) {
        throw ServingErrors.onnxInputShape(location, node.getName(), shape(tensor));
      }
      inputs.add(new InputField(node.getName(), type));
    }
    NodeInfo output = session.getOutputInfo().get(OUTPUT);
    if (output == null) {
      throw ServingErrors.onnxOutputMissing(location, session.getOutputNames());
    }
    if (!(output.getInfo() instanceof TensorInfo tensor)
        || tensor.onnxType != OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT
        || !(tensor.getShape().length == 1
            || (tensor.getShape().length == 2 && tensor.getShape()[1] == 1))) {
      throw ServingErrors.onnxOutputNotProbability(location, describe(output.getInfo()));
    }
    Map<String, String> metadata = session.getMetadata().getCustomMetadata();
    Map<String, Set<String>> categories = new HashMap<>();
    for (InputField input : inputs) {
      String key = CATEGORIES_PREFIX + input.name();
      if (input.type() == InputType.STRING && metadata.containsKey(key)) {
        categories.put(input.name(), categories(location, key, metadata.get(key)));
      }
    }
    return new OnnxContract(List.copyOf(inputs), Map.copyOf(categories));
  }

  private static Set<String> categories(String location, String key, String json) {
    JsonNode array;
    try {
      array = JSON.readTree(json);
    } catch (IOException e) {
      throw ServingErrors.onnxCategoriesInvalid(location, key, "is not JSON");
    }
    if (array == null || !array.isArray()) {
      throw ServingErrors.onnxCategoriesInvalid(location, key, "is not a JSON array");
    }
    Set<String> values = new HashSet<>();
    for (JsonNode value : array) {
      if (!value.isTextual()) {
        throw ServingErrors.onnxCategoriesInvalid(
            location, key, "holds " + value + ", not a string");
      }
      values.add(value.asText());
    }
    return Set.copyOf(values);
  }

  /** As ONNX writes a type, with the shape: tensor(double) [N, 1]. */
  private static String describe(ValueInfo info) {
    if (!(info instanceof TensorInfo tensor)) {
      return info.toString();
    }
    String element =
        tensor
            .onnxType
            .name()
            .replace("ONNX_TENSOR_ELEMENT_DATA_TYPE_", "")
            .toLowerCase(Locale.ROOT);
    return "tensor(" + element + ") " + shape(tensor);
  }

  /** A tensor's shape, a dynamic axis by its name, or N when it has none. */
  private static String shape(TensorInfo tensor) {
    long[] dims = tensor.getShape();
    String[] names = tensor.getDimensionNames();
    List<String> axes = new ArrayList<>();
    for (int i = 0; i < dims.length; i++) {
      boolean named = names != null && i < names.length && !names[i].isEmpty();
      axes.add(dims[i] >= 0 ? Long.toString(dims[i]) : named ? names[i] : "N");
    }
    return axes.stream().collect(Collectors.joining(", ", "[", "]"));
  }
}
