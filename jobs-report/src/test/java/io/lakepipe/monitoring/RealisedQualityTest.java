// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RealisedQualityTest {
  private static final double EXACT = 1e-12;

  @Test
  void aPerfectRankingHasRocAuc1AndTheReverseRanking0() {
    double[] p = {0.1, 0.2, 0.8, 0.9};

    assertThat(RealisedQuality.of(4, p, new int[] {0, 0, 1, 1}).rocAuc()).isEqualTo(1.0);
    assertThat(RealisedQuality.of(4, p, new int[] {1, 1, 0, 0}).rocAuc()).isEqualTo(0.0);
  }

  @Test
  void rocAucCountsEachPositiveNegativePairAndTiesAsHalf() {
    // Pairs (positive, negative): (0.8, 0.1) right, (0.8, 0.9) wrong, (0.4, 0.1) right,
    // (0.4, 0.9) wrong: 2 of 4.
    assertThat(
            RealisedQuality.of(4, new double[] {0.1, 0.4, 0.8, 0.9}, new int[] {0, 1, 1, 0})
                .rocAuc())
        .isCloseTo(0.5, within(EXACT));
    // One positive, one negative, the same score: a tie, worth half.
    assertThat(RealisedQuality.of(2, new double[] {0.3, 0.3}, new int[] {1, 0}).rocAuc())
        .isEqualTo(0.5);
    // The positive at 0.7 against the negatives at 0.2 (right) and 0.7 (a tie): 1.5 of 2.
    assertThat(RealisedQuality.of(3, new double[] {0.2, 0.7, 0.7}, new int[] {0, 1, 0}).rocAuc())
        .isCloseTo(0.75, within(EXACT));
  }

  @Test
  void aPerfectlyCalibratedSetHasCalibrationError0() {
    // In the bin [0.2, 0.3): five rows at 0.2, one positive; in [0.8, 0.9): five at 0.8, four.
    double[] p = {0.2, 0.2, 0.2, 0.2, 0.2, 0.8, 0.8, 0.8, 0.8, 0.8};
    int[] y = {1, 0, 0, 0, 0, 1, 1, 1, 1, 0};

    RealisedQuality q = RealisedQuality.of(10, p, y);

    assertThat(q.calibrationError()).isCloseTo(0.0, within(EXACT));
    assertThat(q.meanPredicted()).isCloseTo(0.5, within(EXACT));
    assertThat(q.observedShare()).isCloseTo(0.5, within(EXACT));
  }

  @Test
  void calibrationErrorIsTheRowWeightedGapPerBin() {
    // Bin [0.9, 1.0]: four rows at 0.9, none positive: gap 0.9, weight 4/6. Bin [0.0, 0.1): two
    // rows at 0.05, both positive: gap 0.95, weight 2/6. And 1.0 falls in the last bin.
    double[] p = {0.9, 0.9, 0.9, 1.0, 0.05, 0.05};
    int[] y = {0, 0, 0, 0, 1, 1};

    assertThat(RealisedQuality.of(6, p, y).calibrationError())
        .isCloseTo((0.9 * 3 + 1.0 + 0.95 * 2) / 6, within(EXACT));
  }

  @Test
  void logLossIsTheMeanNegativeLogLikelihoodWithProbabilitiesClipped() {
    RealisedQuality q = RealisedQuality.of(3, new double[] {0.5, 0.8, 0.0}, new int[] {1, 0, 0});

    assertThat(q.logLoss())
        .isCloseTo(-(Math.log(0.5) + Math.log(0.2) + Math.log(1.0)) / 3, within(1e-9));
    // A confident wrong answer costs -log(1e-15), not infinity.
    assertThat(RealisedQuality.of(1, new double[] {0.0}, new int[] {1}).logLoss())
        .isCloseTo(-Math.log(1e-15), within(1e-6));
  }

  @Test
  void withoutLabelsEveryMetricIsNaNAndTheScoredRowsAreKept() {
    RealisedQuality q = RealisedQuality.of(7, new double[0], new int[0]);

    assertThat(q.rowsScored()).isEqualTo(7);
    assertThat(q.rowsLabelled()).isZero();
    assertThat(q.rocAuc()).isNaN();
    assertThat(q.logLoss()).isNaN();
    assertThat(q.calibrationError()).isNaN();
  }

  @Test
  void oneClassOnlyHasNoRocAucButTheOtherMetrics() {
    RealisedQuality q = RealisedQuality.of(2, new double[] {0.1, 0.3}, new int[] {0, 0});

    assertThat(q.rocAuc()).isNaN();
    assertThat(q.observedShare()).isZero();
    assertThat(q.calibrationError()).isCloseTo(0.2, within(EXACT));
  }

  @Test
  void aLabelOtherThan0Or1IsRefused() {
    assertThatThrownBy(() -> RealisedQuality.of(1, new double[] {0.5}, new int[] {2}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("label 2 at row 0");
  }
}
