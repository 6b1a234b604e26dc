// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.shadow;

import io.lakepipe.serving.scoring.Prediction;

/**
 * How the shadow's scores of a request's records compare with the served model's: how many records
 * get the same label from both (each model at its own threshold, as each would answer), and the
 * absolute difference of the two probabilities per record. Pure: numbers in, numbers out.
 *
 * @param agreeing records labelled alike
 * @param disagreeing records labelled differently
 * @param differences |champion - shadow| per record, in record order
 */
public record Comparison(long agreeing, long disagreeing, double[] differences) {

  /**
   * Compares two models' probabilities of the same records.
   *
   * @throws IllegalArgumentException when the two do not score the same number of records
   */
  public static Comparison of(
      double[] champion, double championThreshold, double[] shadow, double shadowThreshold) {
    if (champion.length != shadow.length) {
      throw new IllegalArgumentException(
          "the champion scored "
              + champion.length
              + " records and the shadow "
              + shadow.length
              + ": they must score the same ones");
    }
    long agreeing = 0;
    double[] differences = new double[champion.length];
    for (int i = 0; i < champion.length; i++) {
      boolean same =
          Prediction.delayed(champion[i], championThreshold)
              == Prediction.delayed(shadow[i], shadowThreshold);
      agreeing += same ? 1 : 0;
      differences[i] = Math.abs(champion[i] - shadow[i]);
    }
    return new Comparison(agreeing, champion.length - agreeing, differences);
  }

  /** How many records were compared. */
  public long records() {
    return agreeing + disagreeing;
  }

  /** The sum of the differences (0 for no record). */
  public double differenceSum() {
    double sum = 0;
    for (double d : differences) {
      sum += d;
    }
    return sum;
  }

  /** The largest difference (0 for no record). */
  public double maxDifference() {
    double max = 0;
    for (double d : differences) {
      max = Math.max(max, d);
    }
    return max;
  }
}
