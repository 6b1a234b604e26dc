// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.scoring;

import java.util.List;

/**
 * The score of one record.
 *
 * @param probability the model's probability of the positive class (delayed), in [0, 1]
 * @param unknownCategories inputs whose category the model never saw in training, in input order;
 *     the model scored them as its encoder scores an unseen value, and callers may want to know
 * @param missingInputs inputs that were null, which the model replaced as its PMML says (the
 *     imputer), or as its ONNX graph does
 */
public record Prediction(
    double probability, List<String> unknownCategories, List<String> missingInputs) {
  public Prediction {
    unknownCategories = List.copyOf(unknownCategories);
    missingInputs = List.copyOf(missingInputs);
  }

  /**
   * The label of a probability: delayed when it is above the threshold, a tie is not. The one
   * definition of the decision, for the answers and for the shadow's agreement alike.
   */
  public static boolean delayed(double probability, double threshold) {
    return probability > threshold;
  }
}
