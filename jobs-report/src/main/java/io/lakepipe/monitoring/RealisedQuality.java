// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.monitoring;

import java.util.Arrays;
import java.util.Comparator;

/**
 * The realised quality of one day's predictions of one model version, against the labels that
 * landed for the same rows. A metric that cannot be computed (no labelled row, or one class only
 * for ROC AUC) is NaN, and stored as null.
 *
 * @param rowsScored predictions the model made for the day
 * @param rowsLabelled those whose label has landed (the rows every metric is computed on)
 * @param rocAuc the probability that a delayed flight is scored above an on-time one (ties half)
 * @param logLoss mean negative log-likelihood, probabilities clipped to [1e-15, 1 - 1e-15]
 * @param calibrationError expected calibration error over {@link #BINS} equal-width bins of the
 *     predicted probability: the row-weighted mean of |mean predicted - observed share| per bin
 * @param meanPredicted mean predicted probability of the labelled rows
 * @param observedShare share of the labelled rows that are positive
 */
public record RealisedQuality(
    long rowsScored,
    long rowsLabelled,
    double rocAuc,
    double logLoss,
    double calibrationError,
    double meanPredicted,
    double observedShare) {

  /** Bins of the calibration error: ten, as in most reliability diagrams. */
  public static final int BINS = 10;

  private static final double EPSILON = 1e-15;

  /**
   * The metrics of the labelled rows: {@code probabilities[i]} is the predicted probability of row
   * i, {@code labels[i]} its label (1 or 0). {@code rowsScored} counts every prediction of the day,
   * labelled or not.
   */
  public static RealisedQuality of(long rowsScored, double[] probabilities, int[] labels) {
    if (probabilities.length != labels.length) {
      throw new IllegalArgumentException(
          probabilities.length + " probabilities for " + labels.length + " labels");
    }
    int n = labels.length;
    if (n == 0) {
      return new RealisedQuality(
          rowsScored, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    double sumP = 0;
    long positives = 0;
    double loss = 0;
    double[] binP = new double[BINS];
    double[] binY = new double[BINS];
    long[] binN = new long[BINS];
    for (int i = 0; i < n; i++) {
      double p = probabilities[i];
      int y = labels[i];
      if (y != 0 && y != 1) {
        throw new IllegalArgumentException("label " + y + " at row " + i + " is neither 0 nor 1");
      }
      sumP += p;
      positives += y;
      double clipped = Math.min(Math.max(p, EPSILON), 1 - EPSILON);
      loss -= y == 1 ? Math.log(clipped) : Math.log(1 - clipped);
      int bin = Math.min(BINS - 1, Math.max(0, (int) Math.floor(p * BINS)));
      binP[bin] += p;
      binY[bin] += y;
      binN[bin]++;
    }
    double calibration = 0;
    for (int b = 0; b < BINS; b++) {
      if (binN[b] > 0) {
        calibration += Math.abs(binP[b] - binY[b]) / n;
      }
    }
    return new RealisedQuality(
        rowsScored,
        n,
        rocAuc(probabilities, labels, positives),
        loss / n,
        calibration,
        sumP / n,
        (double) positives / n);
  }

  /** Mann-Whitney: the positives' mean rank, tied scores sharing their average rank. */
  private static double rocAuc(double[] probabilities, int[] labels, long positives) {
    int n = labels.length;
    long negatives = n - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    Integer[] order = new Integer[n];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, Comparator.comparingDouble(i -> probabilities[i]));
    double positiveRanks = 0;
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && probabilities[order[j + 1]] == probabilities[order[i]]) {
        j++;
      }
      double rank = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        positiveRanks += labels[order[k]] * rank;
      }
      i = j + 1;
    }
    return (positiveRanks - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }
}
