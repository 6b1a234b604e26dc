package io.lakepipe.train.registry;

import io.lakepipe.train.evaluation.BinaryEvaluation;
import java.util.OptionalDouble;

/**
 * Whether a newly trained model replaces the champion: only if it beats the champion's score on
 * the same test days by at least the margin, or if there is no champion yet. A champion that could
 * not be scored is kept, so a worse model can never take its place by accident; a new model whose
 * score is not a finite number is never promoted, even when there is no champion.
 */
public record GateDecision(Outcome outcome, String metric, double challengerScore,
    OptionalDouble championScore, double margin) {

  /** What the gate decided. */
  public enum Outcome {
    FIRST_CHAMPION, PROMOTED, KEPT_CHAMPION, CHAMPION_UNSCORED, CHALLENGER_UNSCORED;

    public boolean promotes() {
      return this == FIRST_CHAMPION || this == PROMOTED;
    }
  }

  /**
   * Decides on scores of {@code metric} (where smaller is better for a loss): {@code championScore}
   * is empty when there is no champion, NaN when it could not be scored.
   */
  public static GateDecision decide(String metric, double challengerScore,
      OptionalDouble championScore, double margin) {
    // Checked first: with no champion to compare with, a model without a score would otherwise pass.
    if (!Double.isFinite(challengerScore)) {
      return new GateDecision(Outcome.CHALLENGER_UNSCORED, metric, challengerScore, championScore,
          margin);
    }
    if (championScore.isEmpty()) {
      return new GateDecision(Outcome.FIRST_CHAMPION, metric, challengerScore, championScore, margin);
    }
    double champion = championScore.getAsDouble();
    if (!Double.isFinite(champion)) {
      return new GateDecision(Outcome.CHAMPION_UNSCORED, metric, challengerScore, championScore,
          margin);
    }
    double gain = BinaryEvaluation.higherIsBetter(metric)
        ? challengerScore - champion
        : champion - challengerScore;
    return new GateDecision(gain >= margin ? Outcome.PROMOTED : Outcome.KEPT_CHAMPION, metric,
        challengerScore, championScore, margin);
  }

  /** One line for logs and the MLflow tag. */
  public String explanation() {
    return switch (outcome) {
      case FIRST_CHAMPION -> "no champion yet: the new model becomes champion";
      case PROMOTED -> String.format("promoted: test %s %.5f beats the champion's %.5f by at least %s",
          metric, challengerScore, championScore.getAsDouble(), margin);
      case KEPT_CHAMPION -> String.format(
          "champion kept: test %s %.5f does not beat the champion's %.5f by %s", metric,
          challengerScore, championScore.getAsDouble(), margin);
      case CHAMPION_UNSCORED -> "champion kept: it could not be scored on the test days";
      case CHALLENGER_UNSCORED -> String.format(
          "not promoted: the new model's test %s is %s, not a finite number", metric,
          challengerScore);
    };
  }
}
