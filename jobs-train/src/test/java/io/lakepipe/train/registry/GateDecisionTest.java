// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakepipe.train.evaluation.PairedComparison;
import io.lakepipe.train.registry.GateDecision.Outcome;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class GateDecisionTest {
  /** Route baselines that the models below beat, unless a test says otherwise. */
  private static final double AUC_BASELINE = 0.55;

  private static final double LOSS_BASELINE = 0.69;

  @Test
  void theFirstModelBecomesChampion() {
    assertThat(
            GateDecision.decide("roc_auc", 0.6, AUC_BASELINE, OptionalDouble.empty(), 0.01)
                .outcome())
        .isEqualTo(Outcome.FIRST_CHAMPION);
  }

  /** A comparison on the same rows whose gain of 0.004 has the interval {@code [low, high]}. */
  private static Optional<PairedComparison> compared(double low, double high) {
    return Optional.of(
        new PairedComparison(
            "roc_auc", 16781, 0.704, 0.700, 0.004, low, high, 0.95, "DeLong", new TreeMap<>()));
  }

  @Test
  void aGainWithinTheNoiseKeepsTheChampionAndOneBeyondItPromotes() {
    GateDecision noise =
        GateDecision.decide("roc_auc", 0.704, AUC_BASELINE, compared(-0.001, 0.009), 0.002);
    GateDecision beyond =
        GateDecision.decide("roc_auc", 0.704, AUC_BASELINE, compared(0.0021, 0.0059), 0.002);

    assertThat(noise.outcome()).isEqualTo(Outcome.KEPT_CHAMPION);
    assertThat(noise.explanation())
        .contains("+0.00400 (95% CI -0.00100 to +0.00900, DeLong, 16781 rows)")
        .contains("not at least 0.002 beyond the noise");
    assertThat(beyond.outcome()).isEqualTo(Outcome.PROMOTED);
    assertThat(beyond.championScore()).hasValue(0.700);
  }

  @Test
  void aModelBetterByTheMarginIsPromoted() {
    GateDecision decision =
        GateDecision.decide("roc_auc", 0.72, AUC_BASELINE, OptionalDouble.of(0.70), 0.01);

    assertThat(decision.outcome()).isEqualTo(Outcome.PROMOTED);
    assertThat(decision.explanation()).contains("0.72000").contains("0.70000");
  }

  @Test
  void aModelBetterByLessThanTheMarginOrWorseIsNot() {
    assertThat(
            GateDecision.decide("roc_auc", 0.705, AUC_BASELINE, OptionalDouble.of(0.70), 0.01)
                .outcome())
        .isEqualTo(Outcome.KEPT_CHAMPION);
    assertThat(
            GateDecision.decide("roc_auc", 0.60, AUC_BASELINE, OptionalDouble.of(0.70), 0.0)
                .outcome())
        .isEqualTo(Outcome.KEPT_CHAMPION);
  }

  @Test
  void forALossSmallerIsBetter() {
    assertThat(
            GateDecision.decide("log_loss", 0.40, LOSS_BASELINE, OptionalDouble.of(0.45), 0.01)
                .outcome())
        .isEqualTo(Outcome.PROMOTED);
    assertThat(
            GateDecision.decide("log_loss", 0.45, LOSS_BASELINE, OptionalDouble.of(0.40), 0.01)
                .outcome())
        .isEqualTo(Outcome.KEPT_CHAMPION);
  }

  @Test
  void aChampionThatCouldNotBeScoredIsKept() {
    GateDecision decision =
        GateDecision.decide("roc_auc", 0.99, AUC_BASELINE, OptionalDouble.of(Double.NaN), 0);

    assertThat(decision.outcome()).isEqualTo(Outcome.CHAMPION_UNSCORED);
    assertThat(decision.outcome().promotes()).isFalse();
  }

  @Test
  void aModelWithoutAFiniteScoreIsNeverPromoted() {
    for (double score : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
      GateDecision first =
          GateDecision.decide("roc_auc", score, AUC_BASELINE, OptionalDouble.empty(), 0);
      GateDecision second =
          GateDecision.decide("log_loss", score, LOSS_BASELINE, OptionalDouble.of(0.5), 0);

      assertThat(first.outcome()).isEqualTo(Outcome.CHALLENGER_UNSCORED);
      assertThat(second.outcome()).isEqualTo(Outcome.CHALLENGER_UNSCORED);
      assertThat(first.outcome().promotes()).isFalse();
      assertThat(first.explanation()).contains("not promoted").contains(String.valueOf(score));
    }
  }

  @Test
  void aFirstModelThatDoesNotBeatTheBaselineByTheMarginIsNotPromoted() {
    GateDecision below = GateDecision.decide("roc_auc", 0.58, 0.60, OptionalDouble.empty(), 0.0);
    GateDecision withinMargin =
        GateDecision.decide("roc_auc", 0.605, 0.60, OptionalDouble.empty(), 0.01);
    GateDecision lossBelow =
        GateDecision.decide("log_loss", 0.70, 0.69, OptionalDouble.empty(), 0.0);

    assertThat(below.outcome()).isEqualTo(Outcome.BELOW_BASELINE);
    assertThat(withinMargin.outcome()).isEqualTo(Outcome.BELOW_BASELINE);
    assertThat(lossBelow.outcome()).isEqualTo(Outcome.BELOW_BASELINE);
    assertThat(below.outcome().promotes()).isFalse();
    assertThat(below.explanation()).contains("baseline").contains("0.60000");
    assertThat(GateDecision.decide("roc_auc", 0.62, 0.60, OptionalDouble.empty(), 0.01).outcome())
        .isEqualTo(Outcome.FIRST_CHAMPION);
  }

  @Test
  void aModelBelowTheBaselineIsNotPromotedEvenOverAWorseChampion() {
    assertThat(GateDecision.decide("roc_auc", 0.58, 0.60, OptionalDouble.of(0.50), 0.0).outcome())
        .isEqualTo(Outcome.BELOW_BASELINE);
  }

  @Test
  void aBaselineWithoutAFiniteScoreLeadsToNoPromotion() {
    GateDecision decision =
        GateDecision.decide("roc_auc", 0.9, Double.NaN, OptionalDouble.empty(), 0);

    assertThat(decision.outcome()).isEqualTo(Outcome.BASELINE_UNSCORED);
    assertThat(decision.outcome().promotes()).isFalse();
  }
}
