// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.shadow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ComparisonTest {

  @Test
  void recordsAgreeWhenBothModelsGiveTheSameLabelAtTheirOwnThresholds() {
    Comparison comparison =
        Comparison.of(
            new double[] {0.9, 0.1, 0.6, 0.4}, 0.5, new double[] {0.7, 0.2, 0.4, 0.6}, 0.5);

    assertThat(comparison.agreeing()).isEqualTo(2);
    assertThat(comparison.disagreeing()).isEqualTo(2);
    assertThat(comparison.records()).isEqualTo(4);
    assertThat(comparison.differences())
        .containsExactly(new double[] {0.2, 0.1, 0.2, 0.2}, within(1e-15));
    assertThat(comparison.differenceSum()).isCloseTo(0.7, within(1e-15));
    assertThat(comparison.maxDifference()).isCloseTo(0.2, within(1e-15));
  }

  @Test
  void eachModelIsLabelledAtItsOwnThreshold() {
    // 0.6 is delayed for a champion at 0.5, not for a shadow at 0.7; 0.65 is delayed at 0.6 only.
    Comparison comparison =
        Comparison.of(new double[] {0.6, 0.65}, 0.5, new double[] {0.6, 0.65}, 0.7);

    assertThat(comparison.agreeing()).isZero();
    assertThat(comparison.disagreeing()).isEqualTo(2);
    assertThat(comparison.differences()).containsExactly(0.0, 0.0);
  }

  @Test
  void aProbabilityEqualToTheThresholdIsNotDelayedForEitherModel() {
    Comparison tie = Comparison.of(new double[] {0.5}, 0.5, new double[] {0.3}, 0.5);
    Comparison above = Comparison.of(new double[] {0.5}, 0.5, new double[] {0.5000001}, 0.5);

    assertThat(tie.agreeing()).isEqualTo(1);
    assertThat(above.disagreeing()).isEqualTo(1);
  }

  @Test
  void noRecordComparesToZeroes() {
    Comparison none = Comparison.of(new double[0], 0.5, new double[0], 0.5);

    assertThat(none.records()).isZero();
    assertThat(none.differenceSum()).isZero();
    assertThat(none.maxDifference()).isZero();
  }

  @Test
  void scoresOfDifferentRecordCountsAreRefused() {
    assertThatThrownBy(() -> Comparison.of(new double[] {0.1, 0.2}, 0.5, new double[] {0.1}, 0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the champion scored 2 records and the shadow 1");
  }
}
