// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest;

import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Where a bronze or quarantine row came from. Every ingest, whatever its source kind, adds the same
 * columns, so that one query over the tables answers "which file, table or offset was this, and
 * which run wrote it". The logical date {@code ds} is added by the Delta write itself.
 */
public final class Lineage {
  /** The source kind: {@code file}, {@code jdbc} or {@code kafka}. */
  public static final String SOURCE = "_source";

  /** The exact origin: a file path, a JDBC table, or {@code topic/partition/offset}. */
  public static final String LOCATION = "_source_location";

  public static final String RUN_ID = "_run_id";
  public static final String INGESTED_AT = "_ingested_at";

  private Lineage() {}

  /** Adds the lineage columns; {@code location} is evaluated per row. */
  public static Dataset<Row> with(
      Dataset<Row> rows, String sourceKind, Column location, String runId) {
    return rows.withColumn(SOURCE, lit(sourceKind))
        .withColumn(LOCATION, location)
        .withColumn(RUN_ID, lit(runId))
        .withColumn(INGESTED_AT, current_timestamp());
  }

  /** The lineage columns, in table order, for selects that keep them. */
  public static Column[] columns() {
    return new Column[] {
      org.apache.spark.sql.functions.col(SOURCE),
      org.apache.spark.sql.functions.col(LOCATION),
      org.apache.spark.sql.functions.col(RUN_ID),
      org.apache.spark.sql.functions.col(INGESTED_AT)
    };
  }
}
