// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.registry;

import io.lakepipe.train.evaluation.BinaryEvaluation;
import io.lakepipe.train.evaluation.PairedComparison;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Whether a newly trained model replaces the champion. It must first beat the naive group baseline
 * on the test days by at least the margin, always, so that even the first champion is a model worth
 * serving; then beat the champion on the same test rows by the margin beyond the noise, if there is
 * one: the lower end of the paired confidence interval of its gain ({@link PairedComparison}) must
 * reach the margin. A champion that could not be scored is kept, so a worse model can never take
 * its place by accident; a new model (or a baseline) whose score is not a finite number never leads
 * to a promotion.
 */
public record GateDecision(
    Outcome outcome,
    String metric,
    double challengerScore,
    double baselineScore,
    Optional<PairedComparison> comparison,
    double margin) {

  /** What the gate decided. */
  public enum Outcome {
    FIRST_CHAMPION,
    PROMOTED,
    KEPT_CHAMPION,
    CHAMPION_UNSCORED,
    CHALLENGER_UNSCORED,
    BELOW_BASELINE,
    BASELINE_UNSCORED,
    CHAMPION_MOVED;

    public boolean promotes() {
      return this == FIRST_CHAMPION || this == PROMOTED;
    }
  }

  /**
   * Decides on scores of {@code metric} (where smaller is better for a loss) without their rows:
   * {@code championScore} is empty when there is no champion, NaN when it could not be scored.
   */
  public static GateDecision decide(
      String metric,
      double challengerScore,
      double baselineScore,
      OptionalDouble championScore,
      double margin) {
    return decide(
        metric,
        challengerScore,
        baselineScore,
        championScore.isEmpty()
            ? Optional.empty()
            : Optional.of(
                PairedComparison.ofScores(metric, challengerScore, championScore.getAsDouble())),
        margin);
  }

  /**
   * Decides against the champion as {@code comparison} compared it with the new model on the same
   * test rows (empty when there is no champion; its champion score NaN when it could not be
   * scored).
   */
  public static GateDecision decide(
      String metric,
      double challengerScore,
      double baselineScore,
      Optional<PairedComparison> comparison,
      double margin) {
    // Checked first: with no champion to compare with, a model without a score would otherwise
    // pass.
    Outcome outcome;
    if (!Double.isFinite(challengerScore)) {
      outcome = Outcome.CHALLENGER_UNSCORED;
    } else if (!Double.isFinite(baselineScore)) {
      outcome = Outcome.BASELINE_UNSCORED;
    } else if (gain(metric, challengerScore, baselineScore) < margin) {
      outcome = Outcome.BELOW_BASELINE;
    } else if (comparison.isEmpty()) {
      outcome = Outcome.FIRST_CHAMPION;
    } else if (!Double.isFinite(comparison.get().champion())) {
      outcome = Outcome.CHAMPION_UNSCORED;
    } else {
      outcome = comparison.get().beats(margin) ? Outcome.PROMOTED : Outcome.KEPT_CHAMPION;
    }
    return new GateDecision(outcome, metric, challengerScore, baselineScore, comparison, margin);
  }

  /** The champion's score on the test days: empty without a champion, NaN if unscored. */
  public OptionalDouble championScore() {
    return comparison.isEmpty()
        ? OptionalDouble.empty()
        : OptionalDouble.of(comparison.get().champion());
  }

  /**
   * Not promoted because other trainings kept moving the champion while this one was registered:
   * the safe answer when the champion to beat does not hold still.
   */
  public static GateDecision championMoved(
      String metric, double challengerScore, double baselineScore, double margin) {
    return new GateDecision(
        Outcome.CHAMPION_MOVED, metric, challengerScore, baselineScore, Optional.empty(), margin);
  }

  /** How much better {@code score} is than {@code other}, whichever way the metric points. */
  private static double gain(String metric, double score, double other) {
    return BinaryEvaluation.higherIsBetter(metric) ? score - other : other - score;
  }

  /** One line for logs and the MLflow tag. */
  public String explanation() {
    return switch (outcome) {
      case FIRST_CHAMPION ->
          String.format(
              "no champion yet: the new model becomes champion (test %s %.5f beats the baseline's"
                  + " %.5f by at least %s)",
              metric, challengerScore, baselineScore, margin);
      case PROMOTED ->
          String.format(
              "promoted: test %s %.5f against the champion's %.5f, a gain of %s, at least %s",
              metric,
              challengerScore,
              comparison.get().champion(),
              comparison.get().describe(),
              margin);
      case KEPT_CHAMPION ->
          String.format(
              "champion kept: test %s %.5f against the champion's %.5f, a gain of %s, not at least"
                  + " %s%s",
              metric,
              challengerScore,
              comparison.get().champion(),
              comparison.get().describe(),
              margin,
              comparison.get().rows() > 0 && comparison.get().gain() >= margin
                  ? " beyond the noise"
                  : "");
      case CHAMPION_UNSCORED -> "champion kept: it could not be scored on the test days";
      case CHALLENGER_UNSCORED ->
          String.format(
              "not promoted: the new model's test %s is %s, not a finite number",
              metric, challengerScore);
      case BELOW_BASELINE ->
          String.format(
              "not promoted: test %s %.5f does not beat the baseline's %.5f by %s",
              metric, challengerScore, baselineScore, margin);
      case CHAMPION_MOVED ->
          "champion kept: other trainings kept moving it while this model was" + " registered";
      case BASELINE_UNSCORED ->
          String.format(
              "not promoted: the baseline's test %s is %s, so the model cannot be shown to beat it",
              metric, baselineScore);
    };
  }
}
