// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.monitoring;

import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.tracking.MlflowTracking;
import io.lakepipe.core.tracking.ModelVersion;
import io.lakepipe.core.tracking.TrainingTrigger;
import io.lakepipe.monitoring.PredictionMonitoring.VersionQuality;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs monitor-predictions' {@link AccuracyVerdict} as one run of the drift experiment, with the
 * tags of {@link TrainingTrigger#accuracyVerdictTags}, for the training DAG to read beside
 * check-features' drift verdict. Each measured version's reference is the metric {@link
 * #TEST_ROC_AUC} of the MLflow run behind the registered version. A rerun logs a new run; readers
 * take the newest finished one.
 */
final class AccuracyVerdictRun {
  private static final Logger LOG = LoggerFactory.getLogger(AccuracyVerdictRun.class);

  /** The training run's ROC AUC on its test days, which train-model logs. */
  static final String TEST_ROC_AUC = "test_roc_auc";

  private AccuracyVerdictRun() {}

  /**
   * Judges the day's versions and logs the verdict, returning it with its run's id; empty, without
   * contacting MLflow, when no version was measured.
   */
  static Optional<String> log(
      JobContext context, TrainingTrigger trigger, List<VersionQuality> versions, double maxDrop) {
    if (AccuracyVerdict.measurable(versions).isEmpty()) {
      LOG.info(
          "monitor-predictions ds={}: no version measured (no labels yet), no accuracy verdict",
          context.ds());
      return Optional.empty();
    }
    try (MlflowTracking tracking = MlflowTracking.connect(context.config())) {
      AccuracyVerdict verdict =
          AccuracyVerdict.judge(
                  versions, (name, version) -> testRocAuc(tracking, name, version), maxDrop)
              .orElseThrow();
      Map<String, String> tags =
          new LinkedHashMap<>(
              TrainingTrigger.accuracyVerdictTags(
                  context.ds(),
                  PredictionMonitoring.VIEW_NAME,
                  verdict.retrain(),
                  verdict.accuracy()));
      tags.put("lakepipe.job_run_id", context.runId());
      tags.put("mlflow.source.name", MonitorPredictionsJob.class.getName());
      String runId =
          tracking.withRun(
              tracking.experimentId(trigger.driftExperiment()),
              "accuracy-" + PredictionMonitoring.VIEW_NAME + "-" + context.ds(),
              tags,
              run -> {
                run.log(
                    Map.of("retrain_roc_auc_drop", String.valueOf(maxDrop)),
                    verdict.metrics(),
                    Map.of());
                return run.runId();
              });
      LOG.info(
          "Accuracy verdict for view {} ds={}: retrain={}, MLflow run {} of experiment {}",
          PredictionMonitoring.VIEW_NAME,
          context.ds(),
          verdict.retrain(),
          runId,
          trigger.driftExperiment());
      return Optional.of(verdict.summary() + ", MLflow run " + runId);
    }
  }

  /**
   * The version's test ROC AUC from its training run; unknown, with a warning, when the version is
   * not registered or its run has no such metric.
   */
  private static OptionalDouble testRocAuc(
      MlflowTracking tracking, String modelName, String version) {
    // A search rather than a lookup by number: a missing version is an answer here, while a
    // server that fails still fails the job.
    Optional<ModelVersion> registered =
        tracking.versions(modelName).stream().filter(v -> v.version().equals(version)).findFirst();
    if (registered.isEmpty() || registered.get().runId().isEmpty()) {
      LOG.warn(
          "{} v{} is not registered with a run in MLflow {}: its test ROC AUC is unknown, so its"
              + " realised ROC AUC cannot call for a training",
          modelName,
          version,
          tracking.trackingUri());
      return OptionalDouble.empty();
    }
    String runId = registered.get().runId();
    Double rocAuc = tracking.run(runId).metrics().get(TEST_ROC_AUC);
    if (rocAuc == null) {
      LOG.warn(
          "{} v{}: its MLflow run {} has no metric {}, so its realised ROC AUC cannot call for a"
              + " training",
          modelName,
          version,
          runId,
          TEST_ROC_AUC);
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(rocAuc);
  }
}
