package io.lakepipe.ingest;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Shapes valid flights into bronze rows. Pure transformation, no I/O. */
public final class FlightsBronze {
  private FlightsBronze() {}

  /** Bronze columns: the flight, typed, plus where it came from and which run wrote it. */
  public static Dataset<Row> fromValid(Dataset<Row> valid) {
    List<Column> columns = new ArrayList<>(List.of(
        col("date").cast("timestamp_ntz").as("flight_ts"),
        col("delay").cast("int").as("delay"),
        col("distance").cast("int").as("distance"),
        col("origin"),
        col("destination")));
    columns.addAll(List.of(Lineage.columns()));
    return Quarantine.filterValid(valid).select(columns.toArray(Column[]::new));
  }
}
