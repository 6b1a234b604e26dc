// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.report;

import java.time.LocalDate;

/**
 * The test scores of the latest training run of a ds, next to the route baseline's on the same test
 * days. A metric the run did not log is NaN.
 */
public record TrainingScore(
    LocalDate ds,
    String runId,
    String model,
    double rocAuc,
    double prAuc,
    double logLoss,
    double baselineRocAuc,
    double baselinePrAuc,
    double baselineLogLoss,
    String url) {}
