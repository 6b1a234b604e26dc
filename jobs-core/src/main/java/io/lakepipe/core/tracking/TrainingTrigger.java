// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.tracking;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.config.LakepipeConfig;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * When a day triggers a training, from {@code lakepipe.training}: {@link #EVERY_DAY}, or {@link
 * #ON_DRIFT}, only a day with a feature drifted beyond {@code retrain-psi} or a champion whose
 * realised ROC AUC fell more than {@code retrain-roc-auc-drop} below its test ROC AUC.
 *
 * <p>In {@code on-drift} mode two jobs log the day's verdicts, each as one MLflow run of {@code
 * drift-experiment} tagged with {@link #DS_TAG}, {@link #VIEW_TAG}, {@link #VERDICT_TAG} and {@link
 * #RETRAIN_TAG} ("true" or "false"): check-features its {@link #DRIFT_VERDICT} (with {@link
 * #DRIFT_TAG}, the drifted features and their PSI as JSON), monitor-predictions its {@link
 * #ACCURACY_VERDICT} (with {@link #ACCURACY_TAG}, each measured version's ROC AUC against its test
 * ROC AUC as JSON). The training DAG reads them there because MLflow is the one store that a Spark
 * driver in any deploy mode and the Airflow worker both reach already; the DAG's reader is {@code
 * dags/lakepipe_dags/retraining.py}, which uses the same tag names.
 *
 * @param mode {@link #EVERY_DAY} or {@link #ON_DRIFT}
 * @param driftExperiment the MLflow experiment of the drift verdicts
 */
public record TrainingTrigger(String mode, String driftExperiment) {
  public static final String EVERY_DAY = "every-day";
  public static final String ON_DRIFT = "on-drift";

  public static final String DS_TAG = "lakepipe.ds";
  public static final String VIEW_TAG = "lakepipe.view";
  public static final String RETRAIN_TAG = "lakepipe.retrain";
  public static final String DRIFT_TAG = "lakepipe.retrain.drift";
  public static final String ACCURACY_TAG = "lakepipe.retrain.accuracy";

  /** Which verdict a run holds: {@link #DRIFT_VERDICT} or {@link #ACCURACY_VERDICT}. */
  public static final String VERDICT_TAG = "lakepipe.verdict";

  public static final String DRIFT_VERDICT = "drift";
  public static final String ACCURACY_VERDICT = "accuracy";

  private static final String SECTION = "training.";

  public TrainingTrigger {
    if (!List.of(EVERY_DAY, ON_DRIFT).contains(mode)) {
      throw LakepipeErrors.configValueInvalid(
          SECTION + "trigger", mode, EVERY_DAY + " or " + ON_DRIFT);
    }
    if (driftExperiment == null || driftExperiment.isBlank()) {
      throw LakepipeErrors.configValueInvalid(
          SECTION + "drift-experiment",
          String.valueOf(driftExperiment),
          "the name of an MLflow experiment");
    }
  }

  public static TrainingTrigger fromConfig(LakepipeConfig config) {
    return new TrainingTrigger(
        config.string(SECTION + "trigger"), config.string(SECTION + "drift-experiment"));
  }

  /** Whether check-features and monitor-predictions log their verdicts for the DAG to decide on. */
  public boolean onDrift() {
    return ON_DRIFT.equals(mode);
  }

  /**
   * The tags of a day's drift verdict run: the day, the view, whether it calls for a retraining and
   * which features drifted how far.
   */
  public static Map<String, String> verdictTags(
      LocalDate ds, String view, Map<String, Double> drifted) {
    Map<String, String> tags = verdict(ds, view, DRIFT_VERDICT, !drifted.isEmpty());
    tags.put(DRIFT_TAG, driftJson(drifted));
    return tags;
  }

  /**
   * The tags of a day's accuracy verdict run: the day, the view, whether it calls for a retraining
   * and, per measured source and version (keys such as "batch v3"), its realised ROC AUC against
   * its test ROC AUC.
   */
  public static Map<String, String> accuracyVerdictTags(
      LocalDate ds, String view, boolean retrain, Map<String, Accuracy> measured) {
    Map<String, String> tags = verdict(ds, view, ACCURACY_VERDICT, retrain);
    tags.put(ACCURACY_TAG, accuracyJson(measured));
    return tags;
  }

  /**
   * A model version's realised ROC AUC on the day beside the ROC AUC it had on its own test days,
   * when that is known.
   */
  public record Accuracy(double rocAuc, OptionalDouble referenceRocAuc) {
    /** How far the realised ROC AUC fell below the reference (negative if it rose). */
    public OptionalDouble drop() {
      return referenceRocAuc.isPresent()
          ? OptionalDouble.of(referenceRocAuc.getAsDouble() - rocAuc)
          : OptionalDouble.empty();
    }
  }

  private static Map<String, String> verdict(
      LocalDate ds, String view, String verdict, boolean retrain) {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(DS_TAG, ds.toString());
    tags.put(VIEW_TAG, view);
    tags.put(VERDICT_TAG, verdict);
    tags.put(RETRAIN_TAG, String.valueOf(retrain));
    return tags;
  }

  /** {@code {"feature": psi, ...}} in the given order, PSI to four decimals. */
  static String driftJson(Map<String, Double> drifted) {
    return jsonObject(drifted, TrainingTrigger::decimal);
  }

  /**
   * {@code {"batch v3": {"roc_auc": 0.6123, "reference_roc_auc": 0.6612, "drop": 0.0489}, ...}} in
   * the given order, to four decimals; reference and drop are null when the reference is unknown.
   */
  static String accuracyJson(Map<String, Accuracy> measured) {
    return jsonObject(
        measured,
        a ->
            "{\"roc_auc\": "
                + decimal(a.rocAuc())
                + ", \"reference_roc_auc\": "
                + decimal(a.referenceRocAuc())
                + ", \"drop\": "
                + decimal(a.drop())
                + "}");
  }

  private static <T> String jsonObject(Map<String, T> entries, Function<T, String> value) {
    return entries.entrySet().stream()
        .map(
            e ->
                "\""
                    + e.getKey().replace("\\", "\\\\").replace("\"", "\\\"")
                    + "\": "
                    + value.apply(e.getValue()))
        .collect(Collectors.joining(", ", "{", "}"));
  }

  private static String decimal(OptionalDouble value) {
    return value.isPresent() ? decimal(value.getAsDouble()) : "null";
  }

  private static String decimal(double value) {
    return String.format(Locale.ROOT, "%.4f", value);
  }
}
