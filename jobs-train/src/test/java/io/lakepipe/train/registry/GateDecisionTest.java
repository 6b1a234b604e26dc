package io.lakepipe.train.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakepipe.train.registry.GateDecision.Outcome;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class GateDecisionTest {
  @Test
  void theFirstModelBecomesChampion() {
    assertThat(GateDecision.decide("roc_auc", 0.6, OptionalDouble.empty(), 0.01).outcome())
        .isEqualTo(Outcome.FIRST_CHAMPION);
  }

  @Test
  void aModelBetterByTheMarginIsPromoted() {
    GateDecision decision = GateDecision.decide("roc_auc", 0.72, OptionalDouble.of(0.70), 0.01);

    assertThat(decision.outcome()).isEqualTo(Outcome.PROMOTED);
    assertThat(decision.explanation()).contains("0.72000").contains("0.70000");
  }

  @Test
  void aModelBetterByLessThanTheMarginOrWorseIsNot() {
    assertThat(GateDecision.decide("roc_auc", 0.705, OptionalDouble.of(0.70), 0.01).outcome())
        .isEqualTo(Outcome.KEPT_CHAMPION);
    assertThat(GateDecision.decide("roc_auc", 0.60, OptionalDouble.of(0.70), 0.0).outcome())
        .isEqualTo(Outcome.KEPT_CHAMPION);
  }

  @Test
  void forALossSmallerIsBetter() {
    assertThat(GateDecision.decide("log_loss", 0.40, OptionalDouble.of(0.45), 0.01).outcome())
        .isEqualTo(Outcome.PROMOTED);
    assertThat(GateDecision.decide("log_loss", 0.45, OptionalDouble.of(0.40), 0.01).outcome())
        .isEqualTo(Outcome.KEPT_CHAMPION);
  }

  @Test
  void aChampionThatCouldNotBeScoredIsKept() {
    GateDecision decision = GateDecision.decide("roc_auc", 0.99, OptionalDouble.of(Double.NaN), 0);

    assertThat(decision.outcome()).isEqualTo(Outcome.CHAMPION_UNSCORED);
    assertThat(decision.outcome().promotes()).isFalse();
  }

  @Test
  void aModelWithoutAFiniteScoreIsNeverPromoted() {
    for (double score : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
      GateDecision first = GateDecision.decide("roc_auc", score, OptionalDouble.empty(), 0);
      GateDecision second = GateDecision.decide("log_loss", score, OptionalDouble.of(0.5), 0);

      assertThat(first.outcome()).isEqualTo(Outcome.CHALLENGER_UNSCORED);
      assertThat(second.outcome()).isEqualTo(Outcome.CHALLENGER_UNSCORED);
      assertThat(first.outcome().promotes()).isFalse();
      assertThat(first.explanation()).contains("not promoted").contains(String.valueOf(score));
    }
  }
}
