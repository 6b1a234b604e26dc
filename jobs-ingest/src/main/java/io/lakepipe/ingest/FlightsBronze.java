package io.lakepipe.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.struct;

import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Shapes raw flights into bronze and quarantine rows. Pure transformations, no I/O. */
public final class FlightsBronze {
  private FlightsBronze() {}

  /** Keeps the flights whose departure falls on the logical date. */
  public static Dataset<Row> filterDs(Dataset<Row> raw, LocalDate ds) {
    return raw.where(to_date(col("date")).equalTo(lit(java.sql.Date.valueOf(ds))));
  }

  /** Bronze columns: the flight as read, typed, plus where it came from and which run wrote it. */
  public static Dataset<Row> withLineage(Dataset<Row> valid, String source, String runId) {
    return valid
        .select(
            col("date").cast("timestamp_ntz").as("flight_ts"),
            col("delay").cast("int").as("delay"),
            col("distance").cast("int").as("distance"),
            col("origin"),
            col("destination"))
        .withColumn("_source", lit(source))
        .withColumn("_run_id", lit(runId))
        .withColumn("_ingested_at", current_timestamp());
  }

  /** Quarantine columns: the raw record as JSON, the reason, and where it came from. */
  public static Dataset<Row> toQuarantine(Dataset<Row> invalid, String source, String runId) {
    return invalid
        .select(
            to_json(struct(FlightValidation.REQUIRED.stream().map(c -> col(c))
                .toArray(org.apache.spark.sql.Column[]::new))).as("raw_record"),
            col(FlightValidation.REASON).as("reason"))
        .withColumn("_source", lit(source))
        .withColumn("_run_id", lit(runId))
        .withColumn("_ingested_at", current_timestamp());
  }
}
