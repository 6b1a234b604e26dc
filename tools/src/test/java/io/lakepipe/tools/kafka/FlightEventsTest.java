// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.tools.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.config.TestConfigs;
import io.lakepipe.ingest.kafka.KafkaRecords;
import io.lakepipe.ingest.source.KafkaSource;
import io.lakepipe.ingest.source.SourceDeclarations;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The demo's flight events, read back by the ingest's own checks; no I/O. */
class FlightEventsTest extends SparkTestBase {
  /** The columns Spark's Kafka source gives (without headers). */
  private static final StructType KAFKA =
      new StructType()
          .add("key", DataTypes.BinaryType)
          .add("value", DataTypes.BinaryType)
          .add("topic", DataTypes.StringType)
          .add("partition", DataTypes.IntegerType)
          .add("offset", DataTypes.LongType)
          .add("timestamp", DataTypes.TimestampType)
          .add("timestampType", DataTypes.IntegerType);

  private static final StructType FLIGHTS =
      new StructType()
          .add("date", DataTypes.TimestampType)
          .add("delay", DataTypes.LongType)
          .add("distance", DataTypes.LongType)
          .add("origin", DataTypes.StringType)
          .add("destination", DataTypes.StringType);

  /** The source as the defaults declare it. */
  private static final KafkaSource SOURCE =
      SourceDeclarations.kafka(TestConfigs.flights(Map.of()), FlightEvents.SOURCE);

  /** The event values as records of the topic, one offset each. */
  private static Dataset<Row> asKafkaRecords(List<Row> events) {
    Object[][] records = new Object[events.size()][];
    for (int i = 0; i < events.size(); i++) {
      records[i] =
          new Object[] {
            null,
            events.get(i).getString(1).getBytes(StandardCharsets.UTF_8),
            "flights",
            i % 2,
            (long) i,
            Timestamp.valueOf("2001-01-15 09:00:00"),
            0
          };
    }
    return rows(KAFKA, records);
  }

  @Test
  void flightsBecomeEventsWithStableIdsThatParseBackToTheSameFlight() {
    Dataset<Row> flights =
        rows(
            FLIGHTS,
            new Object[] {Timestamp.valueOf("2001-01-15 08:30:00"), 33L, 2176L, "LAS", "PHL"},
            new Object[] {Timestamp.valueOf("2001-01-15 06:00:00"), -5L, 300L, "ATL", "SAV"},
            new Object[] {Timestamp.valueOf("2001-01-16 00:10:00"), 0L, 500L, "ORD", "SFO"});

    List<Row> events = FlightEvents.fromFlights(flights).orderBy("event_id").collectAsList();
    List<Row> again =
        FlightEvents.fromFlights(flights.orderBy("origin")).orderBy("event_id").collectAsList();
    List<Row> parsed =
        KafkaRecords.toBronze(
                KafkaRecords.check(asKafkaRecords(events), SOURCE, LocalDate.of(2001, 2, 1), "r"),
                SOURCE)
            .orderBy("event_id")
            .collectAsList();

    assertThat(events)
        .extracting(r -> r.getString(0))
        .containsExactly("2001-01-15-000001", "2001-01-15-000002", "2001-01-16-000001");
    assertThat(again).isEqualTo(events);
    assertThat(events.get(1).getString(1))
        .isEqualTo(
            "{\"event_id\":\"2001-01-15-000002\","
                + "\"date\":\"2001-01-15T08:30:00\",\"delay\":33,\"distance\":2176,\"origin\":\"LAS\","
                + "\"destination\":\"PHL\"}");
    assertThat(parsed)
        .extracting(
            r ->
                Arrays.asList(r.get(0), r.get(1).toString(), r.get(2), r.get(3), r.get(4), r.get(5))
                    .toString())
        .containsExactly(
            "[2001-01-15-000001, 2001-01-15T06:00, -5, 300, ATL, SAV]",
            "[2001-01-15-000002, 2001-01-15T08:30, 33, 2176, LAS, PHL]",
            "[2001-01-16-000001, 2001-01-16T00:10, 0, 500, ORD, SFO]");
  }
}
