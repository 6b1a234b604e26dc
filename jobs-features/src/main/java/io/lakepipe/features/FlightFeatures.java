package io.lakepipe.features;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.dayofweek;
import static org.apache.spark.sql.functions.hour;
import static org.apache.spark.sql.functions.month;

import io.lakepipe.core.spark.Columns;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Per-flight features and the delay label, from bronze flights. Pure transformations, no I/O. */
public final class FlightFeatures {
  /** Feature columns a model may use; scoring needs exactly these. */
  public static final List<String> NUMERIC = List.of("hour", "day_of_week", "month", "distance");
  public static final List<String> CATEGORICAL = List.of("origin", "destination");
  /** Every model input, numeric first: what training assembles and scoring must be given. */
  public static final List<String> INPUTS =
      java.util.stream.Stream.concat(NUMERIC.stream(), CATEGORICAL.stream()).toList();
  /** The label: 1 when the flight was delayed by more than the threshold. */
  public static final String LABEL = "delayed";

  private static final List<String> REQUIRED = List.of("flight_ts", "delay", "distance", "origin",
      "destination");

  private FlightFeatures() {}

  /** Flight key, features and label; bronze lineage columns are dropped. */
  public static Dataset<Row> build(Dataset<Row> bronze, int delayThresholdMinutes) {
    Columns.require(bronze, "bronze flights", REQUIRED);
    return bronze.select(
        col("flight_ts"),
        hour(col("flight_ts")).as("hour"),
        // Spark counts Sunday as 1 and Saturday as 7.
        dayofweek(col("flight_ts")).as("day_of_week"),
        month(col("flight_ts")).as("month"),
        col("distance"),
        col("origin"),
        col("destination"),
        col("delay").gt(delayThresholdMinutes).cast("int").as(LABEL));
  }
}
