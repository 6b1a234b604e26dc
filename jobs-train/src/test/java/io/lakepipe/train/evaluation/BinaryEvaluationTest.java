// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class BinaryEvaluationTest {
  private static final double[] LABELS = {1, 0, 1, 0};
  private static final double[] PROBABILITIES = {0.9, 0.8, 0.4, 0.1};

  @Test
  void rankingMetricsCountOrderedPairs() {
    BinaryEvaluation evaluation = BinaryEvaluation.of(LABELS, PROBABILITIES, 0.5);

    // Of the 4 (delayed, on-time) pairs, 3 are ranked right: 0.9>0.8, 0.9>0.1, 0.4>0.1.
    assertThat(evaluation.rocAuc()).isEqualTo(0.75);
    // Recall/precision steps: (0, 1), (.5, 1), (.5, .5), (1, 2/3), (1, .5).
    assertThat(evaluation.prAuc()).isCloseTo(0.5 * 1 + 0.5 * (0.5 + 2.0 / 3) / 2, within(1e-12));
  }

  @Test
  void tiedProbabilitiesCountAsHalf() {
    BinaryEvaluation evaluation =
        BinaryEvaluation.of(new double[] {1, 0}, new double[] {0.3, 0.3}, 0.5);

    assertThat(evaluation.rocAuc()).isEqualTo(0.5);
  }

  @Test
  void decisionsAtTheThresholdMakeTheConfusionMatrix() {
    BinaryEvaluation evaluation = BinaryEvaluation.of(LABELS, PROBABILITIES, 0.5);

    assertThat(
            new long[] {
              evaluation.trueNegatives(),
              evaluation.falsePositives(),
              evaluation.falseNegatives(),
              evaluation.truePositives()
            })
        .containsExactly(1, 1, 1, 1);
    assertThat(evaluation.accuracy()).isEqualTo(0.5);
    assertThat(evaluation.precision()).isEqualTo(0.5);
    assertThat(evaluation.recall()).isEqualTo(0.5);
    assertThat(BinaryEvaluation.of(LABELS, PROBABILITIES, 0.95).precision())
        .as("nothing predicted positive")
        .isEqualTo(0.0);
  }

  @Test
  void logLossAndCalibrationErrorAreTheTextbookOnes() {
    BinaryEvaluation evaluation = BinaryEvaluation.of(LABELS, PROBABILITIES, 0.5);

    double expected = -(Math.log(0.9) + Math.log(0.2) + Math.log(0.4) + Math.log(0.9)) / 4;
    assertThat(evaluation.logLoss()).isCloseTo(expected, within(1e-12));
    // Each row is alone in its bin: |0.9-1| + |0.8-0| + |0.4-1| + |0.1-0|, over 4 rows.
    assertThat(evaluation.calibrationError()).isCloseTo((0.1 + 0.8 + 0.6 + 0.1) / 4, within(1e-12));
    assertThat(BinaryEvaluation.of(new double[] {1, 0}, new double[] {1.0, 0.0}, 0.5).logLoss())
        .as("certain and right, clipped rather than log(0)")
        .isLessThan(1e-14);
  }

  @Test
  void curvesRunFromTheStrictestToTheLoosestThreshold() {
    double[][] roc = BinaryEvaluation.of(LABELS, PROBABILITIES, 0.5).rocCurve();

    assertThat(roc[0]).containsExactly(0, 0, 0.5, 0.5, 1);
    assertThat(roc[1]).containsExactly(0, 0.5, 0.5, 1, 1);
  }

  @Test
  void inputsThatCannotBeEvaluatedAreRefusedClearly() {
    assertThatThrownBy(() -> BinaryEvaluation.of(new double[] {1, 1}, new double[] {.2, .3}, .5))
        .hasMessageContaining("Both classes are needed");
    assertThatThrownBy(() -> BinaryEvaluation.of(new double[] {1, 0}, new double[] {.2, 1.3}, .5))
        .hasMessageContaining("not in [0, 1]");
    assertThatThrownBy(
            () -> BinaryEvaluation.of(new double[] {1, 0}, new double[] {.2, Double.NaN}, .5))
        .hasMessageContaining("not in [0, 1]");
    assertThatThrownBy(() -> BinaryEvaluation.of(new double[] {1, 2}, new double[] {.2, .3}, .5))
        .hasMessageContaining("not 0 or 1");
  }
}
