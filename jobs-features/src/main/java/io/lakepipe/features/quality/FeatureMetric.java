// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features.quality;

/**
 * The data-quality metrics of one feature column on one logical date, compared with its reference
 * (the previous days of the same table). Shares and PSI are null where they cannot be measured: no
 * rows in the day, or no reference rows.
 *
 * @param feature the column name
 * @param kind {@link #NUMERIC} or {@link #CATEGORICAL}
 * @param rows rows of the day
 * @param nulls rows of the day whose value is null (or NaN, which counts as missing)
 * @param nullShare nulls / rows; null when the day has no rows
 * @param min smallest value of the day (numeric only)
 * @param max largest value of the day (numeric only)
 * @param mean mean value of the day, nulls and NaN left out (numeric only)
 * @param distinctValues distinct non-null values of the day (categorical only)
 * @param referenceRows rows of the reference days
 * @param psi population stability index of the day against the reference; null without reference
 */
public record FeatureMetric(
    String feature,
    String kind,
    long rows,
    long nulls,
    Double nullShare,
    Double min,
    Double max,
    Double mean,
    Long distinctValues,
    long referenceRows,
    Double psi) {

  /** A feature of a numeric Spark type: min, max, mean and decile bins. */
  public static final String NUMERIC = "numeric";

  /** A string or boolean feature: distinct values and one bin per reference category. */
  public static final String CATEGORICAL = "categorical";
}
