// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.evaluation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * How well predicted probabilities of the positive class fit 0/1 labels: ranking (ROC and
 * precision-recall curves and their areas), probability quality (log loss, calibration) and the
 * decisions at a threshold (confusion matrix, accuracy, precision, recall). Plain Java over arrays,
 * computed exactly: test days hold tens of thousands of rows, which a driver sorts in milliseconds.
 */
public final class BinaryEvaluation {
  /** Probabilities are clipped to [EPSILON, 1 - EPSILON] for the log loss, as scikit-learn does. */
  static final double EPSILON = 1e-15;

  static final int CALIBRATION_BINS = 10;
  private static final int CURVE_POINTS = 400;

  private final int rows;
  private final long positives;
  private final double threshold;
  private final double logLoss;
  private final long[] confusion;

  /** Cumulative true and false positives at each distinct probability, highest first. */
  private final long[] truePositivesAt;

  private final long[] falsePositivesAt;
  private final CalibrationBin[] calibration;

  /** One bin of the calibration plot: rows predicted in [from, to) and how many were positive. */
  public record CalibrationBin(
      double from, double to, long rows, double meanPredicted, double observedShare) {}

  private BinaryEvaluation(double[] labels, double[] probabilities, double threshold) {
    this.rows = labels.length;
    this.threshold = threshold;
    Integer[] order = IntStream.range(0, rows).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble((Integer i) -> probabilities[i]).reversed());
    List<long[]> steps = new ArrayList<>();
    long tp = 0;
    long fp = 0;
    for (int k = 0; k < rows; k++) {
      int i = order[k];
      if (labels[i] == 1.0) {
        tp++;
      } else {
        fp++;
      }
      boolean lastOfTies = k == rows - 1 || probabilities[order[k + 1]] != probabilities[i];
      if (lastOfTies) {
        steps.add(new long[] {tp, fp});
      }
    }
    this.positives = tp;
    this.truePositivesAt = steps.stream().mapToLong(s -> s[0]).toArray();
    this.falsePositivesAt = steps.stream().mapToLong(s -> s[1]).toArray();

    double loss = 0;
    long[] counts = new long[4];
    long[] binRows = new long[CALIBRATION_BINS];
    double[] binPredicted = new double[CALIBRATION_BINS];
    double[] binPositives = new double[CALIBRATION_BINS];
    for (int i = 0; i < rows; i++) {
      double p = Math.min(Math.max(probabilities[i], EPSILON), 1 - EPSILON);
      boolean actual = labels[i] == 1.0;
      loss -= actual ? Math.log(p) : Math.log(1 - p);
      boolean predicted = probabilities[i] > threshold;
      counts[(actual ? 2 : 0) + (predicted ? 1 : 0)]++;
      int bin = Math.min((int) (probabilities[i] * CALIBRATION_BINS), CALIBRATION_BINS - 1);
      binRows[bin]++;
      binPredicted[bin] += probabilities[i];
      binPositives[bin] += labels[i];
    }
    this.logLoss = loss / rows;
    this.confusion = counts;
    this.calibration = new CalibrationBin[CALIBRATION_BINS];
    for (int b = 0; b < CALIBRATION_BINS; b++) {
      calibration[b] =
          new CalibrationBin(
              (double) b / CALIBRATION_BINS,
              (double) (b + 1) / CALIBRATION_BINS,
              binRows[b],
              binRows[b] == 0 ? Double.NaN : binPredicted[b] / binRows[b],
              binRows[b] == 0 ? Double.NaN : binPositives[b] / binRows[b]);
    }
  }

  /**
   * Evaluates {@code probabilities} against {@code labels} (each 0 or 1, both classes present); a
   * row is predicted positive when its probability is above {@code threshold}.
   */
  public static BinaryEvaluation of(double[] labels, double[] probabilities, double threshold) {
    if (labels.length != probabilities.length) {
      throw new IllegalArgumentException(
          labels.length + " labels but " + probabilities.length + " probabilities");
    }
    long positives = 0;
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] != 0.0 && labels[i] != 1.0) {
        throw new IllegalArgumentException(
            "Label " + labels[i] + " at row " + i + " is not 0 or 1");
      }
      if (!(probabilities[i] >= 0.0 && probabilities[i] <= 1.0)) {
        throw new IllegalArgumentException(
            "Probability " + probabilities[i] + " at row " + i + " is not in [0, 1]");
      }
      positives += (long) labels[i];
    }
    if (positives == 0 || positives == labels.length) {
      throw new IllegalArgumentException(
          "Both classes are needed to evaluate, the "
              + labels.length
              + " rows have "
              + positives
              + " positives");
    }
    return new BinaryEvaluation(labels, probabilities, threshold);
  }

  public int rows() {
    return rows;
  }

  public double positiveShare() {
    return (double) positives / rows;
  }

  public double threshold() {
    return threshold;
  }

  /** Area under the ROC curve, ties counted as half (trapezoids between distinct probabilities). */
  public double rocAuc() {
    double area = 0;
    long previousTp = 0;
    long previousFp = 0;
    for (int k = 0; k < truePositivesAt.length; k++) {
      area += (falsePositivesAt[k] - previousFp) * (truePositivesAt[k] + previousTp) / 2.0;
      previousTp = truePositivesAt[k];
      previousFp = falsePositivesAt[k];
    }
    return area / ((double) positives * negatives());
  }

  /**
   * Area under the precision-recall curve by trapezoids, starting at recall 0 with the precision of
   * the highest probability, as Spark's {@code BinaryClassificationEvaluator} computes it.
   */
  public double prAuc() {
    double area = 0;
    double previousRecall = 0;
    double previousPrecision = precisionAt(0);
    for (int k = 0; k < truePositivesAt.length; k++) {
      double recall = (double) truePositivesAt[k] / positives;
      double precision = precisionAt(k);
      area += (recall - previousRecall) * (precision + previousPrecision) / 2.0;
      previousRecall = recall;
      previousPrecision = precision;
    }
    return area;
  }

  public double logLoss() {
    return logLoss;
  }

  /** Expected calibration error: the row-weighted gap between predicted and observed shares. */
  public double calibrationError() {
    double error = 0;
    for (CalibrationBin bin : calibration) {
      if (bin.rows() > 0) {
        error += (double) bin.rows() / rows * Math.abs(bin.meanPredicted() - bin.observedShare());
      }
    }
    return error;
  }

  public long trueNegatives() {
    return confusion[0];
  }

  public long falsePositives() {
    return confusion[1];
  }

  public long falseNegatives() {
    return confusion[2];
  }

  public long truePositives() {
    return confusion[3];
  }

  public double accuracy() {
    return (double) (trueNegatives() + truePositives()) / rows;
  }

  /** Precision at the threshold; 0 when nothing is predicted positive. */
  public double precision() {
    long predicted = truePositives() + falsePositives();
    return predicted == 0 ? 0.0 : (double) truePositives() / predicted;
  }

  public double recall() {
    return (double) truePositives() / positives;
  }

  public CalibrationBin[] calibrationBins() {
    return calibration.clone();
  }

  /**
   * The ROC curve as false positive rates and true positive rates, at most a few hundred points.
   */
  public double[][] rocCurve() {
    int[] picked = pickedSteps();
    double[] fpr = new double[picked.length + 1];
    double[] tpr = new double[picked.length + 1];
    for (int j = 0; j < picked.length; j++) {
      fpr[j + 1] = (double) falsePositivesAt[picked[j]] / negatives();
      tpr[j + 1] = (double) truePositivesAt[picked[j]] / positives;
    }
    return new double[][] {fpr, tpr};
  }

  /** The precision-recall curve as recalls and precisions, at most a few hundred points. */
  public double[][] precisionRecallCurve() {
    int[] picked = pickedSteps();
    double[] recall = new double[picked.length];
    double[] precision = new double[picked.length];
    for (int j = 0; j < picked.length; j++) {
      recall[j] = (double) truePositivesAt[picked[j]] / positives;
      precision[j] = precisionAt(picked[j]);
    }
    return new double[][] {recall, precision};
  }

  /** The metrics MLflow logs, under their conventional names. */
  public Map<String, Double> metrics() {
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("roc_auc", rocAuc());
    metrics.put("pr_auc", prAuc());
    metrics.put("log_loss", logLoss());
    metrics.put("accuracy", accuracy());
    metrics.put("precision", precision());
    metrics.put("recall", recall());
    metrics.put("calibration_error", calibrationError());
    metrics.put("positive_share", positiveShare());
    metrics.put("rows", (double) rows);
    return metrics;
  }

  /** The value of a metric named as in {@link #metrics()}. */
  public double metric(String name) {
    Double value = metrics().get(name);
    if (value == null) {
      throw new IllegalArgumentException(
          "Unknown metric " + name + ", expected one of " + metrics().keySet());
    }
    return value;
  }

  /** Whether a larger value of the metric is better (log loss and calibration error: smaller). */
  public static boolean higherIsBetter(String metric) {
    return !metric.equals("log_loss") && !metric.equals("calibration_error");
  }

  private long negatives() {
    return rows - positives;
  }

  private double precisionAt(int step) {
    return (double) truePositivesAt[step] / (truePositivesAt[step] + falsePositivesAt[step]);
  }

  /** Indices of the curve steps to draw: all of them, or evenly spaced ones plus the last. */
  private int[] pickedSteps() {
    int steps = truePositivesAt.length;
    if (steps <= CURVE_POINTS) {
      return IntStream.range(0, steps).toArray();
    }
    return IntStream.rangeClosed(0, CURVE_POINTS)
        .map(j -> (int) Math.round((double) j * (steps - 1) / CURVE_POINTS))
        .distinct()
        .toArray();
  }
}
