// SPDX-License-Identifier: AGPL-3.0-only
package io.lakepipe.export.pmml;

import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.table.TableRead;
import io.lakepipe.core.tracking.LoggedRun;
import io.lakepipe.core.tracking.MlflowTracking;
import io.lakepipe.core.tracking.ModelVersion;
import io.lakepipe.core.tracking.Promotion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.ml.PipelineModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The challenger that the training gate promoted ({@link Promotion#AWAITING}) is exported first and
 * served by the real scorer in a sandbox ({@link ServingCheck}) before the champion alias moves to
 * it. A model the export cannot express, or that the scorer serves differently from Spark or too
 * slowly, stays a challenger: the reason is tagged on the version and logged to its training run.
 */
final class ChallengerPromotion {
  private static final Logger LOG = LoggerFactory.getLogger(ChallengerPromotion.class);

  private ChallengerPromotion() {}

  /**
   * Checks and promotes the awaiting challenger, if there is one.
   *
   * @param work a local folder of this run's own, created here
   * @return one line on what happened, for the job's summary; empty when no version awaited
   */
  static Optional<String> run(JobContext context, MlflowTracking tracking, Path work) {
    LakepipeConfig config = context.config();
    String modelName = config.string("mlflow.model-name");
    Optional<ModelVersion> challenger =
        tracking.findByAlias(modelName, config.string("mlflow.new-version-alias"));
    if (challenger.isEmpty()
        || !Promotion.AWAITING.equals(
            tracking.versionTags(modelName, challenger.get().version()).get(Promotion.TAG))) {
      return Optional.empty();
    }
    ModelVersion version = challenger.get();
    LoggedRun run = tracking.run(version.runId());
    ServingCheck.Verdict verdict = check(context, tracking, version, run, work);

    String outcome = Promotion.FAILED;
    if (verdict.passed()) {
      boolean moved =
          Promotion.moveChampion(
              tracking,
              modelName,
              config.string("mlflow.champion-alias"),
              version,
              Optional.ofNullable(run.tags().get(Promotion.GATE_CHAMPION_TAG)),
              "export-pmml " + context.runId());
      outcome = moved ? Promotion.PROMOTED : Promotion.CHAMPION_MOVED;
    }
    tracking.setVersionTag(modelName, version.version(), Promotion.CHECK_TAG, verdict.reason());
    tracking.setVersionTag(modelName, version.version(), Promotion.TAG, outcome);
    Map<String, Double> metrics = new LinkedHashMap<>();
    verdict
        .metrics()
        .forEach(
            (key, value) -> {
              if (Double.isFinite(value)) {
                metrics.put(key, value);
              }
            });
    tracking.logToRun(
        version.runId(),
        metrics,
        Map.of(Promotion.TAG, outcome, Promotion.CHECK_TAG, verdict.reason()));
    String line =
        modelName
            + " v"
            + version.version()
            + " "
            + outcome
            + " (serving check "
            + verdict.reason()
            + ")";
    if (outcome.equals(Promotion.PROMOTED)) {
      LOG.info("{}", line);
    } else {
      LOG.warn("{}; the champion stays", line);
    }
    return Optional.of(line);
  }

  private static ServingCheck.Verdict check(
      JobContext context, MlflowTracking tracking, ModelVersion version, LoggedRun run, Path work) {
    try {
      Files.createDirectories(work);
      TableRead testRows = ExportPmml.trainedOn(context, run);
      PipelineModel model;
      try {
        model = ExportPmml.load(context, tracking, version, work);
      } catch (LakepipeException e) {
        return ServingCheck.Verdict.refused("its pipeline cannot be loaded: " + e.getMessage());
      }
      PmmlBundle bundle;
      try {
        bundle = ExportPmml.build(context, model, version, run, testRows);
      } catch (LakepipeException e) {
        return ServingCheck.Verdict.refused(
            "the " + ModelFormat.of(model) + " export cannot express it: " + e.getMessage());
      }
      return ServingCheck.run(
          model,
          bundle.metadata().inputs(),
          bundle.writeTo(work.resolve("bundle")),
          testRows.rows(),
          ServingCheck.Settings.from(context.config()),
          work.resolve("serving-check.log"));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare the serving check in " + work, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during the serving check", e);
    }
  }
}
