package io.lakepipe.ingest.jdbc;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import io.lakepipe.core.spark.Columns;
import io.lakepipe.ingest.Lineage;
import io.lakepipe.ingest.Quarantine;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Validation of airport rows as a JDBC source gives them. {@link #check} keeps the row as read in
 * {@link Quarantine#RAW}, types latitude, longitude and the watermark (a database may hand them over as
 * text), and names every broken rule in {@link Quarantine#REASON}. Pure transformations, no I/O.
 *
 * <p>The key of an airport version is (iata, watermark): the watermark is the time from which the
 * version is valid, so bronze can keep every version and later joins can pick the one valid at a
 * flight's time.
 */
public final class AirportValidation {
  /** Columns every airport source must have, besides its watermark column. */
  public static final List<String> REQUIRED =
      List.of("iata", "name", "city", "state", "country", "latitude", "longitude");

  private static final String CODE = "^[A-Z0-9]{3}$";

  private final String watermark;

  public AirportValidation(String watermarkColumn) {
    this.watermark = watermarkColumn;
  }

  /** Adds the raw record and the reason, and types latitude, longitude and the watermark column. */
  public Dataset<Row> check(Dataset<Row> airports) {
    List<String> required = new ArrayList<>(REQUIRED);
    required.add(watermark);
    Columns.require(airports, "airports input", required);

    Column latitude = tryCast("latitude", "double");
    Column longitude = tryCast("longitude", "double");
    Column validFrom = tryCast(watermark, "timestamp");
    Column iata = col("iata");
    Column keyCopies = count(lit(1)).over(Window.partitionBy(iata, validFrom));

    List<Column> rules = List.of(
        Quarantine.rule(iata.isNull(), "missing iata"),
        Quarantine.rule(iata.isNotNull().and(iata.rlike(CODE).unary_$bang()),
            concat(lit("iata '"), iata, lit("' is not a 3-character code of A-Z and 0-9"))),
        Quarantine.rule(blank("name"), "missing name"),
        Quarantine.rule(blank("country"), "missing country"),
        Quarantine.rule(col("latitude").isNull(), "missing latitude"),
        Quarantine.rule(col("latitude").isNotNull().and(latitude.isNull()),
            concat(lit("latitude '"), col("latitude").cast("string"), lit("' is not a number"))),
        Quarantine.rule(outside(latitude, 90),
            concat(lit("latitude "), latitude.cast("string"), lit(" outside [-90, 90]"))),
        Quarantine.rule(col("longitude").isNull(), "missing longitude"),
        Quarantine.rule(col("longitude").isNotNull().and(longitude.isNull()),
            concat(lit("longitude '"), col("longitude").cast("string"), lit("' is not a number"))),
        Quarantine.rule(outside(longitude, 180),
            concat(lit("longitude "), longitude.cast("string"), lit(" outside [-180, 180]"))),
        Quarantine.rule(col(watermark).isNull(), "missing " + watermark),
        Quarantine.rule(col(watermark).isNotNull().and(validFrom.isNull()),
            concat(lit(watermark + " '"), col(watermark).cast("string"), lit("' is not a timestamp"))),
        Quarantine.rule(iata.isNotNull().and(validFrom.isNotNull()).and(keyCopies.gt(1)),
            concat(lit("duplicate iata and " + watermark + " in the read ("),
                keyCopies.cast("string"), lit(" rows)"))));

    Column[] rawColumns = java.util.Arrays.stream(airports.columns()).map(c -> col(quoted(c)))
        .toArray(Column[]::new);
    Dataset<Row> withRaw = airports.withColumn(Quarantine.RAW, to_json(struct(rawColumns)));
    return Quarantine.withReason(withRaw, rules)
        .withColumn("latitude", latitude)
        .withColumn("longitude", longitude)
        .withColumn(watermark, validFrom);
  }

  /**
   * Quarantine rows: raw record and reason as {@link Quarantine#filterInvalid} gives them, plus the typed
   * watermark, so that the next run's watermark also covers versions that were quarantined.
   */
  public Dataset<Row> toQuarantine(Dataset<Row> checked) {
    List<Column> columns = new ArrayList<>(List.of(col(Quarantine.RAW),
        col(Quarantine.REASON).as("reason"), col(watermark)));
    columns.addAll(List.of(Lineage.columns()));
    return checked.where(col(Quarantine.REASON).isNotNull()).select(columns.toArray(Column[]::new));
  }

  private static Column tryCast(String column, String type) {
    return expr("try_cast(" + quoted(column) + " AS " + type + ")");
  }

  private static String quoted(String column) {
    return "`" + column.replace("`", "``") + "`";
  }

  private static Column blank(String column) {
    return col(column).isNull().or(expr("trim(" + quoted(column) + ")").equalTo(""));
  }

  private static Column outside(Column value, double limit) {
    // NaN compares above every number in Spark, so it counts as outside too.
    return value.isNotNull().and(value.lt(-limit).or(value.gt(limit)));
  }
}
