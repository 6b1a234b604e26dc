package io.lakepipe.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.lakepipe.core.spark.Columns;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Validation of raw flights: each rule yields a reason when a row breaks it; a row with any reason is
 * quarantined, every other row goes to bronze. Pure transformations, no I/O.
 */
public final class FlightValidation {
  /** Column holding the reasons a row failed validation, joined by "; "; null when the row is valid. */
  public static final String REASON = Quarantine.REASON;

  static final List<String> REQUIRED = List.of("date", "delay", "distance", "origin", "destination");
  private static final String AIRPORT_CODE = "^[A-Z0-9]{3}$";

  private final int minDelay;
  private final int maxDelay;

  public FlightValidation(int minDelayMinutes, int maxDelayMinutes) {
    this.minDelay = minDelayMinutes;
    this.maxDelay = maxDelayMinutes;
  }

  /** Adds {@link #REASON}: every broken rule of the row, or null when the row is valid. */
  public Dataset<Row> withQuarantineReason(Dataset<Row> flights) {
    Columns.require(flights, "flights input", REQUIRED);
    Column[] reasons = {
      rule(col("date").isNull(), "missing date"),
      rule(col("origin").isNull(), "missing origin"),
      rule(col("destination").isNull(), "missing destination"),
      rule(col("delay").isNull(), "missing delay"),
      rule(col("distance").isNull(), "missing distance"),
      rule(col("origin").isNotNull().and(col("origin").rlike(AIRPORT_CODE).unary_$bang()),
          "origin is not a 3-character airport code"),
      rule(col("destination").isNotNull()
          .and(col("destination").rlike(AIRPORT_CODE).unary_$bang()),
          "destination is not a 3-character airport code"),
      rule(col("origin").equalTo(col("destination")), "origin equals destination"),
      rule(col("delay").lt(minDelay).or(col("delay").gt(maxDelay)),
          "delay outside [" + minDelay + ", " + maxDelay + "] minutes"),
      rule(col("distance").leq(0), "distance is not positive"),
    };
    // concat_ws skips nulls, so a valid row yields "" and becomes null below.
    Column joined = concat_ws("; ", reasons);
    return flights.withColumn(REASON, when(joined.equalTo(""), lit(null)).otherwise(joined));
  }

  /** Keeps the rows that passed validation, without the reason column. */
  public static Dataset<Row> filterValid(Dataset<Row> validated) {
    return validated.where(col(REASON).isNull()).drop(REASON);
  }

  /** Keeps the rows that failed validation, with their reason. */
  public static Dataset<Row> filterInvalid(Dataset<Row> validated) {
    return validated.where(col(REASON).isNotNull());
  }

  private static Column rule(Column broken, String reason) {
    return when(broken, lit(reason));
  }
}
