// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.torch;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Scores rows with the network's ONNX file through ONNX Runtime, as the Spark-free scorer does:
 * numbers as float (NaN when missing), categories as strings ("" when missing), one [rows, 1]
 * tensor per input, the positive class's probability out. One session per model and JVM, shared by
 * the JVM's tasks (ONNX Runtime's sessions take concurrent runs).
 */
final class OnnxScoring {
  private static final Map<String, OrtSession> SESSIONS = new ConcurrentHashMap<>();

  private OnnxScoring() {}

  static OrtSession session(String key, byte[] onnx) {
    return SESSIONS.computeIfAbsent(
        key,
        k -> {
          try {
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            // Spark runs a task per core: one thread per task's scoring.
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            return OrtEnvironment.getEnvironment().createSession(onnx, options);
          } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot load the torch model: " + e, e);
          }
        });
  }

  /**
   * Probabilities of a batch: {@code numbers[i][r]} the i-th number of row r, {@code
   * categories[j][r]} the j-th category.
   */
  static float[] score(
      OrtSession session,
      List<String> numberNames,
      float[][] numbers,
      List<String> categoryNames,
      String[][] categories,
      int rows) {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Map<String, OnnxTensor> feeds = new HashMap<>();
    long[] shape = {rows, 1};
    try {
      for (int i = 0; i < numberNames.size(); i++) {
        feeds.put(
            numberNames.get(i),
            OnnxTensor.createTensor(env, FloatBuffer.wrap(numbers[i], 0, rows), shape));
      }
      for (int j = 0; j < categoryNames.size(); j++) {
        String[] values =
            rows == categories[j].length
                ? categories[j]
                : java.util.Arrays.copyOf(categories[j], rows);
        feeds.put(categoryNames.get(j), OnnxTensor.createTensor(env, values, shape));
      }
      try (OrtSession.Result result = session.run(feeds)) {
        OnnxTensor probability = (OnnxTensor) result.get(0);
        float[] out = new float[rows];
        probability.getFloatBuffer().get(out);
        return out;
      }
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed to score the torch model: " + e, e);
    } finally {
      feeds.values().forEach(OnnxTensor::close);
    }
  }
}
