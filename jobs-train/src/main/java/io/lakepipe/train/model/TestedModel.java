// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.model;

import io.lakepipe.train.evaluation.BinaryEvaluation;
import io.lakepipe.train.search.CandidateResult;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;

/**
 * The best candidate of a family refit on the training and validation days, with how it did on the
 * test days, what drove it and its per-iteration history.
 */
public record TestedModel(
    CandidateResult searched,
    PipelineModel model,
    BinaryEvaluation test,
    Map<String, Double> importance,
    Map<String, double[]> iterations,
    long fitMillis) {

  public Candidate candidate() {
    return searched.candidate();
  }
}
