// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.files;

import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.config.TestConfigs;
import io.lakepipe.ingest.Lineage;
import io.lakepipe.ingest.Quarantine;
import io.lakepipe.ingest.source.FileSource;
import io.lakepipe.ingest.source.SourceDeclarations;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The declared checks of landed records, and the bronze rows they leave, without I/O. */
class LandedRecordsTest extends SparkTestBase {
  static final LocalDate DS = LocalDate.parse("2001-01-15");
  static final StructType LINES = new StructType().add(Quarantine.RAW, DataTypes.StringType);

  static final FileSource FLIGHTS =
      SourceDeclarations.files(TestConfigs.flights(Map.of()), "flights");

  /** A source of bookings: one required column, one optional, a key, and a failing expectation. */
  static FileSource bookings(Map<String, Object> more) {
    Map<String, Object> declaration =
        new HashMap<>(
            Map.of(
                "lakepipe.sources.bookings.kind", "files",
                "lakepipe.sources.bookings.location", "/landing/bookings",
                "lakepipe.sources.bookings.format", "csv",
                "lakepipe.sources.bookings.schema", "booking_id STRING, seats INT",
                "lakepipe.sources.bookings.required", List.of("booking_id"),
                "lakepipe.sources.bookings.key", List.of("booking_id"),
                "lakepipe.sources.bookings.max-bad-share", 1.0,
                "lakepipe.sources.bookings.bronze-table", "bronze-flights",
                "lakepipe.sources.bookings.quarantine-table", "quarantine-flights"));
    declaration.put(
        "lakepipe.sources.bookings.expectations",
        List.of(
            Map.of("name", "seats is not positive", "sql", "seats > 0"),
            Map.of(
                "name",
                "booking of the test system",
                "sql",
                "booking_id NOT LIKE 'TEST%'",
                "action",
                "fail")));
    declaration.putAll(more);
    return SourceDeclarations.files(TestConfigs.flights(declaration), "bookings");
  }

  /** CSV lines of one landed file each, parsed as the source declares. */
  private static Dataset<Row> checked(FileSource source, String[]... files) {
    Dataset<Row> lines = null;
    for (int i = 0; i < files.length; i++) {
      Dataset<Row> file =
          Lineage.with(
              rows(
                  LINES,
                  Arrays.stream(files[i]).map(l -> new Object[] {l}).toArray(Object[][]::new)),
              "file",
              lit("/landing/ds=2001-01-15/part-" + i + ".csv"),
              "run-1");
      lines = lines == null ? file : lines.unionByName(file);
    }
    RecordParsing parsing =
        new RecordParsing(
            source.schema(), source.required(), source.maxLineChars(), source.delimiter());
    return LandedRecords.check(parsing.csv(lines), DS, source);
  }

  /** Reason per record and file; copies of a record in one file have theirs sorted, "|"-joined. */
  private static Map<String, String> reasons(Dataset<Row> checked) {
    return checked.collectAsList().stream()
        .collect(
            Collectors.toMap(
                r ->
                    r.<String>getAs(Quarantine.RAW)
                        + " @"
                        + r.<String>getAs(Lineage.LOCATION).replaceAll(".*/", ""),
                r -> String.valueOf(r.<String>getAs(Quarantine.REASON)),
                (a, b) -> Stream.of(a, b).sorted().collect(Collectors.joining(" | "))));
  }

  @Test
  void eachDeclaredFlightRuleNamesItsBreachInDeclaredOrder() {
    Map<String, String> reasons =
        reasons(
            checked(
                FLIGHTS,
                new String[] {
                  "2001-01-15 08:30:00,33,2176,LAS,PHL",
                  "2001-01-15 08:30:00,5,300,atlanta,SAV",
                  "2001-01-15 08:30:00,5,300,SAV,sav",
                  "2001-01-15 08:30:00,5,300,SAV,SAV",
                  "2001-01-15 08:30:00,-1116,300,ATL,SAV",
                  "2001-01-15 08:30:00,6,0,ORD,SFO",
                  "2001-01-14 23:59:00,7,300,JFK,BOS",
                  "2001-01-15 08:30:00,5000,-3,??,BOS",
                  "2001-01-15 08:30:00,,0,??,BOS"
                }));

    assertThat(reasons)
        .containsOnly(
            Map.entry("2001-01-15 08:30:00,33,2176,LAS,PHL @part-0.csv", "null"),
            Map.entry(
                "2001-01-15 08:30:00,5,300,atlanta,SAV @part-0.csv",
                "origin is not a 3-character airport code"),
            Map.entry(
                "2001-01-15 08:30:00,5,300,SAV,sav @part-0.csv",
                "destination is not a 3-character airport code"),
            Map.entry("2001-01-15 08:30:00,5,300,SAV,SAV @part-0.csv", "origin equals destination"),
            Map.entry(
                "2001-01-15 08:30:00,-1116,300,ATL,SAV @part-0.csv",
                "delay outside [-180, 1800] minutes"),
            Map.entry("2001-01-15 08:30:00,6,0,ORD,SFO @part-0.csv", "distance is not positive"),
            Map.entry(
                "2001-01-14 23:59:00,7,300,JFK,BOS @part-0.csv",
                "flight date 2001-01-14 is outside the landing folder's ds 2001-01-15"),
            Map.entry(
                "2001-01-15 08:30:00,5000,-3,??,BOS @part-0.csv",
                "origin is not a 3-character airport code; delay outside [-180, 1800] minutes;"
                    + " distance is not positive"),
            // A record that did not parse is judged by its parsing alone.
            Map.entry("2001-01-15 08:30:00,,0,??,BOS @part-0.csv", "missing delay"));
  }

  @Test
  void aRecordRepeatedInALaterFileIsTheDuplicate() {
    String flight = "2001-01-15 08:30:00,33,2176,LAS,PHL";
    Map<String, String> reasons =
        reasons(checked(FLIGHTS, new String[] {flight}, new String[] {flight, flight}));

    assertThat(reasons)
        .containsOnly(
            Map.entry(flight + " @part-0.csv", "null"),
            Map.entry(
                flight + " @part-1.csv",
                "duplicate of an identical record | duplicate of an identical record"));
  }

  @Test
  void ofTheRecordsSharingAKeyTheFirstValidOneGoesToBronze() {
    Map<String, String> reasons =
        reasons(
            checked(
                bookings(Map.of()), new String[] {"B1,0"}, new String[] {"B1,2", "B2,3", "B2,3"}));

    assertThat(reasons)
        .containsOnly(
            Map.entry(
                "B1,0 @part-0.csv",
                "seats is not positive; duplicate of the key (booking_id) of another record"),
            Map.entry("B1,2 @part-1.csv", "null"),
            Map.entry(
                "B2,3 @part-1.csv", "duplicate of the key (booking_id) of another record | null"));
  }

  @Test
  void anEmptyOptionalColumnIsNullAndBreaksNoExpectation() {
    Dataset<Row> checked = checked(bookings(Map.of()), new String[] {"B1,", "B2, "});

    assertThat(reasons(checked))
        .containsOnly(Map.entry("B1, @part-0.csv", "null"), Map.entry("B2,  @part-0.csv", "null"));
    assertThat(LandedRecords.bronze(checked, bookings(Map.of())).collectAsList())
        .extracting(r -> r.getAs("seats"))
        .containsOnly((Object) null);
  }

  @Test
  void aBreachOfAFailExpectationIsQuarantinedAndMarked() {
    Dataset<Row> checked = checked(bookings(Map.of()), new String[] {"TEST-1,2", "B1,2", "B2,0"});

    assertThat(
            checked.collectAsList().stream()
                .collect(
                    Collectors.toMap(
                        r -> r.<String>getAs(Quarantine.RAW),
                        r -> String.valueOf(r.<String>getAs(LandedRecords.FAILED)))))
        .containsOnly(
            Map.entry("TEST-1,2", "booking of the test system"),
            Map.entry("B1,2", "null"),
            Map.entry("B2,0", "null"));
    assertThat(reasons(checked))
        .containsEntry("TEST-1,2 @part-0.csv", "booking of the test system");
  }

  @Test
  void bronzeHasTheDeclaredColumnsThenTheLineage() {
    Dataset<Row> bronze =
        LandedRecords.bronze(
            checked(
                FLIGHTS,
                new String[] {
                  "2001-01-15 08:30:00,33,2176,LAS,PHL", "2001-01-15 08:30:00,5,300,SAV,SAV"
                }),
            FLIGHTS);

    assertThat(bronze.columns())
        .containsExactly(
            "flight_ts",
            "delay",
            "distance",
            "origin",
            "destination",
            "_source",
            "_source_location",
            "_run_id",
            "_ingested_at");
    assertThat(bronze.schema().apply("flight_ts").dataType()).isEqualTo(DataTypes.TimestampNTZType);
    Row row = bronze.head();
    assertThat(row.<Integer>getAs("delay")).isEqualTo(33);
    assertThat(row.<Object>getAs("flight_ts")).hasToString("2001-01-15T08:30");
    assertThat(bronze.count()).isEqualTo(1);
  }
}
