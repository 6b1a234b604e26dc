package io.lakepipe.features;

import static org.apache.spark.sql.functions.col;

import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.table.DeltaTables;
import io.lakepipe.core.table.TableRead;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Builds training sets: the labels of a date range joined to the features of the same flights, at
 * recorded Delta versions of both tables.
 */
public final class TrainingSets {
  private final DeltaTables tables;
  private final String featuresPath;
  private final String labelsPath;

  public TrainingSets(DeltaTables tables, LakepipeConfig config) {
    this(tables, config.tablePath("features-flights"), config.tablePath("labels-flights"));
  }

  public TrainingSets(DeltaTables tables, String featuresPath, String labelsPath) {
    this.tables = tables;
    this.featuresPath = featuresPath;
    this.labelsPath = labelsPath;
  }

  /** The days {@code [from, to]} at the tables' latest versions, which the result records. */
  public TrainingSet latest(LocalDate from, LocalDate to) {
    return of(tables.readDsRange("features-flights", featuresPath, from, to),
        tables.readDsRange("labels-flights", labelsPath, from, to));
  }

  /** The days {@code [from, to]} as the tables were at the given versions, e.g. to repeat a run. */
  public TrainingSet at(LocalDate from, LocalDate to, long featuresVersion, long labelsVersion) {
    return of(tables.readDsRange("features-flights", featuresPath, from, to, featuresVersion),
        tables.readDsRange("labels-flights", labelsPath, from, to, labelsVersion));
  }

  private static TrainingSet of(TableRead features, TableRead labels) {
    return new TrainingSet(join(features.rows(), labels.rows()), features, labels);
  }

  /** Features with their flight's label; a flight without a label (or features) is left out. */
  static Dataset<Row> join(Dataset<Row> features, Dataset<Row> labels) {
    Dataset<Row> label = labels.select(col(FeatureCatalog.FLIGHT_ID).as("__label_id"),
        col(DeltaTables.DS).as("__label_ds"), col(FeatureCatalog.LABEL));
    return features
        .join(label, col(FeatureCatalog.FLIGHT_ID).equalTo(col("__label_id"))
            .and(col(DeltaTables.DS).equalTo(col("__label_ds"))))
        .drop("__label_id", "__label_ds");
  }
}
