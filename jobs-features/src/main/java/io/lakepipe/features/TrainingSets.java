// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features;

import static org.apache.spark.sql.functions.col;

import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.table.DeltaTables;
import io.lakepipe.core.table.TableRead;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Builds training sets of a feature view: the labels of a date range joined to the features of the
 * same entities, at recorded Delta versions of both tables.
 */
public final class TrainingSets {
  private final DeltaTables tables;
  private final Table features;
  private final Table labels;
  private final String id;
  private final String label;

  /** A table by its key of {@code lakepipe.tables} (for messages) and its path. */
  public record Table(String name, String path) {}

  public TrainingSets(DeltaTables tables, LakepipeConfig config, FeatureView view) {
    this(
        tables,
        new Table(view.tables().features(), config.tablePath(view.tables().features())),
        new Table(view.tables().labels(), config.tablePath(view.tables().labels())),
        view.id(),
        view.label().name());
  }

  /** Over the given tables, joined on the id column, taking the label column of the labels. */
  public TrainingSets(DeltaTables tables, Table features, Table labels, String id, String label) {
    this.tables = tables;
    this.features = features;
    this.labels = labels;
    this.id = id;
    this.label = label;
  }

  /** The days {@code [from, to]} at the tables' latest versions, which the result records. */
  public TrainingSet latest(LocalDate from, LocalDate to) {
    return of(
        tables.readDsRange(features.name(), features.path(), from, to),
        tables.readDsRange(labels.name(), labels.path(), from, to));
  }

  /** The days {@code [from, to]} as the tables were at the given versions, e.g. to repeat a run. */
  public TrainingSet at(LocalDate from, LocalDate to, long featuresVersion, long labelsVersion) {
    return of(
        tables.readDsRange(features.name(), features.path(), from, to, featuresVersion),
        tables.readDsRange(labels.name(), labels.path(), from, to, labelsVersion));
  }

  private TrainingSet of(TableRead featureRows, TableRead labelRows) {
    return new TrainingSet(
        join(featureRows.rows(), labelRows.rows(), id, label), featureRows, labelRows);
  }

  /** Features with their entity's label; an entity without a label (or features) is left out. */
  static Dataset<Row> join(Dataset<Row> features, Dataset<Row> labels, String id, String label) {
    Dataset<Row> labelRows =
        labels.select(col(id).as("__label_id"), col(DeltaTables.DS).as("__label_ds"), col(label));
    return features
        .join(
            labelRows,
            col(id).equalTo(col("__label_id")).and(col(DeltaTables.DS).equalTo(col("__label_ds"))))
        .drop("__label_id", "__label_ds");
  }
}
