// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.report;

import java.time.LocalDate;

/**
 * The realised quality of one day's batch predictions of one model version, from the
 * prediction-quality table (the monitor-predictions job). A metric not computed (no labels yet) is
 * NaN.
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
    double observedShare) {}
