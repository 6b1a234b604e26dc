// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.search;

import io.lakepipe.train.model.Candidate;
import java.util.List;
import java.util.Map;

/**
 * How one candidate did in the search: its validation metrics per fold, their mean under the search
 * metric, and the per-iteration histories of its last fold. A candidate that could not be fit keeps
 * its failure instead, and the search goes on without it.
 */
public record CandidateResult(
    Candidate candidate,
    List<Map<String, Double>> folds,
    Map<String, Double> meanMetrics,
    Map<String, double[]> iterations,
    long startMillis,
    long endMillis,
    String failure) {

  public boolean failed() {
    return failure != null;
  }

  /** The mean validation value of a metric over the folds. */
  public double score(String metric) {
    return meanMetrics.get(metric);
  }
}
