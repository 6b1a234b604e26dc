// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.evaluation;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * A new model against the champion on the same test rows: both scores, the gain (how much better
 * the new model is, whichever way the metric points) with its confidence interval, and both scores
 * per test day. The two models score the same rows, so their errors are correlated and the interval
 * is that of the paired difference: for ROC AUC DeLong's (the variance of the difference of two
 * correlated AUCs, exact, in one sort per model), for other metrics a paired bootstrap of the rows.
 * A gain whose interval's lower end is below the margin is within the noise.
 *
 * @param rows the test rows compared, 0 for scores given without rows (no interval: low = high)
 * @param perDay each test day's {challenger, champion} score; NaN on a day with one class only
 */
public record PairedComparison(
    String metric,
    int rows,
    double challenger,
    double champion,
    double gain,
    double low,
    double high,
    double confidence,
    String method,
    SortedMap<LocalDate, double[]> perDay) {

  /** Resamples of the paired bootstrap. */
  static final int BOOTSTRAP_SAMPLES = 200;

  public PairedComparison {
    perDay = Collections.unmodifiableSortedMap(new TreeMap<>(perDay));
  }

  /** Two scores without their rows, compared as they are (tests, a champion scored elsewhere). */
  public static PairedComparison ofScores(String metric, double challenger, double champion) {
    double gain = gain(metric, challenger, champion);
    return new PairedComparison(
        metric, 0, challenger, champion, gain, gain, gain, 0.0, "scores", new TreeMap<>());
  }

  /**
   * Compares the two models' probabilities of the positive class on the same rows.
   *
   * @param labels each row's 0/1 label
   * @param days each row's test day, for the per-day scores
   * @param threshold the probability above which a row is predicted positive (for metrics that need
   *     one)
   * @param seed the bootstrap's seed, so that a rerun decides the same
   */
  public static PairedComparison of(
      String metric,
      double[] labels,
      double[] challenger,
      double[] champion,
      LocalDate[] days,
      double threshold,
      double confidence,
      long seed) {
    double challengerScore = BinaryEvaluation.of(labels, challenger, threshold).metric(metric);
    double championScore = BinaryEvaluation.of(labels, champion, threshold).metric(metric);
    double gain = gain(metric, challengerScore, championScore);
    double[] interval;
    String method;
    if (metric.equals("roc_auc")) {
      double z = new NormalDistribution().inverseCumulativeProbability((1 + confidence) / 2);
      double se = Math.sqrt(Math.max(0.0, delongVariance(labels, challenger, champion)));
      interval = new double[] {gain - z * se, gain + z * se};
      method = "DeLong";
    } else {
      interval = bootstrap(metric, labels, challenger, champion, threshold, confidence, seed);
      method = "paired bootstrap of " + BOOTSTRAP_SAMPLES;
    }
    return new PairedComparison(
        metric,
        labels.length,
        challengerScore,
        championScore,
        gain,
        interval[0],
        interval[1],
        confidence,
        method,
        perDay(metric, labels, challenger, champion, days, threshold));
  }

  /** Whether the gain is at least {@code margin} beyond the noise: the interval's lower end. */
  public boolean beats(double margin) {
    return low >= margin;
  }

  /** For logs and tags: "+0.00412 (95% CI +0.00102 to +0.00722, DeLong, 16781 rows)". */
  public String describe() {
    if (rows == 0) {
      return String.format(Locale.ROOT, "%+.5f", gain);
    }
    return String.format(
        Locale.ROOT,
        "%+.5f (%.0f%% CI %+.5f to %+.5f, %s, %d rows)",
        gain,
        confidence * 100,
        low,
        high,
        method,
        rows);
  }

  private static double gain(String metric, double score, double other) {
    return BinaryEvaluation.higherIsBetter(metric) ? score - other : other - score;
  }

  /**
   * DeLong's variance of AUC(a) - AUC(b) on the same rows (DeLong, DeLong and Clarke-Pearson 1988,
   * computed with midranks as Sun and Xu 2014 do).
   */
  static double delongVariance(double[] labels, double[] a, double[] b) {
    int m = 0;
    for (double label : labels) {
      m += label == 1.0 ? 1 : 0;
    }
    int n = labels.length - m;
    double[][] v10 = new double[2][m];
    double[][] v01 = new double[2][n];
    double[][] scores = {a, b};
    for (int k = 0; k < 2; k++) {
      double[] positives = new double[m];
      double[] negatives = new double[n];
      for (int i = 0, p = 0, q = 0; i < labels.length; i++) {
        if (labels[i] == 1.0) {
          positives[p++] = scores[k][i];
        } else {
          negatives[q++] = scores[k][i];
        }
      }
      double[] all = midranks(scores[k]);
      double[] tx = midranks(positives);
      double[] ty = midranks(negatives);
      for (int i = 0, p = 0, q = 0; i < labels.length; i++) {
        if (labels[i] == 1.0) {
          v10[k][p] = (all[i] - tx[p]) / n;
          p++;
        } else {
          v01[k][q] = 1.0 - (all[i] - ty[q]) / m;
          q++;
        }
      }
    }
    return (variance(v10[0]) + variance(v10[1]) - 2 * covariance(v10[0], v10[1])) / m
        + (variance(v01[0]) + variance(v01[1]) - 2 * covariance(v01[0], v01[1])) / n;
  }

  /** Ranks from 1, ties given the mean of the ranks they span. */
  static double[] midranks(double[] values) {
    Integer[] order = new Integer[values.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (x, y) -> Double.compare(values[x], values[y]));
    double[] ranks = new double[values.length];
    for (int i = 0; i < order.length; ) {
      int j = i;
      while (j < order.length && values[order[j]] == values[order[i]]) {
        j++;
      }
      double mid = (i + 1 + j) / 2.0; // ranks i+1 .. j
      for (int t = i; t < j; t++) {
        ranks[order[t]] = mid;
      }
      i = j;
    }
    return ranks;
  }

  private static double variance(double[] x) {
    return covariance(x, x);
  }

  private static double covariance(double[] x, double[] y) {
    double meanX = Arrays.stream(x).average().orElse(0);
    double meanY = Arrays.stream(y).average().orElse(0);
    double sum = 0;
    for (int i = 0; i < x.length; i++) {
      sum += (x[i] - meanX) * (y[i] - meanY);
    }
    return x.length > 1 ? sum / (x.length - 1) : 0.0;
  }

  /** The percentile interval of the gain over resamples of the rows, the same for both models. */
  private static double[] bootstrap(
      String metric,
      double[] labels,
      double[] a,
      double[] b,
      double threshold,
      double confidence,
      long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Double> gains = new ArrayList<>();
    double[] l = new double[labels.length];
    double[] x = new double[labels.length];
    double[] y = new double[labels.length];
    for (int s = 0; s < BOOTSTRAP_SAMPLES; s++) {
      double positives = 0;
      for (int i = 0; i < labels.length; i++) {
        int row = random.nextInt(labels.length);
        l[i] = labels[row];
        x[i] = a[row];
        y[i] = b[row];
        positives += l[i];
      }
      if (positives == 0 || positives == labels.length) {
        continue;
      }
      gains.add(
          gain(
              metric,
              BinaryEvaluation.of(l, x, threshold).metric(metric),
              BinaryEvaluation.of(l, y, threshold).metric(metric)));
    }
    Collections.sort(gains);
    if (gains.isEmpty()) {
      return new double[] {Double.NaN, Double.NaN};
    }
    int lowIndex = (int) Math.floor((1 - confidence) / 2 * (gains.size() - 1));
    int highIndex = (int) Math.ceil((1 + confidence) / 2 * (gains.size() - 1));
    return new double[] {gains.get(lowIndex), gains.get(highIndex)};
  }

  private static SortedMap<LocalDate, double[]> perDay(
      String metric, double[] labels, double[] a, double[] b, LocalDate[] days, double threshold) {
    SortedMap<LocalDate, List<Integer>> rowsByDay = new TreeMap<>();
    for (int i = 0; i < days.length; i++) {
      rowsByDay.computeIfAbsent(days[i], d -> new ArrayList<>()).add(i);
    }
    SortedMap<LocalDate, double[]> scores = new TreeMap<>();
    rowsByDay.forEach(
        (day, rows) -> {
          double[] l = rows.stream().mapToDouble(i -> labels[i]).toArray();
          double positives = Arrays.stream(l).sum();
          if (positives == 0 || positives == l.length) {
            scores.put(day, new double[] {Double.NaN, Double.NaN});
            return;
          }
          double[] x = rows.stream().mapToDouble(i -> a[i]).toArray();
          double[] y = rows.stream().mapToDouble(i -> b[i]).toArray();
          scores.put(
              day,
              new double[] {
                BinaryEvaluation.of(l, x, threshold).metric(metric),
                BinaryEvaluation.of(l, y, threshold).metric(metric)
              });
        });
    return scores;
  }
}
