// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.scoring;

import io.lakepipe.serving.bundle.Bundle;
import io.lakepipe.serving.bundle.InputField;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Scores records with a bundle's model: a record (input name to value) in, the probability of the
 * positive class out. Pure and thread-safe: no I/O, no HTTP, and one instance serves all request
 * threads. {@link #of} picks the implementation by the bundle's format: PMML through PMML4S, ONNX
 * through ONNX Runtime.
 *
 * <p>Values are what the request parser produces: {@code Long} or {@code Double} for numbers,
 * {@code String} for categories, null for missing. Both implementations answer alike: a missing or
 * unknown input is scored as the model says, and reported in the {@link Prediction}; a record the
 * model gives no probability for is refused with {@link UnscorableRecordException}.
 */
public sealed interface Scorer permits PmmlScorer, OnnxScorer {

  /**
   * Loads the bundle's model and checks it against bundle.json: every input the model reads is
   * declared, with a compatible type, and the model has a probability output.
   *
   * @throws io.lakepipe.serving.BundleException when the model cannot be loaded or disagrees
   */
  static Scorer of(Bundle bundle) {
    return switch (bundle.manifest().format()) {
      case PMML -> PmmlScorer.of(bundle);
      case ONNX -> OnnxScorer.of(bundle);
    };
  }

  /** The inputs a record carries, as bundle.json declares them. */
  List<InputField> inputs();

  /**
   * Scores one record.
   *
   * @param record every declared input's value (Long, Double, String or null)
   * @throws UnscorableRecordException when the model gives no probability for the record
   */
  Prediction score(Map<String, Object> record);

  /**
   * Scores records in order, as {@link #score} scores each; an implementation may score them
   * together (ONNX Runtime runs the whole batch at once).
   *
   * @throws UnscorableRecordException when the model gives no probability for one of them (which
   *     one, the exception does not say: score them one by one to find it)
   */
  default List<Prediction> scoreAll(List<Map<String, Object>> records) {
    List<Prediction> predictions = new ArrayList<>(records.size());
    for (Map<String, Object> record : records) {
      predictions.add(score(record));
    }
    return predictions;
  }
}
