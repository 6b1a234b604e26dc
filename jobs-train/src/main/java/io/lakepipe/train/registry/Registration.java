// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.registry;

import io.lakepipe.core.tracking.MlflowTracking;
import io.lakepipe.core.tracking.ModelVersion;
import io.lakepipe.core.tracking.Promotion;
import io.lakepipe.core.tracking.PromotionLock;
import io.lakepipe.core.tracking.TrackedRun;
import io.lakepipe.mlflow.MlflowLoggedModels.LoggedModel;
import io.lakepipe.train.evaluation.PairedComparison;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers a run's logged model as a new version with the challenger alias and moves the champion
 * alias to it only if the gate says so. The champion is scored before anything is written, so the
 * registry changes in a few quick calls at the end; if one of them fails the new version is deleted
 * again, and no half-registered model is left behind. The champion alias moves last, and is pointed
 * back at the old champion before a failed registration deletes its version: MLflow drops an alias
 * with its version, which would leave no champion and let the next training in unchecked. From the
 * last look at the champion to the alias move, the model's {@link PromotionLock} is held, so two
 * trainings never both move it on a check the other has made stale.
 */
public final class Registration {
  private static final Logger LOG = LoggerFactory.getLogger(Registration.class);

  /** How often a registration decides again when other trainings keep moving the champion. */
  private static final int MAX_CHAMPION_MOVES = 3;

  private final MlflowTracking tracking;
  private final String modelName;
  private final String challengerAlias;
  private final String championAlias;
  private final PromotionLock promotionLock;
  private final boolean awaitServingCheck;

  public Registration(
      MlflowTracking tracking, String modelName, String challengerAlias, String championAlias) {
    this(tracking, modelName, challengerAlias, championAlias, false);
  }

  /**
   * @param awaitServingCheck leave the champion alias to export-pmml's serving check: a model the
   *     gate promotes is tagged {@value Promotion#AWAITING} instead of moving the alias
   */
  public Registration(
      MlflowTracking tracking,
      String modelName,
      String challengerAlias,
      String championAlias,
      boolean awaitServingCheck) {
    this.tracking = tracking;
    this.modelName = modelName;
    this.challengerAlias = challengerAlias;
    this.championAlias = championAlias;
    this.promotionLock = new PromotionLock(tracking, modelName);
    this.awaitServingCheck = awaitServingCheck;
  }

  /** A registered version and the gate's decision about it. */
  public record Result(
      ModelVersion version,
      GateDecision decision,
      Optional<ModelVersion> champion,
      boolean awaitingServingCheck) {
    /** The gate's decision as the job's summary says it: a promotion may still wait for a check. */
    public String outcome() {
      return awaitingServingCheck
          ? decision.explanation()
              + " (the champion alias moves once export-pmml's serving check has passed)"
          : decision.explanation();
    }
  }

  /**
   * Compares the new model with the current champion on the same test rows ({@code
   * compareWithChampion}; a champion that cannot be scored is kept), decides against it and the
   * baseline's {@code baselineScore}, registers the model logged as {@code model} by {@code run}
   * (MLflow 3's logged model) and sets the aliases; the decision and its evidence are logged to the
   * run and tagged on the version.
   */
  public Result register(
      TrackedRun run,
      LoggedModel model,
      String metric,
      double challengerScore,
      double baselineScore,
      double margin,
      Function<ModelVersion, PairedComparison> compareWithChampion) {
    Optional<ModelVersion> champion = tracking.findByAlias(modelName, championAlias);
    Optional<PairedComparison> comparison =
        compare(champion, compareWithChampion, metric, challengerScore);
    GateDecision decision =
        GateDecision.decide(metric, challengerScore, baselineScore, comparison, margin);

    ModelVersion version = tracking.registerLoggedModel(modelName, model.modelId(), run.runId());
    PromotionLock.Held lock = null;
    try {
      tracking.setAlias(modelName, challengerAlias, version.version());
      if (awaitServingCheck && decision.outcome().promotes()) {
        // The alias moves once the scorer has served this version's bundle (export-pmml).
        logDecision(run, version, decision, champion);
        tracking.setVersionTag(modelName, version.version(), Promotion.TAG, Promotion.AWAITING);
        run.log(Map.of(), Map.of(), Map.of(Promotion.TAG, Promotion.AWAITING));
        LOG.info(
            "Registered {} version {} as {}; gate: {}; the champion alias moves after export-pmml's"
                + " serving check",
            modelName,
            version.version(),
            challengerAlias,
            decision.explanation());
        return new Result(version, decision, champion, true);
      }
      // Scoring the champion took a while: another training may have moved it meanwhile. A model
      // about to be promoted is decided again against the champion of now, as often as it moved;
      // the lock is held from the last look until the alias has moved, but not while scoring.
      for (int moves = 0; decision.outcome().promotes(); moves++) {
        lock = promotionLock.acquire(run.runId());
        Optional<ModelVersion> now = tracking.findByAlias(modelName, championAlias);
        if (now.map(ModelVersion::version).equals(champion.map(ModelVersion::version))) {
          break;
        }
        lock.close();
        lock = null;
        LOG.warn(
            "The champion moved from {} to {} while this training scored it; deciding again",
            champion.map(ModelVersion::version).orElse("none"),
            now.map(ModelVersion::version).orElse("none"));
        champion = now;
        if (moves == MAX_CHAMPION_MOVES) {
          decision = GateDecision.championMoved(metric, challengerScore, baselineScore, margin);
          break;
        }
        comparison = compare(champion, compareWithChampion, metric, challengerScore);
        decision = GateDecision.decide(metric, challengerScore, baselineScore, comparison, margin);
      }
      logDecision(run, version, decision, champion);
      if (decision.outcome().promotes()) {
        lock.verify();
        tracking.setAlias(modelName, championAlias, version.version());
      }
    } catch (RuntimeException e) {
      // The alias call may have failed after the server moved it (a lost response), so it is put
      // back whenever it could have moved: only under the lock, which no other promotion holds.
      if (decision.outcome().promotes() && champion.isPresent() && lock != null) {
        try {
          tracking.setAlias(modelName, championAlias, champion.get().version());
        } catch (RuntimeException restore) {
          e.addSuppressed(restore);
        }
      }
      try {
        tracking.deleteVersion(modelName, version.version());
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    } finally {
      if (lock != null) {
        lock.close();
      }
    }
    LOG.info(
        "Registered {} version {} as {}; gate: {}",
        modelName,
        version.version(),
        challengerAlias,
        decision.explanation());
    return new Result(version, decision, champion, false);
  }

  /** The gate's decision and its evidence, tagged on the version and logged to the run. */
  private void logDecision(
      TrackedRun run,
      ModelVersion version,
      GateDecision decision,
      Optional<ModelVersion> champion) {
    String outcome = decision.outcome().name().toLowerCase();
    tracking.setVersionTag(modelName, version.version(), "lakepipe.gate", outcome);
    String metric = decision.metric();
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("gate_challenger_" + metric, decision.challengerScore());
    metrics.put("gate_baseline_" + metric, decision.baselineScore());
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("lakepipe.gate.decision", outcome);
    tags.put("lakepipe.gate.explanation", decision.explanation());
    tags.put("lakepipe.registered.version", version.version());
    if (champion.isPresent()) {
      tags.put(Promotion.GATE_CHAMPION_TAG, champion.get().version());
    }
    decision
        .comparison()
        .ifPresent(
            comparison -> {
              metrics.put("gate_champion_" + metric, comparison.champion());
              if (comparison.rows() > 0) {
                metrics.put("gate_gain_" + metric, comparison.gain());
                metrics.put("gate_gain_low_" + metric, comparison.low());
                metrics.put("gate_gain_high_" + metric, comparison.high());
                tags.put("lakepipe.gate.evidence", comparison.describe());
                tags.put("lakepipe.gate.per_day", perDay(comparison));
              }
            });
    metrics.put("gate_promoted", decision.outcome().promotes() ? 1.0 : 0.0);
    run.log(Map.of(), metrics, tags);
  }

  /** "2001-01-14 0.71234/0.70100; ...": each test day's score of the new model and the champion. */
  static String perDay(PairedComparison comparison) {
    StringBuilder days = new StringBuilder();
    comparison
        .perDay()
        .forEach(
            (day, scores) ->
                days.append(days.length() == 0 ? "" : "; ")
                    .append(day)
                    .append(String.format(Locale.ROOT, " %.5f/%.5f", scores[0], scores[1])));
    return days.toString();
  }

  /**
   * The comparison with the champion: empty without one, its score NaN when it cannot be scored.
   */
  private static Optional<PairedComparison> compare(
      Optional<ModelVersion> champion,
      Function<ModelVersion, PairedComparison> compareWithChampion,
      String metric,
      double challengerScore) {
    if (champion.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(compareWithChampion.apply(champion.get()));
    } catch (RuntimeException e) {
      LOG.warn(
          "The champion, version {}, could not be scored on the test days; it is kept",
          champion.get().version(),
          e);
      return Optional.of(PairedComparison.ofScores(metric, challengerScore, Double.NaN));
    }
  }
}
