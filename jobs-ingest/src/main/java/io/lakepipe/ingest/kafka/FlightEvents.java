package io.lakepipe.ingest.kafka;

import static org.apache.spark.sql.functions.base64;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.decode;
import static org.apache.spark.sql.functions.encode;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.ltrim;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.lakepipe.core.spark.Columns;
import io.lakepipe.ingest.Lineage;
import io.lakepipe.ingest.Quarantine;
import io.lakepipe.ingest.source.Expectation;
import io.lakepipe.ingest.source.Expectations;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The flight event on Kafka and its way into bronze. An event is a JSON object keyed by its
 * {@code event_id}:
 *
 * <pre>{"event_id":"2001-01-15-000042","date":"2001-01-15T08:30:00","delay":33,"distance":2176,
 * "origin":"LAS","destination":"PHL"}</pre>
 *
 * <p>{@link #fromFlights} turns flights into events; {@link #parse} turns Kafka records back into
 * typed, checked rows. A record that cannot be read (null, not UTF-8, not a JSON object) gets one
 * reason saying so; a JSON object with missing or mistyped fields gets every such field named;
 * a well-formed event then goes through the expectations declared for the source
 * ({@code lakepipe.sources.flight-events.expectations}). Pure transformations, no I/O.
 */
public final class FlightEvents {
  public static final String EVENT_ID = "event_id";
  /** Kafka source kind in the lineage columns. */
  public static final String SOURCE_KIND = "kafka";
  /** The columns of a parsed event, which the declared expectations may name. */
  public static final List<String> COLUMNS =
      List.of(EVENT_ID, "date", "delay", "distance", "origin", "destination");

  static final List<String> KAFKA_COLUMNS = List.of("value", "topic", "partition", "offset");
  private static final String CORRUPT = "_corrupt_record";
  private static final String DECODE_REASON = "_decode_reason";
  private static final String INTEGER = "^\\s*-?[0-9]{1,9}\\s*$";
  private static final String TIMESTAMP_FORMAT = "yyyy-MM-dd'T'HH:mm:ss";

  /**
   * The JSON fields, all read as text, so that a mistyped field is reported as such rather than
   * silently nulled; the corrupt-record column catches text that is not JSON at all.
   */
  private static final StructType JSON_FIELDS = new StructType()
      .add(EVENT_ID, DataTypes.StringType)
      .add("date", DataTypes.StringType)
      .add("delay", DataTypes.StringType)
      .add("distance", DataTypes.StringType)
      .add("origin", DataTypes.StringType)
      .add("destination", DataTypes.StringType)
      .add(CORRUPT, DataTypes.StringType);

  private FlightEvents() {}

  /**
   * Turns raw flights (date, delay, distance, origin, destination) into events: {@code event_id}
   * and the JSON {@code value}. The id is the flight's day and its rank within the day by all of
   * its fields, so replaying the same days always yields the same ids.
   */
  public static Dataset<Row> fromFlights(Dataset<Row> flights) {
    Columns.require(flights, "flights input", List.of("date", "delay", "distance", "origin",
        "destination"));
    Column day = to_date(col("date"));
    Column rank = row_number().over(Window.partitionBy(day)
        .orderBy(col("date"), col("origin"), col("destination"), col("delay"), col("distance")));
    return flights
        .withColumn(EVENT_ID, format_string("%s-%06d", date_format(day, "yyyy-MM-dd"), rank))
        .select(
            col(EVENT_ID),
            to_json(struct(
                col(EVENT_ID),
                date_format(col("date"), TIMESTAMP_FORMAT).as("date"),
                col("delay"),
                col("distance"),
                col("origin"),
                col("destination"))).as("value"));
  }

  /** Keeps the flights whose day is within {@code [from, to]}. */
  public static Dataset<Row> filterDays(Dataset<Row> flights, LocalDate from, LocalDate to) {
    return flights.where(to_date(col("date"))
        .between(java.sql.Date.valueOf(from), java.sql.Date.valueOf(to)));
  }

  /**
   * Parses and checks Kafka records (columns value, topic, partition, offset as Spark's Kafka source
   * gives them). Returns the typed event (event_id, date, delay, distance, origin, destination),
   * {@link Quarantine#REASON} (null when valid), {@link Quarantine#RAW} (the value as text, or
   * {@code base64:...} when it is not UTF-8) and the {@link Lineage} columns.
   */
  public static Dataset<Row> parse(Dataset<Row> records, List<Expectation> expectations,
      String runId) {
    Columns.require(records, "Kafka records", KAFKA_COLUMNS);
    Column value = col("value");
    Column text = decode(value, "UTF-8");
    // Invalid bytes decode to U+FFFD, so the text no longer encodes back to the same bytes.
    Column utf8 = encode(text, "UTF-8").equalTo(value);
    Column location = concat_ws("/", col("topic"), col("partition").cast("string"),
        col("offset").cast("string"));
    Dataset<Row> decoded = Lineage.with(records, SOURCE_KIND, location, runId)
        .withColumn(Quarantine.RAW, when(value.isNull(), lit(null)).when(utf8, text)
            .otherwise(concat(lit("base64:"), base64(value))))
        .withColumn("_utf8", utf8)
        .withColumn("_json", from_json(when(utf8, text), JSON_FIELDS,
            Map.of("mode", "PERMISSIVE", "columnNameOfCorruptRecord", CORRUPT)));

    // Unreadable records get exactly one reason; field reasons only make sense for a JSON object.
    Column unreadable = when(value.isNull(), lit("value is null"))
        .when(col("_utf8").unary_$bang(), lit("value is not valid UTF-8"))
        .when(trim(text).equalTo(""), lit("value is empty"))
        .when(ltrim(text).startsWith("{").unary_$bang(), lit("value is not a JSON object"))
        .when(col("_json").isNull().or(col("_json." + CORRUPT).isNotNull()),
            lit("value is not valid JSON"));
    List<Column> fieldRules = new ArrayList<>();
    fieldRules.add(Quarantine.rule(field(EVENT_ID).isNull(), "missing event_id"));
    fieldRules.add(Quarantine.rule(trim(field(EVENT_ID)).equalTo(""), "event_id is blank"));
    for (String required : List.of("date", "delay", "distance", "origin", "destination")) {
      fieldRules.add(Quarantine.rule(field(required).isNull(), "missing " + required));
    }
    fieldRules.add(Quarantine.rule(field("date").isNotNull()
        .and(field("date").cast("timestamp_ntz").isNull()),
        concat(lit("date is not an ISO timestamp: "), field("date"))));
    for (String number : List.of("delay", "distance")) {
      fieldRules.add(Quarantine.rule(field(number).isNotNull().and(field(number).rlike(INTEGER)
          .unary_$bang()), concat(lit(number + " is not an integer: "), field(number))));
    }
    Column fieldReasons = concat_ws("; ", fieldRules.toArray(Column[]::new));

    Dataset<Row> typed = decoded
        .withColumn(DECODE_REASON, coalesce(unreadable,
            when(fieldReasons.notEqual(""), fieldReasons)))
        .select(
            field(EVENT_ID).as(EVENT_ID),
            field("date").cast("timestamp_ntz").as("date"),
            trim(field("delay")).cast("int").as("delay"),
            trim(field("distance")).cast("int").as("distance"),
            field("origin").as("origin"),
            field("destination").as("destination"),
            col(DECODE_REASON),
            col(Quarantine.RAW),
            col(Lineage.SOURCE), col(Lineage.LOCATION), col(Lineage.RUN_ID), col(Lineage.INGESTED_AT));
    // A field that was missing or mistyped is already named; the expectations judge the rest.
    return Quarantine.withReason(typed, Expectations.rules(expectations))
        .withColumn(Quarantine.REASON, coalesce(col(DECODE_REASON), col(Quarantine.REASON)))
        .drop(DECODE_REASON);
  }

  /** Bronze rows: the valid events with their lineage, partitioned by the flight's own date. */
  public static Dataset<Row> toBronze(Dataset<Row> checked) {
    return Quarantine.filterValid(checked).select(
        col(EVENT_ID),
        col("date").as("flight_ts"),
        col("delay"),
        col("distance"),
        col("origin"),
        col("destination"),
        col(Lineage.SOURCE), col(Lineage.LOCATION), col(Lineage.RUN_ID), col(Lineage.INGESTED_AT),
        to_date(col("date")).as("ds"));
  }

  /** Quarantine rows: raw record, reason and lineage, under the logical date of the run. */
  public static Dataset<Row> toQuarantine(Dataset<Row> checked, LocalDate ds) {
    return Quarantine.filterInvalid(checked).withColumn("ds", lit(java.sql.Date.valueOf(ds)));
  }

  private static Column field(String name) {
    return col("_json." + name);
  }
}
