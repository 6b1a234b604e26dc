// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PairedComparisonTest {
  private static final LocalDate DAY1 = LocalDate.of(2001, 1, 14);
  private static final LocalDate DAY2 = LocalDate.of(2001, 1, 15);

  /** Rows whose label a better model separates with {@code signal}, a worse one with less. */
  private record Rows(double[] labels, double[] better, double[] worse, LocalDate[] days) {}

  private static Rows rows(int n, double betterSignal, double worseSignal, long seed) {
    Random random = new Random(seed);
    double[] labels = new double[n];
    double[] better = new double[n];
    double[] worse = new double[n];
    LocalDate[] days = new LocalDate[n];
    for (int i = 0; i < n; i++) {
      labels[i] = random.nextDouble() < 0.25 ? 1.0 : 0.0;
      double shared = random.nextGaussian(); // both models see the same hard rows
      better[i] = sigmoid(betterSignal * labels[i] + shared + 0.5 * random.nextGaussian());
      worse[i] = sigmoid(worseSignal * labels[i] + shared + 0.5 * random.nextGaussian());
      days[i] = i % 2 == 0 ? DAY1 : DAY2;
    }
    return new Rows(labels, better, worse, days);
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  private static PairedComparison compare(String metric, Rows rows) {
    return PairedComparison.of(
        metric, rows.labels(), rows.better(), rows.worse(), rows.days(), 0.3, 0.95, 7L);
  }

  @Test
  void midranksAverageTies() {
    assertThat(PairedComparison.midranks(new double[] {3, 1, 3, 2}))
        .containsExactly(3.5, 1.0, 3.5, 2.0);
  }

  @Test
  void delongsVarianceAgreesWithABootstrapOfTheSameRows() {
    Rows rows = rows(3000, 1.2, 0.9, 1L);
    double delong = PairedComparison.delongVariance(rows.labels(), rows.better(), rows.worse());

    Random random = new Random(2L);
    int samples = 400;
    double[] differences = new double[samples];
    int n = rows.labels().length;
    for (int s = 0; s < samples; s++) {
      double[] l = new double[n];
      double[] a = new double[n];
      double[] b = new double[n];
      for (int i = 0; i < n; i++) {
        int row = random.nextInt(n);
        l[i] = rows.labels()[row];
        a[i] = rows.better()[row];
        b[i] = rows.worse()[row];
      }
      differences[s] =
          BinaryEvaluation.of(l, a, 0.5).rocAuc() - BinaryEvaluation.of(l, b, 0.5).rocAuc();
    }
    double mean = Arrays.stream(differences).average().orElseThrow();
    double bootstrap =
        Arrays.stream(differences).map(d -> (d - mean) * (d - mean)).sum() / (samples - 1);

    assertThat(delong).isPositive();
    assertThat(delong / bootstrap)
        .as("DeLong's variance over the bootstrap's")
        .isBetween(0.75, 1.33);
  }

  @Test
  void aClearlyBetterModelBeatsTheChampionBeyondTheNoise() {
    PairedComparison comparison = compare("roc_auc", rows(4000, 1.6, 0.8, 3L));

    assertThat(comparison.gain()).isEqualTo(comparison.challenger() - comparison.champion());
    assertThat(comparison.low()).isPositive().isLessThan(comparison.gain());
    assertThat(comparison.high()).isGreaterThan(comparison.gain());
    assertThat(comparison.beats(0.002)).isTrue();
    assertThat(comparison.method()).isEqualTo("DeLong");
    assertThat(comparison.describe()).contains("95% CI").contains("4000 rows");
  }

  @Test
  void aSmallGainOnFewRowsIsWithinTheNoise() {
    PairedComparison comparison = compare("roc_auc", rows(300, 1.25, 1.2, 4L));

    assertThat(comparison.low()).isNegative();
    assertThat(comparison.high()).isPositive();
    assertThat(comparison.beats(0.0)).isFalse();
  }

  @Test
  void identicalModelsGainNothingWithNoSpread() {
    Rows rows = rows(500, 1.0, 1.0, 5L);
    PairedComparison comparison =
        PairedComparison.of(
            "roc_auc", rows.labels(), rows.better(), rows.better(), rows.days(), 0.3, 0.95, 7L);

    assertThat(comparison.gain()).isZero();
    assertThat(comparison.low()).isCloseTo(0.0, within(1e-12));
    assertThat(comparison.high()).isCloseTo(0.0, within(1e-12));
  }

  @Test
  void aLossIsBetterSmallerAndGetsABootstrapInterval() {
    PairedComparison comparison = compare("log_loss", rows(2000, 1.6, 0.8, 6L));

    assertThat(comparison.challenger()).isLessThan(comparison.champion());
    assertThat(comparison.gain()).isEqualTo(comparison.champion() - comparison.challenger());
    assertThat(comparison.low()).isLessThanOrEqualTo(comparison.gain()).isPositive();
    assertThat(comparison.high()).isGreaterThanOrEqualTo(comparison.gain());
    assertThat(comparison.method()).startsWith("paired bootstrap");
  }

  @Test
  void eachTestDayIsScoredOnItsOwnRows() {
    Rows rows = rows(2000, 1.6, 0.8, 8L);
    PairedComparison comparison = compare("roc_auc", rows);

    assertThat(comparison.perDay()).containsOnlyKeys(DAY1, DAY2);
    double[] day1 = comparison.perDay().get(DAY1);
    double[] labels = new double[1000];
    double[] better = new double[1000];
    for (int i = 0; i < 1000; i++) {
      labels[i] = rows.labels()[2 * i];
      better[i] = rows.better()[2 * i];
    }
    assertThat(day1[0]).isEqualTo(BinaryEvaluation.of(labels, better, 0.3).rocAuc());
    assertThat(day1[0]).isGreaterThan(day1[1]);
  }

  @Test
  void scoresWithoutRowsAreComparedAsTheyAre() {
    PairedComparison comparison = PairedComparison.ofScores("roc_auc", 0.70, 0.69);

    assertThat(comparison.rows()).isZero();
    assertThat(comparison.low()).isEqualTo(comparison.gain()).isCloseTo(0.01, within(1e-12));
    assertThat(comparison.beats(0.005)).isTrue();
    assertThat(comparison.beats(0.02)).isFalse();
  }
}
