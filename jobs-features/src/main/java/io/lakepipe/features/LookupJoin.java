// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lead;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import io.lakepipe.core.spark.Columns;
import io.lakepipe.core.table.DeltaTables;
import io.lakepipe.core.table.DsPredicates;
import io.lakepipe.features.FeatureCatalog.LookupColumn;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * A lookup's columns joined to each entity row, once per role. An as-of lookup keeps every version
 * of a key (e.g. iata, updated_at); a version is valid from its valid-from until the next one's,
 * and an entity takes the version valid at its timestamp, so a later change never rewrites an
 * earlier entity's features. An exact lookup has one row per key. Pure transformation, no I/O.
 */
final class LookupJoin {
  private LookupJoin() {}

  /**
   * Adds {@code <prefix>_<column>} for each column and role; null when the key had no row (or no
   * version yet at the entity's time). Keeps every entity row exactly once.
   */
  static Dataset<Row> attach(
      Dataset<Row> entities, Dataset<Row> table, Lookup lookup, String timestamp) {
    if (lookup.columns().isEmpty()) {
      return entities;
    }
    List<String> required = new ArrayList<>();
    if (lookup.keyed()) {
      required.add(lookup.key());
    }
    if (lookup.asOf()) {
      required.add(lookup.validFrom());
    }
    lookup.columns().forEach(c -> required.add(c.column()));
    Columns.require(table, lookup.table(), required);

    // Computed once and broadcast once: the joins below read the same plan, so Spark reuses it.
    Dataset<Row> versions = table.select(intervalColumns(lookup));
    // Entity times carry no zone; they are compared with valid-from in the session's zone (UTC).
    Column at = col(timestamp).cast("timestamp");
    List<Column> columns = new ArrayList<>();
    for (String column : entities.columns()) {
      columns.add(col("f." + column));
    }
    Dataset<Row> joined = entities.as("f");
    for (Lookup.Role role : lookup.roles()) {
      String alias = "__" + role.prefix();
      Column match =
          lookup.keyed() ? col("f." + role.on()).equalTo(col(alias + ".__key")) : lit(true);
      if (lookup.asOf()) {
        match =
            match
                .and(at.geq(col(alias + ".__valid_from")))
                .and(col(alias + ".__valid_to").isNull().or(at.lt(col(alias + ".__valid_to"))));
      }
      // A reference table is a few thousand rows: broadcast it rather than shuffle the entities.
      joined = joined.join(broadcast(versions).as(alias), match, "left");
      lookup.columns().forEach(c -> columns.add(col(alias + "." + c.column()).as(role.column(c))));
    }
    return joined.select(columns.toArray(Column[]::new));
  }

  /**
   * The rows of an exact lookup's table as known at ds: of a table delivered whole per ds (a
   * reference snapshot with every delivery), the latest delivery up to ds, so that each key has one
   * row and a later delivery never rewrites an earlier day. An as-of lookup, and a table without
   * ds, keep every row.
   */
  static Dataset<Row> knownAt(Dataset<Row> table, Lookup lookup, LocalDate ds) {
    if (lookup.asOf() || !Arrays.asList(table.columns()).contains(DeltaTables.DS)) {
      return table;
    }
    Dataset<Row> known = table.where(DsPredicates.dsAtMost(ds));
    Dataset<Row> latest = known.agg(max(col(DeltaTables.DS)).as("__latest_ds"));
    return known.join(latest, col(DeltaTables.DS).equalTo(col("__latest_ds"))).drop("__latest_ds");
  }

  private static Column[] intervalColumns(Lookup lookup) {
    List<Column> columns = new ArrayList<>();
    if (lookup.keyed()) {
      columns.add(col(lookup.key()).as("__key"));
    }
    if (lookup.asOf()) {
      columns.add(col(lookup.validFrom()).as("__valid_from"));
      // One series without a key: a reference table's few rows, ordered in one window.
      WindowSpec versions =
          lookup.keyed() ? Window.partitionBy(lookup.key()) : Window.partitionBy();
      columns.add(
          lead(col(lookup.validFrom()), 1)
              .over(versions.orderBy(lookup.validFrom()))
              .as("__valid_to"));
    }
    for (LookupColumn c : lookup.columns()) {
      columns.add(col(c.column()));
    }
    return columns.toArray(Column[]::new);
  }
}
