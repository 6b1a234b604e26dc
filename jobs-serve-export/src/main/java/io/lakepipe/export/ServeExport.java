// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.export;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.spark.ModelStaging;
import io.lakepipe.core.table.TableRead;
import io.lakepipe.core.tracking.MlflowTracking;
import io.lakepipe.core.tracking.ModelVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.commons.io.FileUtils;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves a registered model version, exports it as an MLflow model directory, and writes batch
 * predictions of the ds partition of the feature table.
 */
public final class ServeExport {
  private static final Logger LOG = LoggerFactory.getLogger(ServeExport.class);

  private ServeExport() {}

  public static JobResult run(JobContext context) {
    LakepipeConfig config = context.config();
    String modelName = config.string("mlflow.model-name");
    String featuresPath = config.tablePath("features-flights");
    String predictionsPath = config.tablePath("predictions-flights");
    Path exportRoot = Path.of(config.string("export.dir")).toAbsolutePath();

    try (MlflowTracking tracking = MlflowTracking.connect(config)) {
      String pinned = config.string("export.model-version");
      ModelVersion version =
          pinned.isBlank()
              ? tracking.versionByAlias(modelName, config.string("export.model-alias"))
              : tracking.version(modelName, pinned);
      Path exported = exportRoot.resolve(modelName).resolve(version.version());
      exportModel(tracking, version, exported);
      LOG.info(
          "Exported {} version {} (run {}) to {}",
          modelName,
          version.version(),
          version.runId(),
          exported);

      TableRead features = context.tables().readDs("features-flights", featuresPath, context.ds());
      long read = features.rows().count();
      if (read == 0) {
        throw LakepipeErrors.partitionMissing(
            "features-flights", featuresPath, context.ds().toString());
      }
      PipelineModel model =
          ModelStaging.of(context.spark(), config)
              .load(PipelineModel::load, exported.resolve("sparkml"));
      Dataset<Row> predictions = BatchScoring.predict(model, version, features.rows());
      long written = context.tables().replaceDs(predictions, predictionsPath, context.ds());
      return JobResult.builder()
          .rowsRead(read)
          .rowsWritten(read)
          .read(featuresPath, features.version())
          .wrote(predictionsPath, written)
          .summary(
              "model "
                  + modelName
                  + " v"
                  + version.version()
                  + " exported to "
                  + exported
                  + "; predictions "
                  + predictionsPath
                  + " v"
                  + written)
          .build();
    }
  }

  /** Downloads into a sibling folder, then swaps it in, so a reader never sees half a model. */
  static void exportModel(MlflowTracking tracking, ModelVersion version, Path target) {
    try {
      Files.createDirectories(target.getParent());
      Path staging = Files.createTempDirectory(target.getParent(), ".staging-");
      tracking.downloadModel(version, staging.resolve("model"));
      FileUtils.deleteDirectory(target.toFile());
      Files.move(staging.resolve("model"), target, StandardCopyOption.ATOMIC_MOVE);
      FileUtils.deleteDirectory(staging.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot export the model to " + target, e);
    }
  }
}
