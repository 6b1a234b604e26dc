// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features.quality;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.config.LakepipeConfig;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * When a day's features trigger a training, from {@code lakepipe.training}: {@link #EVERY_DAY}, or
 * {@link #ON_DRIFT}, only a day with a feature drifted beyond {@code retrain-psi}.
 *
 * <p>In {@code on-drift} mode check-features logs the day's drift verdict as one MLflow run of
 * {@code drift-experiment}, tagged with {@link #DS_TAG}, {@link #VIEW_TAG}, {@link #RETRAIN_TAG}
 * ("true" or "false") and {@link #DRIFT_TAG} (the drifted features and their PSI, as JSON). The
 * daily DAG reads it there because MLflow is the one store that a Spark driver in any deploy mode
 * and the Airflow worker both reach already; the DAG's reader is {@code
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

  /** Whether check-features logs its drift verdict for the DAG to decide on. */
  public boolean onDrift() {
    return ON_DRIFT.equals(mode);
  }

  /**
   * The tags of a day's drift verdict run: the day, the view, whether it calls for a retraining and
   * which features drifted how far.
   */
  public static Map<String, String> verdictTags(
      LocalDate ds, String view, Map<String, Double> drifted) {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(DS_TAG, ds.toString());
    tags.put(VIEW_TAG, view);
    tags.put(RETRAIN_TAG, String.valueOf(!drifted.isEmpty()));
    tags.put(DRIFT_TAG, driftJson(drifted));
    return tags;
  }

  /** {@code {"feature": psi, ...}} in the given order, PSI to four decimals. */
  static String driftJson(Map<String, Double> drifted) {
    return drifted.entrySet().stream()
        .map(
            e ->
                "\""
                    + e.getKey().replace("\\", "\\\\").replace("\"", "\\\"")
                    + "\": "
                    + String.format(Locale.ROOT, "%.4f", e.getValue()))
        .collect(Collectors.joining(", ", "{", "}"));
  }
}
