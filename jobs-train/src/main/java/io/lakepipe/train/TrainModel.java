package io.lakepipe.train;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.table.TableRead;
import io.lakepipe.core.tracking.MlflowTracking;
import io.lakepipe.core.tracking.ModelVersion;
import io.lakepipe.features.FeatureCatalog;
import io.lakepipe.features.TrainingSet;
import io.lakepipe.features.TrainingSets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.io.FileUtils;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the delay model on the feature window ending at ds, logs it to MLflow with its parameters,
 * metrics and the Delta version it read, and registers it as a new model version.
 */
public final class TrainModel {
  private static final Logger LOG = LoggerFactory.getLogger(TrainModel.class);

  private TrainModel() {}

  public static JobResult run(JobContext context) {
    LakepipeConfig config = context.config();
    FeatureCatalog catalog = FeatureCatalog.from(config);
    int windowDays = config.integer("train.window-days");
    double testFraction = config.number("train.test-fraction");
    long seed = config.longValue("train.seed");
    DelayModel.Params params = new DelayModel.Params(
        config.integer("train.logistic-regression.max-iter"),
        config.number("train.logistic-regression.reg-param"),
        config.number("train.logistic-regression.elastic-net-param"));
    String modelName = config.string("mlflow.model-name");
    // Fail before any Spark work if the tracking server is not there.
    try (MlflowTracking tracking = MlflowTracking.connect(config)) {
      LocalDate from = context.ds().minusDays(windowDays - 1L);
      TrainingSet set = new TrainingSets(context.tables(), config).latest(from, context.ds());
      TableRead features = set.features();
      String featuresPath = features.path();
      Dataset<Row> rows = set.rows().persist(StorageLevel.MEMORY_AND_DISK());
      try {
        // One pass for the counts: the window can hold millions of rows.
        List<Column> counts = new ArrayList<>(List.of(count(lit(1)), sum(col(FeatureCatalog.LABEL))));
        catalog.numericInputs().forEach(c -> counts.add(count(col(c))));
        Row counted = rows.agg(counts.get(0), counts.subList(1, counts.size()).toArray(Column[]::new))
            .head();
        long total = counted.getLong(0);
        long positives = counted.isNullAt(1) ? 0 : counted.getLong(1);
        if (total == 0) {
          throw LakepipeErrors.trainingDataUnusable(context.ds().toString(),
              "no labelled feature rows between " + from + " and " + context.ds() + " in "
                  + featuresPath);
        }
        if (positives == 0 || positives == total) {
          throw LakepipeErrors.trainingDataUnusable(context.ds().toString(),
              "the label '" + FeatureCatalog.LABEL + "' has a single class in " + total + " rows");
        }
        // A feature without a single value in the window (a 28-day history on the first days)
        // cannot inform the model, and its mean cannot fill it: leave it out of this training.
        List<String> numeric = new ArrayList<>();
        List<String> empty = new ArrayList<>();
        for (int i = 0; i < catalog.numericInputs().size(); i++) {
          (counted.getLong(i + 2) > 0 ? numeric : empty).add(catalog.numericInputs().get(i));
        }
        if (!empty.isEmpty()) {
          LOG.warn("Left out of this training, no values between {} and {}: {}", from,
              context.ds(), empty);
        }
        List<String> inputs = new ArrayList<>(numeric);
        inputs.addAll(catalog.categoricalInputs());
        Dataset<Row>[] split = rows.randomSplit(new double[] {1 - testFraction, testFraction}, seed);
        LOG.info("Training on {} rows ({} to {}), {} delayed; testing on a {} share", total, from,
            context.ds(), positives, testFraction);

        String experimentId = tracking.experimentId(config.string("mlflow.experiment"));
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("lakepipe.ds", context.ds().toString());
        tags.put("lakepipe.job_run_id", context.runId());
        tags.put("lakepipe.input.features.path", featuresPath);
        tags.put("lakepipe.input.features.version", String.valueOf(features.version()));
        tags.put("lakepipe.input.labels.path", set.labels().path());
        tags.put("lakepipe.input.labels.version", String.valueOf(set.labels().version()));
        ModelVersion registered = tracking.withRun(experimentId,
            "train-" + context.ds(), tags, run -> {
              PipelineModel model = DelayModel.pipeline(params, numeric, catalog.categoricalInputs())
                  .fit(split[0]);
              Map<String, Double> metrics = new LinkedHashMap<>();
              DelayModel.evaluate(model, split[1]).forEach((k, v) -> metrics.put("test_" + k, v));
              DelayModel.evaluate(model, split[0]).forEach((k, v) -> metrics.put("train_" + k, v));
              Map<String, String> logged = new LinkedHashMap<>(params.asMap());
              logged.put("window_days", String.valueOf(windowDays));
              logged.put("window_start", from.toString());
              logged.put("test_fraction", String.valueOf(testFraction));
              logged.put("seed", String.valueOf(seed));
              logged.put("features", String.join(",", inputs));
              logged.put("features_left_out", String.join(",", empty));
              logged.put("rows_total", String.valueOf(total));
              run.log(logged, metrics, Map.of());
              LOG.info("Test metrics {}", metrics);

              Path local = tempDir();
              try {
                StructType signature = rows.select(inputs.stream().map(c -> col(c))
                    .toArray(Column[]::new)).schema();
                run.uploadDirectory(MlflowModelDirectory.write(model, signature,
                    local.resolve("model"), run.runId()), MlflowModelDirectory.ARTIFACT_PATH);
              } finally {
                FileUtils.deleteQuietly(local.toFile());
              }
              ModelVersion version = tracking.registerVersion(modelName,
                  run.artifactUri() + "/" + MlflowModelDirectory.ARTIFACT_PATH, run.runId());
              tracking.setAlias(modelName, config.string("mlflow.new-version-alias"),
                  version.version());
              return version;
            });
        // A training writes a model, not rows: every row read went into it (fit or test), so the
        // audit counts them as written and read = written + quarantined holds for this job too.
        return JobResult.builder()
            .rowsRead(total)
            .rowsWritten(total)
            .read(featuresPath, features.version())
            .read(set.labels().path(), set.labels().version())
            .summary("MLflow run " + registered.runId() + " registered " + modelName + " version "
                + registered.version() + " at " + tracking.trackingUri())
            .build();
      } finally {
        rows.unpersist();
      }
    }
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("lakepipe-model-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
