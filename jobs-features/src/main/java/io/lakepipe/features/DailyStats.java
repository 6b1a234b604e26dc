// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import io.lakepipe.core.table.DeltaTables;
import io.lakepipe.core.table.DsPredicates;
import io.lakepipe.features.FeatureCatalog.DailySum;
import io.lakepipe.features.FeatureCatalog.Entity;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * The daily stats table: per day, entity (origin, destination, route...) and key, the day's sums
 * declared in {@code features.history.daily-sums}. History features over any window are sums of
 * these rows, so a day's features read a few thousand stats rows per day of window, not the entity
 * rows of the history. Pure transformations, no I/O.
 */
final class DailyStats {
  static final String ENTITY = "entity";
  static final String KEY = "key";

  /**
   * What a day's rows were computed from: the bronze partition's files and the sums' definition.
   */
  static final String SOURCE = "source_fingerprint";

  private DailyStats() {}

  /** The key of an entity of the rows as one string, e.g. {@code ATL|SAV} for a route. */
  static Column key(Dataset<Row> rows, Entity entity) {
    List<Column> parts = new ArrayList<>();
    for (String key : entity.keys()) {
      parts.add(SqlExpressions.over(rows, entity.name(), key).cast("string"));
    }
    return concat_ws("|", parts.toArray(Column[]::new));
  }

  /**
   * The stats rows of the bronze rows given (one or more days, with their ds), each tagged with the
   * source fingerprint of its day.
   */
  static Dataset<Row> compute(
      Dataset<Row> bronze, FeatureCatalog catalog, Map<LocalDate, String> sourceByDay) {
    List<Column> sums = new ArrayList<>();
    for (DailySum s : catalog.history().dailySums()) {
      sums.add(sum(SqlExpressions.over(bronze, s.name(), s.expr())).as(s.name()));
    }
    Column source = lit(null).cast("string");
    for (Map.Entry<LocalDate, String> day : sourceByDay.entrySet()) {
      source =
          functions.when(DsPredicates.dsIs(day.getKey()), lit(day.getValue())).otherwise(source);
    }
    Dataset<Row> all = null;
    for (Entity entity : catalog.history().entities()) {
      Dataset<Row> perKey =
          bronze
              .groupBy(col(DeltaTables.DS), key(bronze, entity).as(KEY))
              .agg(sums.get(0), sums.subList(1, sums.size()).toArray(Column[]::new))
              .withColumn(ENTITY, lit(entity.name()));
      all = all == null ? perKey : all.unionByName(perKey);
    }
    List<Column> ordered = new ArrayList<>(List.of(col(ENTITY), col(KEY)));
    catalog.history().dailySums().forEach(s -> ordered.add(col(s.name())));
    ordered.add(source.as(SOURCE));
    ordered.add(col(DeltaTables.DS));
    return all.select(ordered.toArray(Column[]::new));
  }
}
