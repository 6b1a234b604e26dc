// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features;

import static org.apache.spark.sql.functions.col;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.spark.Columns;
import io.lakepipe.features.FeatureCatalog.RowFeature;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The feature and label rows of a view's entities of one day. Pure transformations, no I/O: the job
 * reads the entity table, the lookup tables and the daily stats, and writes what these return.
 */
public final class EntityFeatures {
  private EntityFeatures() {}

  /**
   * The features of the entities of {@code ds}: the id, the timestamp, then every feature of the
   * view's catalog in its order. Entity features see the row without its never-feature columns,
   * lookup features the lookup rows valid at the entity's time, history features the stats of days
   * before ds only.
   *
   * @param lookups the rows of each lookup table, by its key of {@code lakepipe.tables}
   */
  public static Dataset<Row> build(
      Dataset<Row> entities,
      Map<String, Dataset<Row>> lookups,
      Dataset<Row> stats,
      FeatureView view,
      LocalDate ds) {
    FeatureCatalog catalog = view.catalog();
    Columns.require(entities, view.entityTable(), view.entityColumns());
    // Without those columns, no feature can be computed from the label's sources.
    Dataset<Row> rows =
        entities
            .withColumn(view.id(), SqlExpressions.over(entities, view.id(), view.idExpr()))
            .drop(view.neverFeatures().toArray(String[]::new));
    List<Column> withEntityFeatures = new ArrayList<>();
    for (String column : rows.columns()) {
      withEntityFeatures.add(col(column));
    }
    for (RowFeature feature : catalog.row()) {
      // Prefixed so that a feature named like an entity column (distance = "distance") stays apart.
      withEntityFeatures.add(
          SqlExpressions.over(rows, feature.name(), feature.expr()).as("__f_" + feature.name()));
    }
    Dataset<Row> computed = rows.select(withEntityFeatures.toArray(Column[]::new));
    for (Lookup lookup : catalog.lookups()) {
      computed = LookupJoin.attach(computed, lookups.get(lookup.table()), lookup, view.timestamp());
    }
    if (!catalog.history().entities().isEmpty()) {
      requireFreeSumNames(computed, catalog);
      computed = HistoryFeatures.attach(computed, stats, catalog.history(), ds);
    }
    List<Column> output = new ArrayList<>();
    output.add(col(view.id()));
    output.add(col(view.timestamp()));
    List<String> rowNames = catalog.row().stream().map(RowFeature::name).toList();
    for (FeatureCatalog.Column column : catalog.columns()) {
      output.add(
          rowNames.contains(column.name())
              ? col("__f_" + column.name()).as(column.name())
              : col(column.name()));
    }
    return computed.select(output.toArray(Column[]::new));
  }

  /** The label rows of the entities: id, timestamp, the label's columns and the label. */
  public static Dataset<Row> labels(Dataset<Row> entities, FeatureView view) {
    Columns.require(entities, view.entityTable(), view.entityColumns());
    List<Column> columns = new ArrayList<>();
    columns.add(SqlExpressions.over(entities, view.id(), view.idExpr()).as(view.id()));
    columns.add(col(view.timestamp()));
    view.label().columns().keySet().forEach(c -> columns.add(col(c)));
    columns.add(
        SqlExpressions.over(entities, view.label().name(), view.label().expr())
            .as(view.label().name()));
    return entities.select(columns.toArray(Column[]::new));
  }

  private static void requireFreeSumNames(Dataset<Row> rows, FeatureCatalog catalog) {
    List<String> columns = List.of(rows.columns());
    for (FeatureCatalog.DailySum sum : catalog.history().dailySums()) {
      if (columns.contains(sum.name())) {
        throw LakepipeErrors.featureDefinitionInvalid(
            sum.name(), "a daily sum may not share its name with an entity column", null);
      }
    }
  }
}
