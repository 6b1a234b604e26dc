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

  /**
   * Adds the lineage columns that say where a row came from; {@code location} is evaluated per row.
   * {@link #INGESTED_AT} comes with {@link #columns()}, at the write.
   */
  public static Dataset<Row> with(
      Dataset<Row> rows, String sourceKind, Column location, String runId) {
    return rows.withColumn(SOURCE, lit(sourceKind))
        .withColumn(LOCATION, location)
        .withColumn(RUN_ID, lit(runId));
  }

  /**
   * The lineage columns, in table order, for the select of a write: those of {@link #with}, then
   * {@link #INGESTED_AT}, the time of the write. That time is taken here, not with the others:
   * Spark writes the current time as a constant into the code it compiles, and the checks' code,
   * which ran before, is then the same from run to run and compiled once in a range run (0.1-0.3 s
   * a day).
   */
  public static Column[] columns() {
    return new Column[] {
      org.apache.spark.sql.functions.col(SOURCE),
      org.apache.spark.sql.functions.col(LOCATION),
      org.apache.spark.sql.functions.col(RUN_ID),
      current_timestamp().as(INGESTED_AT)
    };
  }
}
