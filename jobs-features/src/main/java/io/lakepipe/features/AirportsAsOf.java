package io.lakepipe.features;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lead;

import io.lakepipe.core.spark.Columns;
import io.lakepipe.features.FeatureCatalog.AirportAttribute;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Airport attributes as they were at each flight's time. The airports table keeps every version of
 * an airport (iata, updated_at); a version is valid from its updated_at until the next one's, and a
 * flight takes the version valid at its departure, so a later change never rewrites an earlier
 * flight's features. Pure transformation, no I/O.
 */
final class AirportsAsOf {
  static final String IATA = "iata";
  static final String VALID_FROM = "updated_at";

  private AirportsAsOf() {}

  /**
   * Adds {@code <role>_<column>} for each attribute and both airports of each flight; null when the
   * airport had no version yet at the flight's time. Keeps every flight row exactly once.
   */
  static Dataset<Row> attach(Dataset<Row> flights, Dataset<Row> airports,
      List<AirportAttribute> attributes) {
    if (attributes.isEmpty()) {
      return flights;
    }
    List<String> required = new ArrayList<>(List.of(IATA, VALID_FROM));
    attributes.forEach(a -> required.add(a.column()));
    Columns.require(airports, "bronze airports", required);

    // Computed once and broadcast once: both joins below read the same plan, so Spark reuses it.
    Dataset<Row> versions = airports.select(intervalColumns(attributes));
    // Flight times carry no zone; they are compared with updated_at in the session's zone (UTC).
    Column departure = col(FeatureCatalog.FLIGHT_TS).cast("timestamp");
    List<Column> columns = new ArrayList<>();
    for (String column : flights.columns()) {
      columns.add(col("f." + column));
    }
    Dataset<Row> joined = flights.as("f");
    for (String role : FeatureCatalog.AIRPORT_ROLES) {
      String alias = "__" + role;
      Column asOf = col("f." + role).equalTo(col(alias + "." + IATA))
          .and(departure.geq(col(alias + ".valid_from")))
          .and(col(alias + ".valid_to").isNull().or(departure.lt(col(alias + ".valid_to"))));
      // The reference is a few thousand rows: broadcast it rather than shuffle the flights.
      joined = joined.join(broadcast(versions).as(alias), asOf, "left");
      attributes.forEach(a -> columns.add(col(alias + "." + a.column())
          .as(FeatureCatalog.airportColumn(role, a))));
    }
    return joined.select(columns.toArray(Column[]::new));
  }

  private static Column[] intervalColumns(List<AirportAttribute> attributes) {
    List<Column> columns = new ArrayList<>();
    columns.add(col(IATA));
    columns.add(col(VALID_FROM).as("valid_from"));
    columns.add(lead(col(VALID_FROM), 1)
        .over(Window.partitionBy(IATA).orderBy(VALID_FROM)).as("valid_to"));
    attributes.forEach(a -> columns.add(col(a.column())));
    return columns.toArray(Column[]::new);
  }
}
