// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.monitoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.table.DeltaTables;
import io.lakepipe.core.table.TableRead;
import io.lakepipe.core.tracking.TrainingTrigger;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor-predictions job: joins ds's batch predictions, and ds's online predictions (the
 * scorer's answers, ingested from its prediction log), with the labels of the same flights (on the
 * view's entity id), computes the realised quality per source and model version ({@link
 * RealisedQuality}), replaces ds's partition of the prediction-quality table with one row per
 * source and version, and pushes the numbers to the Pushgateway ({@link PredictionQualityMetrics}).
 *
 * <p>A day without predictions of either source is skipped (nothing written); a day whose labels
 * have not landed gets its rows with {@code rows_labelled = 0} and null metrics, which a rerun
 * after the labels land replaces. An online prediction without a flight id counts as scored, never
 * as labelled.
 *
 * <p>With {@code lakepipe.training.trigger = on-drift}, a day with at least one measured version
 * also logs its accuracy verdict to MLflow ({@link AccuracyVerdict}, logged by {@link
 * AccuracyVerdictRun}): whether a version's realised ROC AUC fell more than {@code
 * lakepipe.quality.predictions.retrain-roc-auc-drop} below its test ROC AUC, from which the next
 * training DAG run decides, beside check-features' drift verdict, whether to train. In {@code
 * every-day} mode MLflow is not contacted.
 */
public final class PredictionMonitoring {
  private static final Logger LOG = LoggerFactory.getLogger(PredictionMonitoring.class);

  /** The batch predictions, written by serve-export. */
  public static final String PREDICTIONS = "predictions-flights";

  /** The online predictions, ingested from the scorer's prediction log by ingest-files. */
  public static final String ONLINE_PREDICTIONS = "predictions-online-flights";

  /** The {@code source} of the batch predictions' rows. */
  public static final String BATCH = "batch";

  /** The {@code source} of the online predictions' rows. */
  public static final String ONLINE = "online";

  /** The labels of the flights, written by build-features. */
  public static final String LABELS = "labels-flights";

  /** One row per ds, source and model version, written here. */
  public static final String QUALITY = "prediction-quality-flights";

  /**
   * The feature view whose entity id joins predictions and labels, and whose label is the truth.
   */
  static final String VIEW_NAME = "flights";

  static final String VIEW = "views." + VIEW_NAME;

  /** The columns of the quality table, before its ds. */
  public static final StructType SCHEMA =
      new StructType()
          .add("source", DataTypes.StringType, false)
          .add("model_name", DataTypes.StringType, false)
          .add("model_version", DataTypes.StringType, false)
          .add("rows_scored", DataTypes.LongType, false)
          .add("rows_labelled", DataTypes.LongType, false)
          .add("roc_auc", DataTypes.DoubleType, true)
          .add("log_loss", DataTypes.DoubleType, true)
          .add("calibration_error", DataTypes.DoubleType, true)
          .add("mean_predicted", DataTypes.DoubleType, true)
          .add("observed_share", DataTypes.DoubleType, true)
          .add("computed_at", DataTypes.TimestampType, false);

  private PredictionMonitoring() {}

  /**
   * One model version's quality on the day, from one source of predictions ({@link #BATCH} or
   * {@link #ONLINE}).
   */
  public record VersionQuality(
      String source, String modelName, String modelVersion, RealisedQuality quality) {
    /** A batch prediction's quality. */
    public VersionQuality(String modelName, String modelVersion, RealisedQuality quality) {
      this(BATCH, modelName, modelVersion, quality);
    }
  }

  public static JobResult run(JobContext context) {
    LakepipeConfig config = context.config();
    LocalDate ds = context.ds();
    String labelsPath = config.tablePath(LABELS);
    String qualityPath = config.tablePath(QUALITY);
    String id = config.string(VIEW + ".entity.id.name");
    String label = config.string(VIEW + ".label.name");
    TrainingTrigger trigger = TrainingTrigger.fromConfig(config);
    double maxDrop = AccuracyVerdict.maxDrop(config);
    DeltaTables tables = context.tables();
    JobResult.Builder result = JobResult.builder().source(config.tablePath(PREDICTIONS));

    // Source to table: the batch predictions first, as before online ones were kept.
    Map<String, String> sources = new LinkedHashMap<>();
    sources.put(BATCH, PREDICTIONS);
    sources.put(ONLINE, ONLINE_PREDICTIONS);
    sources.values().removeIf(table -> !tables.exists(config.tablePath(table)));
    if (sources.isEmpty()) {
      return skipped(
          result,
          ds,
          "neither the predictions table "
              + config.tablePath(PREDICTIONS)
              + " nor the online predictions table "
              + config.tablePath(ONLINE_PREDICTIONS)
              + " exists");
    }
    Optional<Dataset<Row>> labels = Optional.empty();
    if (tables.exists(labelsPath)) {
      TableRead read = tables.readDs(LABELS, labelsPath, ds);
      result.read(labelsPath, read.version());
      labels =
          Optional.of(
              read.rows().select(col(id).as("_label_id"), col(label).cast("int").as("label")));
    }

    List<VersionQuality> versions = new ArrayList<>();
    for (Map.Entry<String, String> source : sources.entrySet()) {
      String path = config.tablePath(source.getValue());
      TableRead predictions = tables.readDs(source.getValue(), path, ds);
      result.read(path, predictions.version());
      versions.addAll(
          measure(source.getKey(), withLabels(predictions.rows(), id, labels).collectAsList()));
    }
    if (versions.isEmpty()) {
      return skipped(result, ds, "no batch or online predictions for " + ds + " yet");
    }

    Timestamp now = Timestamp.from(Instant.now());
    List<Row> rows = new ArrayList<>();
    for (VersionQuality v : versions) {
      RealisedQuality q = v.quality();
      rows.add(
          RowFactory.create(
              v.source(),
              v.modelName(),
              v.modelVersion(),
              q.rowsScored(),
              q.rowsLabelled(),
              nullable(q.rocAuc()),
              nullable(q.logLoss()),
              nullable(q.calibrationError()),
              nullable(q.meanPredicted()),
              nullable(q.observedShare()),
              now));
    }
    long written = tables.replaceDs(context.spark().createDataFrame(rows, SCHEMA), qualityPath, ds);
    PredictionQualityMetrics.publish(config, ds, versions);

    long scoredRows = versions.stream().mapToLong(v -> v.quality().rowsScored()).sum();
    String summary = summary(versions);
    LOG.info("monitor-predictions ds={}: {}", ds, summary);
    if (trigger.onDrift()) {
      summary +=
          AccuracyVerdictRun.log(context, trigger, versions, maxDrop).map(v -> "; " + v).orElse("");
    }
    return result
        .rowsRead(scoredRows)
        .rowsWritten(scoredRows)
        .wrote(qualityPath, written)
        .summary(summary + "; " + qualityPath + " v" + written)
        .build();
  }

  /**
   * The predictions as (model_name, model_version, delay_probability, label or null): each joined
   * with the label of its flight when there is one. Batch and online predictions share these column
   * names (the online source's bronze-columns name them so).
   */
  static Dataset<Row> withLabels(
      Dataset<Row> predictions, String id, Optional<Dataset<Row>> labels) {
    Dataset<Row> scored =
        predictions.select(
            col(id), col("delay_probability"), col("model_name"), col("model_version"));
    return labels
        .map(l -> scored.join(l, col(id).equalTo(col("_label_id")), "left"))
        .orElse(scored.withColumn("label", lit(null).cast("int")))
        .select("model_name", "model_version", "delay_probability", "label");
  }

  /**
   * The quality of each model version among rows of (model_name, model_version, delay_probability,
   * label or null), sorted by name and version.
   */
  static List<VersionQuality> measure(String source, List<Row> rows) {
    Map<List<String>, List<Row>> byVersion =
        new TreeMap<>(
            (a, b) ->
                a.get(0).equals(b.get(0))
                    ? compareVersions(a.get(1), b.get(1))
                    : a.get(0).compareTo(b.get(0)));
    for (Row row : rows) {
      byVersion
          .computeIfAbsent(List.of(row.getString(0), row.getString(1)), k -> new ArrayList<>())
          .add(row);
    }
    List<VersionQuality> versions = new ArrayList<>();
    byVersion.forEach(
        (key, group) -> {
          List<Row> labelled = group.stream().filter(r -> !r.isNullAt(3)).toList();
          double[] p = new double[labelled.size()];
          int[] y = new int[labelled.size()];
          for (int i = 0; i < p.length; i++) {
            p[i] = labelled.get(i).getDouble(2);
            y[i] = labelled.get(i).getInt(3);
          }
          versions.add(
              new VersionQuality(
                  source, key.get(0), key.get(1), RealisedQuality.of(group.size(), p, y)));
        });
    return versions;
  }

  private static int compareVersions(String a, String b) {
    try {
      return Long.compare(Long.parseLong(a), Long.parseLong(b));
    } catch (NumberFormatException e) {
      return a.compareTo(b);
    }
  }

  private static String summary(List<VersionQuality> versions) {
    List<String> parts = new ArrayList<>();
    for (VersionQuality v : versions) {
      RealisedQuality q = v.quality();
      parts.add(
          q.rowsLabelled() == 0
              ? String.format(
                  Locale.ROOT,
                  "%s%s v%s: %d scored, no labels yet (rerun when they land)",
                  v.source().equals(BATCH) ? "" : v.source() + " ",
                  v.modelName(),
                  v.modelVersion(),
                  q.rowsScored())
              : String.format(
                  Locale.ROOT,
                  "%s%s v%s: %d scored, %d labelled, ROC AUC %.4f, log loss %.4f, calibration"
                      + " error %.4f (predicted %.4f, observed %.4f)",
                  v.source().equals(BATCH) ? "" : v.source() + " ",
                  v.modelName(),
                  v.modelVersion(),
                  q.rowsScored(),
                  q.rowsLabelled(),
                  q.rocAuc(),
                  q.logLoss(),
                  q.calibrationError(),
                  q.meanPredicted(),
                  q.observedShare()));
    }
    return String.join("; ", parts);
  }

  private static JobResult skipped(JobResult.Builder result, LocalDate ds, String why) {
    String summary = "nothing to monitor for " + ds + ": " + why + "; nothing written";
    LOG.warn("monitor-predictions ds={}: {}", ds, summary);
    return result.summary(summary).build();
  }

  private static Double nullable(double value) {
    return Double.isFinite(value) ? value : null;
  }
}
