// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.monitoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.table.DeltaTables;
import io.lakepipe.core.table.TableRead;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
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
 * The monitor-predictions job: joins ds's batch predictions with the labels of the same flights (on
 * the view's entity id), computes the realised quality per model version ({@link RealisedQuality}),
 * replaces ds's partition of the prediction-quality table with one row per version, and pushes the
 * numbers to the Pushgateway ({@link PredictionQualityMetrics}).
 *
 * <p>A day without predictions is skipped (nothing written); a day whose labels have not landed
 * gets its row with {@code rows_labelled = 0} and null metrics, which a rerun after the labels land
 * replaces.
 */
public final class PredictionMonitoring {
  private static final Logger LOG = LoggerFactory.getLogger(PredictionMonitoring.class);

  /** The batch predictions, written by serve-export. */
  public static final String PREDICTIONS = "predictions-flights";

  /** The labels of the flights, written by build-features. */
  public static final String LABELS = "labels-flights";

  /** One row per ds and model version, written here. */
  public static final String QUALITY = "prediction-quality-flights";

  /**
   * The feature view whose entity id joins predictions and labels, and whose label is the truth.
   */
  static final String VIEW = "views.flights";

  /** The columns of the quality table, before its ds. */
  public static final StructType SCHEMA =
      new StructType()
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

  /** One model version's quality on the day. */
  public record VersionQuality(String modelName, String modelVersion, RealisedQuality quality) {}

  public static JobResult run(JobContext context) {
    LakepipeConfig config = context.config();
    LocalDate ds = context.ds();
    String predictionsPath = config.tablePath(PREDICTIONS);
    String labelsPath = config.tablePath(LABELS);
    String qualityPath = config.tablePath(QUALITY);
    String id = config.string(VIEW + ".entity.id.name");
    String label = config.string(VIEW + ".label.name");
    DeltaTables tables = context.tables();
    JobResult.Builder result = JobResult.builder().source(predictionsPath);

    if (!tables.exists(predictionsPath)) {
      return skipped(result, ds, "the predictions table " + predictionsPath + " does not exist");
    }
    TableRead predictions = tables.readDs(PREDICTIONS, predictionsPath, ds);
    result.read(predictionsPath, predictions.version());
    Optional<TableRead> labels =
        tables.exists(labelsPath)
            ? Optional.of(tables.readDs(LABELS, labelsPath, ds))
            : Optional.empty();
    labels.ifPresent(read -> result.read(labelsPath, read.version()));

    Dataset<Row> scored =
        predictions
            .rows()
            .select(col(id), col("delay_probability"), col("model_name"), col("model_version"));
    Dataset<Row> joined =
        labels
            .map(
                read ->
                    scored.join(
                        read.rows()
                            .select(col(id).as("_label_id"), col(label).cast("int").as("label")),
                        col(id).equalTo(col("_label_id")),
                        "left"))
            .orElse(scored.withColumn("label", lit(null).cast("int")))
            .select("model_name", "model_version", "delay_probability", "label");
    List<VersionQuality> versions = measure(joined.collectAsList());
    if (versions.isEmpty()) {
      return skipped(result, ds, "serve-export wrote no predictions for " + ds + " yet");
    }

    Timestamp now = Timestamp.from(Instant.now());
    List<Row> rows = new ArrayList<>();
    for (VersionQuality v : versions) {
      RealisedQuality q = v.quality();
      rows.add(
          RowFactory.create(
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
    return result
        .rowsRead(scoredRows)
        .rowsWritten(scoredRows)
        .wrote(qualityPath, written)
        .summary(summary + "; " + qualityPath + " v" + written)
        .build();
  }

  /**
   * The quality of each model version among rows of (model_name, model_version, delay_probability,
   * label or null), sorted by name and version.
   */
  static List<VersionQuality> measure(List<Row> rows) {
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
              new VersionQuality(key.get(0), key.get(1), RealisedQuality.of(group.size(), p, y)));
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
                  "%s v%s: %d scored, no labels yet (rerun when they land)",
                  v.modelName(),
                  v.modelVersion(),
                  q.rowsScored())
              : String.format(
                  Locale.ROOT,
                  "%s v%s: %d scored, %d labelled, ROC AUC %.4f, log loss %.4f, calibration error"
                      + " %.4f (predicted %.4f, observed %.4f)",
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
