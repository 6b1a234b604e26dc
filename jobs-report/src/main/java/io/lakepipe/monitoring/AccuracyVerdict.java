// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.monitoring;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.tracking.TrainingTrigger.Accuracy;
import io.lakepipe.monitoring.PredictionMonitoring.VersionQuality;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.BiFunction;

/**
 * A day's accuracy verdict: whether a model version's realised ROC AUC fell more than {@code
 * retrain-roc-auc-drop} below the ROC AUC it had on its own test days, which in {@code on-drift}
 * mode asks for a training (see {@link io.lakepipe.core.tracking.TrainingTrigger}).
 *
 * <p>Only measured versions count: some labelled rows and a finite ROC AUC. A version whose
 * reference is unknown is reported but cannot call for a training.
 *
 * @param maxDrop the largest drop that does not call for a training
 * @param measured the measured versions of the day, in the order of the quality rows
 */
public record AccuracyVerdict(double maxDrop, List<Measured> measured) {
  /** The setting, under {@code lakepipe}. */
  public static final String MAX_DROP_KEY = "quality.predictions.retrain-roc-auc-drop";

  public AccuracyVerdict {
    measured = List.copyOf(measured);
  }

  /** A measured version's quality on the day and its reference test ROC AUC, if known. */
  public record Measured(VersionQuality version, OptionalDouble reference) {
    /** How the verdict's tag and summary name it: {@code <source> v<version>}. */
    public String key() {
      return version.source() + " v" + version.modelVersion();
    }

    public Accuracy accuracy() {
      return new Accuracy(version.quality().rocAuc(), reference);
    }
  }

  /** {@link #MAX_DROP_KEY}, refused unless above 0 and below 1. */
  public static double maxDrop(LakepipeConfig config) {
    double maxDrop = config.number(MAX_DROP_KEY);
    if (!(maxDrop > 0 && maxDrop < 1)) {
      throw LakepipeErrors.configValueInvalid(
          MAX_DROP_KEY, String.valueOf(maxDrop), "a number above 0 and below 1");
    }
    return maxDrop;
  }

  /** The versions whose realised ROC AUC the day measured; the others say nothing. */
  public static List<VersionQuality> measurable(List<VersionQuality> versions) {
    return versions.stream()
        .filter(v -> v.quality().rowsLabelled() > 0 && Double.isFinite(v.quality().rocAuc()))
        .toList();
  }

  /**
   * The verdict on the day's versions, with {@code reference} giving a (model name, version) its
   * test ROC AUC (asked once per version, whatever the number of sources); empty when no version
   * was measured, as on a day whose labels have not landed.
   */
  public static Optional<AccuracyVerdict> judge(
      List<VersionQuality> versions,
      BiFunction<String, String, OptionalDouble> reference,
      double maxDrop) {
    Map<List<String>, OptionalDouble> references = new HashMap<>();
    List<Measured> measured = new ArrayList<>();
    for (VersionQuality v : measurable(versions)) {
      OptionalDouble known =
          references.computeIfAbsent(
              List.of(v.modelName(), v.modelVersion()),
              k -> finite(reference.apply(k.get(0), k.get(1))));
      measured.add(new Measured(v, known));
    }
    return measured.isEmpty()
        ? Optional.empty()
        : Optional.of(new AccuracyVerdict(maxDrop, measured));
  }

  /** Whether a version's ROC AUC fell by more than the largest drop allowed. */
  public boolean retrain() {
    return measured.stream()
        .map(m -> m.accuracy().drop())
        .anyMatch(drop -> drop.isPresent() && drop.getAsDouble() > maxDrop);
  }

  /** Each measured version's accuracy, by {@link Measured#key}. */
  public Map<String, Accuracy> accuracy() {
    Map<String, Accuracy> accuracy = new LinkedHashMap<>();
    measured.forEach(m -> accuracy.put(m.key(), m.accuracy()));
    return accuracy;
  }

  /**
   * {@code realised_roc_auc.<source>.v<version>} of each measured version, and {@code
   * reference_roc_auc.<source>.v<version>} where the reference is known.
   */
  public Map<String, Double> metrics() {
    Map<String, Double> metrics = new LinkedHashMap<>();
    for (Measured m : measured) {
      String suffix = m.version().source() + ".v" + m.version().modelVersion();
      metrics.put("realised_roc_auc." + suffix, m.version().quality().rocAuc());
      m.reference().ifPresent(r -> metrics.put("reference_roc_auc." + suffix, r));
    }
    return metrics;
  }

  /**
   * For the job's summary, such as {@code accuracy verdict: retrain=false (batch v3 ROC AUC 0.6512,
   * 0.0100 below its test ROC AUC 0.6612)}.
   */
  public String summary() {
    List<String> parts = new ArrayList<>();
    for (Measured m : measured) {
      double rocAuc = m.version().quality().rocAuc();
      parts.add(
          m.reference().isEmpty()
              ? String.format(Locale.ROOT, "%s ROC AUC %.4f, test ROC AUC unknown", m.key(), rocAuc)
              : String.format(
                  Locale.ROOT,
                  "%s ROC AUC %.4f, %.4f %s its test ROC AUC %.4f",
                  m.key(),
                  rocAuc,
                  Math.abs(m.accuracy().drop().getAsDouble()),
                  m.accuracy().drop().getAsDouble() >= 0 ? "below" : "above",
                  m.reference().getAsDouble()));
    }
    return "accuracy verdict: retrain=" + retrain() + " (" + String.join("; ", parts) + ")";
  }

  private static OptionalDouble finite(OptionalDouble value) {
    return value.isPresent() && Double.isFinite(value.getAsDouble())
        ? value
        : OptionalDouble.empty();
  }
}
