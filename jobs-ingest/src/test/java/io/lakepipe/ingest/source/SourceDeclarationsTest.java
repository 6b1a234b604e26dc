// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.config.TestConfigs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Source declarations are read and validated without Spark: each mistake is one line naming the
 * key, the file and line that declared it, and the fix.
 */
class SourceDeclarationsTest {
  @TempDir Path dir;

  private LakepipeConfig config(String... lines) throws IOException {
    return TestConfigs.flights(
        Files.writeString(dir.resolve("sources.conf"), String.join("\n", lines)));
  }

  private String file() {
    return dir.resolve("sources.conf").toString();
  }

  /** Reading source {@code name} from a sources.conf of these lines fails with one line. */
  private AbstractThrowableAssert<?, ? extends Throwable> reading(String name, String... lines)
      throws IOException {
    LakepipeConfig config = config(lines);
    return assertThatThrownBy(() -> SourceDeclarations.files(config, name))
        .isInstanceOf(LakepipeException.class)
        .hasMessageNotContaining("\n");
  }

  /** A minimal file source of one's own, declared from line 1 of sources.conf. */
  private static String[] bookings(String... more) {
    String[] base = {
      "lakepipe.sources.bookings {",
      "  kind = files, location = /landing/bookings, format = json",
      "  schema = \"booking_id STRING, booked_at TIMESTAMP, seats INT\"",
      "  max-bad-share = 0.01, bronze-table = bronze-flights, quarantine-table = quarantine-flights",
    };
    String[] lines = new String[base.length + more.length + 1];
    System.arraycopy(base, 0, lines, 0, base.length);
    System.arraycopy(more, 0, lines, base.length, more.length);
    lines[lines.length - 1] = "}";
    return lines;
  }

  @Test
  void theFlightsSourceIsDeclaredInTheDefaults() {
    FileSource flights = SourceDeclarations.files(TestConfigs.flights(Map.of()), "flights");

    assertThat(flights.format()).isEqualTo(FileFormat.CSV);
    assertThat(flights.header()).isTrue();
    assertThat(flights.delimiter()).isEqualTo(",");
    assertThat(flights.maxLineChars()).isEqualTo(10_000);
    assertThat(flights.schema().fieldNames())
        .containsExactly("date", "delay", "distance", "origin", "destination");
    assertThat(flights.required())
        .containsExactly("date", "delay", "distance", "origin", "destination");
    assertThat(flights.key()).containsExactly("date", "delay", "distance", "origin", "destination");
    assertThat(flights.ds().sql()).isEqualTo("to_date(date)");
    assertThat(flights.ds().label()).isEqualTo("flight date");
    assertThat(flights.timeZone()).isEqualTo("UTC");
    assertThat(flights.expectations())
        .extracting(Expectation::name)
        .containsExactly(
            "origin is not a 3-character airport code",
            "destination is not a 3-character airport code",
            "origin equals destination",
            "delay outside [-180, 1800] minutes",
            "distance is not positive");
    assertThat(flights.expectations().get(3).sql()).isEqualTo("delay BETWEEN -180 AND 1800");
    assertThat(flights.expectations())
        .extracting(Expectation::action)
        .containsOnly(Expectation.Action.QUARANTINE);
    assertThat(flights.expectations().get(2).at().key())
        .isEqualTo("lakepipe.sources.flights.expectations[2].sql");
    assertThat(flights.maxBadShare()).isEqualTo(0.05);
    assertThat(flights.bronzeTable()).isEqualTo("bronze-flights");
    assertThat(flights.quarantineTable()).isEqualTo("quarantine-flights");
    assertThat(flights.bronzeColumns())
        .extracting(DerivedColumn::name)
        .containsExactly("flight_ts", "delay", "distance", "origin", "destination");
  }

  @Test
  void theDelayLimitIsWrittenOnceAndReachesTheExpectationsNameAndSql() {
    FileSource flights =
        SourceDeclarations.files(
            TestConfigs.flights(Map.of("lakepipe.sources.flights.params.delay-max-minutes", 600)),
            "flights");

    assertThat(flights.expectations().get(3).name()).isEqualTo("delay outside [-180, 600] minutes");
    assertThat(flights.expectations().get(3).sql()).isEqualTo("delay BETWEEN -180 AND 600");
  }

  @Test
  void aSourceOfOnesOwnNeedsNoMoreThanItsRequiredKeys() throws IOException {
    FileSource bookings = SourceDeclarations.files(config(bookings()), "bookings");

    assertThat(bookings.format()).isEqualTo(FileFormat.JSON);
    assertThat(bookings.required()).isEmpty();
    assertThat(bookings.key()).isEmpty();
    assertThat(bookings.expectations()).isEmpty();
    assertThat(bookings.ds()).isNull();
    assertThat(bookings.bronzeColumns())
        .extracting(DerivedColumn::name)
        .containsExactly("booking_id", "booked_at", "seats");
  }

  @Test
  void anUndeclaredSourceNamesTheDeclaredFileSources() throws IOException {
    reading("flight", "lakepipe.home = /tmp")
        .hasMessageContaining("lakepipe.sources.flight")
        .hasMessageContaining("no source 'flight' is declared")
        .hasMessageContaining(
            "Pass --source with a declared source of kind files (flights, prediction-log-flights)");
  }

  @Test
  void anUnknownKindIsRefused() throws IOException {
    reading("flights", "lakepipe.sources.flights.kind = ftp")
        .hasMessageContaining("lakepipe.sources.flights.kind (" + file() + ":1)")
        .hasMessageContaining("unknown kind 'ftp'")
        .hasMessageContaining("Use one of files, jdbc, kafka");
  }

  @Test
  void aSourceOfAnotherKindIsNotAFileSource() throws IOException {
    reading("airports", "lakepipe.home = /tmp")
        .hasMessageContaining("lakepipe.sources.airports.kind")
        .hasMessageContaining(
            "source 'airports' is of kind jdbc, which ingest-files does not read");
  }

  @Test
  void aMissingKeyIsNamed() throws IOException {
    reading("bookings", "lakepipe.sources.bookings { kind = files, location = /x, format = csv }")
        .hasMessageContaining("lakepipe.sources.bookings.schema")
        .hasMessageContaining("the key is missing")
        .hasMessageContaining("A source of kind files needs kind, location, format, schema");
  }

  @Test
  void anUnknownKeyIsNamedWithItsLine() throws IOException {
    reading("flights", "lakepipe.home = /tmp", "lakepipe.sources.flights.csv.delimter = \";\"")
        .hasMessageContaining("lakepipe.sources.flights.csv.delimter (" + file() + ":2)")
        .hasMessageContaining("unknown key 'delimter'")
        .hasMessageContaining("The csv options are header and delimiter");
  }

  @Test
  void aTableThatIsNotDeclaredIsRefused() throws IOException {
    reading("flights", "lakepipe.sources.flights.bronze-table = bronze-flightz")
        .hasMessageContaining("lakepipe.sources.flights.bronze-table")
        .hasMessageContaining("'bronze-flightz' is not declared in lakepipe.tables")
        .hasMessageContaining("Declare lakepipe.tables.bronze-flightz = <path or URI>");
  }

  @Test
  void anExpectationWhoseSqlDoesNotParseIsNamedByItsIndex() throws IOException {
    reading(
            "flights",
            "lakepipe.sources.flights.expectations = [",
            "  { name = a, sql = \"origin RLIKE '^[A-Z]{3}$'\" }",
            "  { name = b, sql = \"delay > 0\" }",
            "  { name = c, sql = \"origin <> \" }",
            "]")
        .hasMessageContaining(
            "Source declaration lakepipe.sources.flights.expectations[2].sql ("
                + file()
                + ":4) is invalid")
        .hasMessageContaining("'origin <> ' does not parse as Spark SQL")
        .hasMessageContaining("Write one boolean Spark SQL expression over the row's columns");
  }

  @Test
  void anExpressionNamingAColumnOutsideTheSchemaIsRefused() throws IOException {
    reading(
            "flights",
            "lakepipe.sources.flights.expectations = [{ name = x, sql = \"dest <> origin\" }]")
        .hasMessageContaining("lakepipe.sources.flights.expectations[0].sql")
        .hasMessageContaining("names the column 'dest', which is not in the schema")
        .hasMessageContaining("date, delay, distance, origin, destination");
  }

  @Test
  void lambdaVariablesAndStructFieldsAreNotMistakenForColumns() throws IOException {
    FileSource flights =
        SourceDeclarations.files(
            config(
                "lakepipe.sources.flights.expectations = [",
                "  { name = x, sql = \"NOT exists(array(origin, destination), code -> code = 'XXX')\" }",
                "  { name = y, sql = \"named_struct('o', origin).o IS NOT NULL\" }",
                "]"),
            "flights");

    assertThat(flights.expectations()).hasSize(2);
  }

  @Test
  void aSchemaThatDoesNotParseIsRefused() throws IOException {
    reading("flights", "lakepipe.sources.flights.schema = \"date TIMESTAMP, delay INTEGR\"")
        .hasMessageContaining("lakepipe.sources.flights.schema")
        .hasMessageContaining("does not parse as a Spark DDL schema")
        .hasMessageContaining("Write the columns as \"name TYPE, ...\"");
  }

  @Test
  void aRequiredColumnOutsideTheSchemaIsRefused() throws IOException {
    reading("flights", "lakepipe.sources.flights.required = [date, dest]")
        .hasMessageContaining("lakepipe.sources.flights.required")
        .hasMessageContaining("the column 'dest' is not in the schema");
  }

  @Test
  void aKeyColumnOutsideTheSchemaIsRefused() throws IOException {
    reading("flights", "lakepipe.sources.flights.key = [flight_number]")
        .hasMessageContaining("lakepipe.sources.flights.key")
        .hasMessageContaining("the column 'flight_number' is not in the schema");
  }

  @Test
  void notNullInTheSchemaPointsToRequired() throws IOException {
    reading("bookings", bookings("  schema = \"booking_id STRING NOT NULL\""))
        .hasMessageContaining("the column booking_id is declared NOT NULL")
        .hasMessageContaining("list the column in required instead");
  }

  @Test
  void anUnknownFormatActionOrTimeZoneIsRefused() throws IOException {
    reading("flights", "lakepipe.sources.flights.format = xml")
        .hasMessageContaining("lakepipe.sources.flights.format")
        .hasMessageContaining("Use one of csv, json, parquet");
    reading(
            "flights",
            "lakepipe.sources.flights.expectations = [{ name = x, sql = \"delay > 0\","
                + " action = drop }]")
        .hasMessageContaining("lakepipe.sources.flights.expectations[0].action")
        .hasMessageContaining("unknown action 'drop'");
    reading("flights", "lakepipe.sources.flights.time-zone = \"Mars/Olympus\"")
        .hasMessageContaining("lakepipe.sources.flights.time-zone")
        .hasMessageContaining("'Mars/Olympus' is no time zone");
  }

  @Test
  void twoExpectationsOfOneNameWouldGiveOneReasonForTwoRules() throws IOException {
    reading(
            "flights",
            "lakepipe.sources.flights.expectations = [{ name = x, sql = \"delay > 0\" },"
                + " { name = x, sql = \"distance > 0\" }]")
        .hasMessageContaining("lakepipe.sources.flights.expectations[1].name")
        .hasMessageContaining("another expectation has the name 'x'");
  }

  @Test
  void bronzeColumnsMayNotTakeTheLineageNames() throws IOException {
    reading(
            "flights",
            "lakepipe.sources.flights.bronze-columns = [{ name = ds, sql = \"to_date(date)\" }]")
        .hasMessageContaining("lakepipe.sources.flights.bronze-columns[0].name")
        .hasMessageContaining("the ingest adds ds itself");
  }

  @Test
  void theQuarantineNeedsATableOfItsOwn() throws IOException {
    reading("flights", "lakepipe.sources.flights.quarantine-table = bronze-flights")
        .hasMessageContaining("lakepipe.sources.flights.quarantine-table")
        .hasMessageContaining("it is also the bronze table");
  }

  @Test
  void theAirportsSourceIsDeclaredInTheDefaults() {
    JdbcSource airports = SourceDeclarations.jdbc(TestConfigs.flights(Map.of()), "airports");

    assertThat(airports.schema().fieldNames())
        .containsExactly(
            "airport_id",
            "iata",
            "name",
            "city",
            "state",
            "country",
            "latitude",
            "longitude",
            "updated_at");
    assertThat(airports.required())
        .containsExactly("iata", "name", "country", "latitude", "longitude", "updated_at");
    assertThat(airports.watermark()).isEqualTo("updated_at");
    assertThat(airports.key()).containsExactly("iata", "updated_at");
    assertThat(airports.expectations())
        .extracting(Expectation::name)
        .containsExactly(
            "iata is not a 3-character code of A-Z and 0-9",
            "latitude outside [-90, 90]",
            "longitude outside [-180, 180]");
    assertThat(airports.ds()).isNull();
    assertThat(airports.maxBadShare()).isEqualTo(0.05);
    assertThat(airports.bronzeTable()).isEqualTo("bronze-airports");
    assertThat(airports.quarantineTable()).isEqualTo("quarantine-airports");
    assertThat(airports.section()).isEqualTo("sources.airports");
  }

  @Test
  void aJdbcSourceNeedsATimestampWatermarkInItsKey() throws IOException {
    LakepipeConfig noWatermarkInKey = config("lakepipe.sources.airports.key = [iata]");
    assertThatThrownBy(() -> SourceDeclarations.jdbc(noWatermarkInKey, "airports"))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("lakepipe.sources.airports.key")
        .hasMessageContaining("the key [iata] lacks the watermark column updated_at")
        .hasMessageContaining("add updated_at to the key");
    LakepipeConfig textWatermark = config("lakepipe.sources.airports.watermark-column = name");
    assertThatThrownBy(() -> SourceDeclarations.jdbc(textWatermark, "airports"))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("lakepipe.sources.airports.watermark-column")
        .hasMessageContaining("the column name is of type string in the schema");
    LakepipeConfig unknownWatermark =
        config("lakepipe.sources.airports.watermark-column = changed");
    assertThatThrownBy(() -> SourceDeclarations.jdbc(unknownWatermark, "airports"))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("the column 'changed' is not in the schema");
  }

  @Test
  void eachJobReadsOnlyItsOwnKindOfSource() throws IOException {
    LakepipeConfig config = config("lakepipe.home = /tmp");
    assertThatThrownBy(() -> SourceDeclarations.jdbc(config, "flights"))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("source 'flights' is of kind files, which ingest-jdbc does not read")
        .hasMessageContaining("Pass --source with a source of kind jdbc (airports)");
    reading("airports", "lakepipe.home = /tmp")
        .hasMessageContaining(
            "source 'airports' is of kind jdbc, which ingest-files does not read");
  }

  @Test
  void theFlightEventsSourceReadsEverythingOnTheLocalBrokerWithTheFlightRules() {
    KafkaSource events =
        SourceDeclarations.kafka(
            TestConfigs.flights(
                Map.of(
                    "lakepipe.lakehouse", "/lake",
                    "lakepipe.sources.flight-events.bootstrap-servers", "broker:9092")),
            "flight-events");

    assertThat(events.trigger()).isEqualTo(KafkaSource.Trigger.AVAILABLE_NOW);
    assertThat(events.startingOffsets()).isEqualTo("earliest");
    assertThat(events.failOnDataLoss()).isTrue();
    assertThat(events.checkpoint()).isEqualTo("/lake/_checkpoints/ingest-flight-events");
    assertThat(events.location()).isEqualTo("kafka://broker:9092/lakepipe.flight-events");
    assertThat(events.maxBadShare()).isEqualTo(0.05);
    assertThat(events.maxBadShareKey()).isEqualTo("sources.flight-events.max-bad-share");
    assertThat(events.key()).containsExactly("event_id");
    assertThat(events.repeatKey()).isEmpty();
    assertThat(events.eventDate().sql()).isEqualTo("to_date(date)");
    assertThat(events.ds()).isNull();
    assertThat(events.expectations())
        .extracting(Expectation::sql)
        .containsExactly(
            "origin RLIKE '^[A-Z0-9]{3}$'",
            "destination RLIKE '^[A-Z0-9]{3}$'",
            "origin <> destination",
            "delay BETWEEN -180 AND 1800",
            "distance > 0");
    assertThat(events.bronzeColumns())
        .extracting(DerivedColumn::name)
        .containsExactly("event_id", "flight_ts", "delay", "distance", "origin", "destination");
  }

  @Test
  void aKafkaSourceTakesAContinuousTriggerButNoOtherAndNoFailingExpectation() throws IOException {
    KafkaSource continuous =
        SourceDeclarations.kafka(
            config(
                "lakepipe.sources.flight-events.trigger = continuous",
                "lakepipe.sources.flight-events.trigger-interval = \"30 seconds\""),
            "flight-events");
    assertThat(continuous.trigger()).isEqualTo(KafkaSource.Trigger.CONTINUOUS);
    assertThat(continuous.triggerInterval()).isEqualTo("30 seconds");

    LakepipeConfig once = config("lakepipe.sources.flight-events.trigger = once");
    assertThatThrownBy(() -> SourceDeclarations.kafka(once, "flight-events"))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("lakepipe.sources.flight-events.trigger")
        .hasMessageContaining("unknown trigger 'once'");
    LakepipeConfig failing =
        config(
            "lakepipe.sources.flight-events.expectations ="
                + " [{ name = x, sql = \"delay > 0\", action = fail }]");
    assertThatThrownBy(() -> SourceDeclarations.kafka(failing, "flight-events"))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("lakepipe.sources.flight-events.expectations[0].action")
        .hasMessageContaining(
            "Use action = quarantine, and" + " lakepipe.sources.flight-events.max-bad-share");
    LakepipeConfig unknownField =
        config(
            "lakepipe.sources.flight-events.expectations ="
                + " [{ name = x, sql = \"carrier <> 'XX'\" }]");
    assertThatThrownBy(() -> SourceDeclarations.kafka(unknownField, "flight-events"))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("names the column 'carrier', which is not in the schema");
  }
}
