// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.train.model.Candidate;
import io.lakepipe.train.model.CandidateGrid;
import io.lakepipe.train.split.Fold;
import io.lakepipe.train.split.TimeSplit;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;

/**
 * The training of one declared model, {@code lakepipe.models.<model>}: its view, MLflow experiment,
 * registered model name and baseline, and the settings of {@code lakepipe.train} with the model's
 * own {@code train} block over them; read and checked before Spark starts. Every key and its
 * default is documented in lakepipe-defaults.conf.
 */
public record TrainingConfig(
    int windowDays,
    int validationDays,
    int testDays,
    long featuresVersion,
    long labelsVersion,
    long seed,
    double threshold,
    String searchStrategy,
    int folds,
    int parallelism,
    String searchMetric,
    String gateMetric,
    double gateMargin,
    double gateConfidence,
    boolean gateServingCheck,
    List<Candidate> candidates,
    String experiment,
    String modelName,
    String challengerAlias,
    String championAlias,
    String model,
    String view,
    List<String> baselineKeys) {

  private static final Set<String> METRICS = Set.of("roc_auc", "pr_auc", "log_loss");
  private static final Set<String> STRATEGIES = Set.of("holdout", "cross-validation");

  /** The training of the model declared as {@code lakepipe.models.<model>}. */
  public static TrainingConfig from(LakepipeConfig config, String model) {
    if (!config.has("models." + model)) {
      throw LakepipeErrors.modelDeclarationInvalid(
          "lakepipe.models." + model,
          config.origin(),
          "no such model is declared",
          "Declare it, or name one of "
              + (config.has("models") ? config.keys("models") : Set.of()));
    }
    LakepipeConfig declared = config.section("models." + model);
    LakepipeConfig settings = config.overlaid("train", "models." + model + ".train");
    return from(settings, model, declared);
  }

  private static TrainingConfig from(LakepipeConfig config, String model, LakepipeConfig declared) {
    TrainingConfig training =
        new TrainingConfig(
            config.integer("train.window-days"),
            config.integer("train.validation-days"),
            config.integer("train.test-days"),
            config.longValue("train.features-version"),
            config.longValue("train.labels-version"),
            config.longValue("train.seed"),
            config.number("train.threshold"),
            oneOf(config, "train.search.strategy", STRATEGIES),
            config.integer("train.search.folds"),
            config.integer("train.search.parallelism"),
            oneOf(config, "train.search.metric", METRICS),
            oneOf(config, "train.gate.metric", METRICS),
            config.number("train.gate.margin"),
            config.number("train.gate.confidence"),
            config.bool("train.gate.serving-check"),
            CandidateGrid.from(config),
            declared.string("experiment"),
            declared.string("model-name"),
            config.string("mlflow.new-version-alias"),
            config.string("mlflow.champion-alias"),
            model,
            declared.string("view"),
            declared.strings("baseline.keys"));
    if (training.baselineKeys.isEmpty()) {
      throw LakepipeErrors.modelDeclarationInvalid(
          declared.path("baseline.keys"),
          declared.originOf("baseline.keys"),
          "the baseline has no keys",
          "Name the feature columns whose rows' label rate is the naive baseline, e.g. [origin]");
    }
    if (!(training.threshold > 0 && training.threshold < 1)) {
      throw LakepipeErrors.configValueInvalid(
          "train.threshold", String.valueOf(training.threshold), "numbers between 0 and 1");
    }
    // A negative margin would promote a model worse than the champion.
    if (!(training.gateMargin >= 0 && Double.isFinite(training.gateMargin))) {
      throw LakepipeErrors.configValueInvalid(
          "train.gate.margin", String.valueOf(training.gateMargin), "a number of 0 or more");
    }
    if (!(training.gateConfidence > 0 && training.gateConfidence < 1)) {
      throw LakepipeErrors.configValueInvalid(
          "train.gate.confidence",
          String.valueOf(training.gateConfidence),
          "a number between 0 and 1, such as 0.95");
    }
    if ((training.featuresVersion < 0) != (training.labelsVersion < 0)) {
      throw LakepipeErrors.configValueInvalid(
          "train.features-version",
          training.featuresVersion + " with labels-version " + training.labelsVersion,
          "both -1 (the latest versions) or both the versions to read");
    }
    try {
      // Checks the window, validation, test and fold counts together.
      training.folds(training.split(LocalDate.EPOCH));
    } catch (IllegalArgumentException e) {
      throw LakepipeErrors.configValueInvalid(
          "train.window-days",
          String.valueOf(training.windowDays),
          "settings that fit together (" + e.getMessage() + ")");
    }
    return training;
  }

  /** The training window ending at ds, split by time. */
  public TimeSplit split(LocalDate ds) {
    return TimeSplit.ending(ds, windowDays, validationDays, testDays);
  }

  /** The folds of the configured search strategy. */
  public List<Fold> folds(TimeSplit split) {
    return searchStrategy.equals("holdout") ? split.holdout() : split.forwardChaining(folds);
  }

  private static String oneOf(LakepipeConfig config, String key, Set<String> allowed) {
    String value = config.string(key);
    if (!allowed.contains(value)) {
      throw LakepipeErrors.configValueInvalid(key, value, String.join(", ", allowed));
    }
    return value;
  }
}
