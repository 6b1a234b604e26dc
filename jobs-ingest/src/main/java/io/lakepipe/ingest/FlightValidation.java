package io.lakepipe.ingest;

import static org.apache.spark.sql.functions.col;

import io.lakepipe.core.spark.Columns;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The rules a flight must pass to enter bronze, whatever source it came from. Each rule yields a
 * reason when a row breaks it (see {@link Quarantine}). Pure transformations, no I/O.
 */
public final class FlightValidation {
  /** The fields of a flight as every source delivers them. */
  public static final List<String> REQUIRED =
      List.of("date", "delay", "distance", "origin", "destination");
  private static final String AIRPORT_CODE = "^[A-Z0-9]{3}$";

  private final int minDelay;
  private final int maxDelay;

  public FlightValidation(int minDelayMinutes, int maxDelayMinutes) {
    this.minDelay = minDelayMinutes;
    this.maxDelay = maxDelayMinutes;
  }

  /** Adds {@link Quarantine#REASON} from the missing-value rules and the domain rules. */
  public Dataset<Row> withQuarantineReason(Dataset<Row> flights) {
    Columns.require(flights, "flights input", REQUIRED);
    List<Column> rules = new ArrayList<>(missingRules());
    rules.addAll(domainRules());
    return Quarantine.withReason(flights, rules);
  }

  /** One "missing <field>" rule per required field. */
  public static List<Column> missingRules() {
    return REQUIRED.stream().map(f -> Quarantine.rule(col(f).isNull(), "missing " + f)).toList();
  }

  /** Rules on the values of typed fields; a null field breaks none of them. */
  public List<Column> domainRules() {
    return List.of(
        Quarantine.rule(col("origin").rlike(AIRPORT_CODE).unary_$bang(),
            "origin is not a 3-character airport code"),
        Quarantine.rule(col("destination").rlike(AIRPORT_CODE).unary_$bang(),
            "destination is not a 3-character airport code"),
        Quarantine.rule(col("origin").equalTo(col("destination")), "origin equals destination"),
        Quarantine.rule(col("delay").lt(minDelay).or(col("delay").gt(maxDelay)),
            "delay outside [" + minDelay + ", " + maxDelay + "] minutes"),
        Quarantine.rule(col("distance").leq(0), "distance is not positive"));
  }
}
