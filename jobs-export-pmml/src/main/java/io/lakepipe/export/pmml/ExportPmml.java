// SPDX-License-Identifier: AGPL-3.0-only
package io.lakepipe.export.pmml;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.spark.ModelStaging;
import io.lakepipe.core.table.TableRead;
import io.lakepipe.core.tracking.LoggedRun;
import io.lakepipe.core.tracking.MlflowTracking;
import io.lakepipe.core.tracking.ModelVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.commons.io.FileUtils;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports a registered model version as a bundle for Spark-free scoring, PMML or for the torch
 * family ONNX ({@link ModelFormat}): resolves the version (alias or number), loads its Spark
 * pipeline from the registry, builds the bundle, logs it under {@code pmml/} in the version's
 * training run, and deploys it to {@code lakepipe.export.pmml.location}. Exporting the same version
 * again rewrites the same bytes in both places.
 */
public final class ExportPmml {
  private static final Logger LOG = LoggerFactory.getLogger(ExportPmml.class);

  /** The folder of an MLflow model that holds the fitted Spark pipeline. */
  static final String SPARK_MODEL_DATA = "sparkml";

  /** Tags with which the training run names the feature table version it read. */
  static final String FEATURES_PATH_TAG = "lakepipe.input.features.path";

  static final String FEATURES_VERSION_TAG = "lakepipe.input.features.version";

  /**
   * Run metrics of the chosen model on the test days; others (baseline, per candidate) stay out.
   */
  static final String TEST_METRIC_PREFIX = "test_";

  private ExportPmml() {}

  public static JobResult run(JobContext context) {
    LakepipeConfig config = context.config();
    String modelName = config.string("mlflow.model-name");
    String pinned = config.string("export.pmml.model-version");
    String location = config.string("export.pmml.location");

    try (MlflowTracking tracking = MlflowTracking.connect(config)) {
      Path work = tempDir();
      try {
        // A challenger the gate promoted becomes champion only once the scorer has served it.
        Optional<String> promotion =
            ChallengerPromotion.run(context, tracking, work.resolve("challenger"));
        ModelVersion version =
            pinned.isBlank()
                ? tracking.versionByAlias(modelName, config.string("export.pmml.model-alias"))
                : tracking.version(modelName, pinned);
        LoggedRun run = tracking.run(version.runId());
        TableRead trainedOn = trainedOn(context, run);
        PipelineModel model = load(context, tracking, version, work.resolve("export"));
        PmmlBundle bundle = build(context, model, version, run, trainedOn);
        BundleMetadata metadata = bundle.metadata();

        tracking.uploadToRun(
            version.runId(), bundle.writeTo(work.resolve("bundle")), PmmlBundle.ARTIFACT_PATH);
        String deployed =
            BundleDeployment.of(location, context.spark().sparkContext().hadoopConfiguration())
                .publish(modelName, version.version(), bundle.files());
        LOG.info(
            "Exported {} version {} as {} (sha256 {}): run {} artifacts {}/, deployed to {}",
            modelName,
            version.version(),
            metadata.format(),
            metadata.modelSha256(),
            version.runId(),
            PmmlBundle.ARTIFACT_PATH,
            deployed);
        // A bundle is no table: nothing is read or written row by row, only the schema is read.
        return JobResult.builder()
            .read(trainedOn.path(), trainedOn.version())
            .summary(
                promotion.map(line -> line + "; ").orElse("")
                    + "model "
                    + modelName
                    + " v"
                    + version.version()
                    + " as "
                    + metadata.format()
                    + ": MLflow run "
                    + version.runId()
                    + " "
                    + PmmlBundle.ARTIFACT_PATH
                    + "/, deployed to "
                    + deployed
                    + " and "
                    + BundleDeployment.CURRENT
                    + "/")
            .build();
      } finally {
        FileUtils.deleteQuietly(work.toFile());
      }
    }
  }

  /**
   * {@code version}'s Spark pipeline as the registry holds it, downloaded under {@code work} and
   * staged on the lakehouse.
   */
  static PipelineModel load(
      JobContext context, MlflowTracking tracking, ModelVersion version, Path work) {
    tracking.downloadModel(version, work.resolve("model"));
    return ModelStaging.of(context.spark(), context.config())
        .load(PipelineModel::load, work.resolve("model").resolve(SPARK_MODEL_DATA));
  }

  /**
   * The bundle of {@code version}'s pipeline {@code model} (see {@link #load}); a pipeline its
   * format cannot express is a {@code LakepipeException}.
   */
  static PmmlBundle build(
      JobContext context,
      PipelineModel model,
      ModelVersion version,
      LoggedRun run,
      TableRead trainedOn) {
    StructType inputs;
    try {
      inputs = PipelineInputs.schema(model, trainedOn.rows().schema());
    } catch (IllegalArgumentException e) {
      throw LakepipeErrors.bundleInvalid(version.name(), version.version(), e.getMessage());
    }
    return PmmlBundles.build(model, inputs, exported(version, run, context.config()));
  }

  /**
   * The feature table as the training read it (its path and version from the run's tags), whose
   * schema gives the inputs' types; the configured table's latest version when the run has no tags.
   */
  static TableRead trainedOn(JobContext context, LoggedRun run) {
    String path =
        run.tags().getOrDefault(FEATURES_PATH_TAG, context.config().tablePath("features-flights"));
    String version = run.tags().get(FEATURES_VERSION_TAG);
    return version == null
        ? context.tables().readAll("features-flights", path)
        : context
            .tables()
            .readDsRange(
                "features-flights", path, context.ds(), context.ds(), Long.parseLong(version));
  }

  /** The facts of the version the bundle states: the training's threshold and test metrics. */
  static ExportedVersion exported(ModelVersion version, LoggedRun run, LakepipeConfig config) {
    Map<String, Double> metrics = new TreeMap<>();
    run.metrics()
        .forEach(
            (key, value) -> {
              if (key.startsWith(TEST_METRIC_PREFIX)) {
                metrics.put(key, value);
              }
            });
    String threshold = run.params().get("threshold");
    return new ExportedVersion(
        version.name(),
        version.version(),
        version.runId(),
        threshold == null ? config.number("train.threshold") : Double.parseDouble(threshold),
        metrics,
        Instant.ofEpochMilli(version.createdMillis()));
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("lakepipe-export-pmml-");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a temporary folder", e);
    }
  }
}
