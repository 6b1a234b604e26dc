package io.lakepipe.features;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.substring;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.spark.Columns;
import io.lakepipe.features.FeatureCatalog.FlightFeature;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The feature and label rows of a day's flights. Pure transformations, no I/O: the job reads bronze,
 * the airports and the daily stats, and writes what these return.
 */
public final class FlightFeatures {
  /** The bronze columns a flight needs; delay feeds only the label and the history sums. */
  static final List<String> BRONZE = List.of(FeatureCatalog.FLIGHT_TS, "delay", "distance", "origin",
      "destination");

  private FlightFeatures() {}

  /**
   * A flight's key: 128 bits of the SHA-256 of its ingested record. Ingest quarantines repeated
   * records, so the key is unique, and a rebuild of the same record gives the same key.
   */
  static Column flightId() {
    Column record = concat_ws("|", col("flight_ts").cast("string"), col("origin"), col("destination"),
        col("distance").cast("string"), col("delay").cast("string"));
    return substring(sha2(record, 256), 1, 32);
  }

  /**
   * The features of the flights of {@code ds}: the key, the departure time, then every feature of the
   * catalog in its order. Flight features see the bronze row without its delay, airport features
   * the airport versions valid at departure, history features the stats of days before ds only.
   */
  public static Dataset<Row> build(Dataset<Row> bronze, Dataset<Row> airports, Dataset<Row> stats,
      FeatureCatalog catalog, LocalDate ds) {
    Columns.require(bronze, "bronze flights", BRONZE);
    // Without the delay, no flight feature can be computed from the label's source.
    Dataset<Row> flights = bronze.withColumn(FeatureCatalog.FLIGHT_ID, flightId()).drop("delay");
    List<Column> withFlightFeatures = new ArrayList<>();
    for (String column : flights.columns()) {
      withFlightFeatures.add(col(column));
    }
    for (FlightFeature feature : catalog.flight()) {
      // Prefixed so that a feature named like a bronze column (distance = "distance") stays apart.
      withFlightFeatures.add(SqlExpressions.over(flights, feature.name(), feature.expr())
          .as("__f_" + feature.name()));
    }
    Dataset<Row> computed = flights.select(withFlightFeatures.toArray(Column[]::new));
    computed = AirportsAsOf.attach(computed, airports, catalog.airport());
    if (!catalog.history().entities().isEmpty()) {
      requireFreeSumNames(computed, catalog);
      computed = HistoryFeatures.attach(computed, stats, catalog.history(), ds);
    }
    List<Column> output = new ArrayList<>();
    output.add(col(FeatureCatalog.FLIGHT_ID));
    output.add(col(FeatureCatalog.FLIGHT_TS));
    List<String> flightNames = catalog.flight().stream().map(FlightFeature::name).toList();
    for (FeatureCatalog.Column column : catalog.columns()) {
      output.add(flightNames.contains(column.name())
          ? col("__f_" + column.name()).as(column.name()) : col(column.name()));
    }
    return computed.select(output.toArray(Column[]::new));
  }

  /** The label rows of the flights: key, departure, delay and {@code delayed}, without features. */
  public static Dataset<Row> labels(Dataset<Row> bronze, int delayThresholdMinutes) {
    Columns.require(bronze, "bronze flights", BRONZE);
    return bronze.select(
        flightId().as(FeatureCatalog.FLIGHT_ID),
        col(FeatureCatalog.FLIGHT_TS),
        col("delay"),
        col("delay").gt(delayThresholdMinutes).cast("int").as(FeatureCatalog.LABEL));
  }

  private static void requireFreeSumNames(Dataset<Row> flights, FeatureCatalog catalog) {
    List<String> columns = List.of(flights.columns());
    for (FeatureCatalog.DailySum sum : catalog.history().dailySums()) {
      if (columns.contains(sum.name())) {
        throw LakepipeErrors.featureDefinitionInvalid(sum.name(),
            "a daily sum may not share its name with a flight column", null);
      }
    }
  }
}
