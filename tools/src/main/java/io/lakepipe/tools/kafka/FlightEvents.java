// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.tools.kafka;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.to_json;

import io.lakepipe.core.spark.Columns;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * The flight events the demo publishes to Kafka, as the upstream system would: a JSON object keyed
 * by its {@code event_id}, read back by the ingest-kafka job as the declared source {@code
 * flight-events}:
 *
 * <pre>{"event_id":"2001-01-15-000042","date":"2001-01-15T08:30:00","delay":33,"distance":2176,
 * "origin":"LAS","destination":"PHL"}</pre>
 *
 * <p>Pure transformations, no I/O.
 */
public final class FlightEvents {
  public static final String EVENT_ID = "event_id";

  /** The declared Kafka source whose topic the demo publishes to. */
  public static final String SOURCE = "flight-events";

  private static final String TIMESTAMP_FORMAT = "yyyy-MM-dd'T'HH:mm:ss";

  private FlightEvents() {}

  /**
   * Turns raw flights (date, delay, distance, origin, destination) into events: {@code event_id}
   * and the JSON {@code value}. The id is the flight's day and its rank within the day by all of
   * its fields, so replaying the same days always yields the same ids.
   */
  public static Dataset<Row> fromFlights(Dataset<Row> flights) {
    Columns.require(
        flights, "flights input", List.of("date", "delay", "distance", "origin", "destination"));
    Column day = to_date(col("date"));
    Column rank =
        row_number()
            .over(
                Window.partitionBy(day)
                    .orderBy(
                        col("date"),
                        col("origin"),
                        col("destination"),
                        col("delay"),
                        col("distance")));
    return flights
        .withColumn(EVENT_ID, format_string("%s-%06d", date_format(day, "yyyy-MM-dd"), rank))
        .select(
            col(EVENT_ID),
            to_json(
                    struct(
                        col(EVENT_ID),
                        date_format(col("date"), TIMESTAMP_FORMAT).as("date"),
                        col("delay"),
                        col("distance"),
                        col("origin"),
                        col("destination")))
                .as("value"));
  }

  /** Keeps the flights whose day is within {@code [from, to]}. */
  public static Dataset<Row> filterDays(Dataset<Row> flights, LocalDate from, LocalDate to) {
    return flights.where(
        to_date(col("date")).between(java.sql.Date.valueOf(from), java.sql.Date.valueOf(to)));
  }
}
