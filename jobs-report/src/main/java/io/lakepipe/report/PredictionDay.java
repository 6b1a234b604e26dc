// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.report;

import java.time.LocalDate;

/**
 * The realised quality of one day's batch or online predictions of one model version, from the
 * prediction-quality table (the monitor-predictions job). A metric not computed (no labels yet) is
 * NaN.
 *
 * @param source {@code batch} or {@code online}; rows written before online predictions were
 *     monitored have none and are batch
 */
public record PredictionDay(
    LocalDate ds,
    String model,
    String version,
    long rowsScored,
    long rowsLabelled,
    double rocAuc,
    double logLoss,
    double calibrationError,
    double meanPredicted,
    double observedShare,
    String source) {

  /** The model version as the page names it, with the source when it is not batch. */
  public String label() {
    return model + " v" + version + ("batch".equals(source) ? "" : " (" + source + ")");
  }
}
