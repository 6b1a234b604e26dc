// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.SparkTestBase;
import io.lakepipe.ingest.Lineage;
import io.lakepipe.ingest.Quarantine;
import io.lakepipe.ingest.files.LandedRecords;
import io.lakepipe.ingest.source.JdbcSource;
import io.lakepipe.ingest.source.SourceDeclarations;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The declared checks of the airports source on rows as a database hands them over; no I/O. */
class IngestJdbcTest extends SparkTestBase {
  /** As a careless source may hold it: everything as text. */
  static final StructType TEXT =
      new StructType()
          .add("airport_id", DataTypes.IntegerType)
          .add("iata", DataTypes.StringType)
          .add("name", DataTypes.StringType)
          .add("city", DataTypes.StringType)
          .add("state", DataTypes.StringType)
          .add("country", DataTypes.StringType)
          .add("latitude", DataTypes.StringType)
          .add("longitude", DataTypes.StringType)
          .add("updated_at", DataTypes.StringType)
          .add("remarks", DataTypes.StringType);

  /** As reference.airports holds it. */
  static final StructType TYPED =
      new StructType()
          .add("airport_id", DataTypes.IntegerType)
          .add("iata", DataTypes.StringType)
          .add("name", DataTypes.StringType)
          .add("city", DataTypes.StringType)
          .add("state", DataTypes.StringType)
          .add("country", DataTypes.StringType)
          .add("latitude", DataTypes.DoubleType)
          .add("longitude", DataTypes.DoubleType)
          .add("updated_at", DataTypes.TimestampType);

  static final String T0 = "2000-12-31 00:00:00";
  static final LocalDate DS = LocalDate.of(2001, 1, 1);

  @TempDir Path home;
  JdbcSource airports;

  @BeforeEach
  void declaration() {
    airports = SourceDeclarations.jdbc(testConfig(home, Map.of()), "airports");
  }

  private static Object[] text(
      int id, String iata, String name, String country, String lat, String lon, String updatedAt) {
    return new Object[] {id, iata, name, "City", "ST", country, lat, lon, updatedAt, null};
  }

  private Dataset<Row> check(Dataset<Row> read) {
    return IngestJdbc.check(read, airports, DS, "jdbc:postgresql://h:1/db/s.t", "run-7");
  }

  private Map<Integer, String> reasonsById(Dataset<Row> read) {
    return check(read).collectAsList().stream()
        .collect(
            Collectors.toMap(
                r -> r.<Integer>getAs("airport_id"),
                r -> String.valueOf(r.<String>getAs(Quarantine.REASON))));
  }

  @Test
  void aValidRowHasNoReasonAndComesOutTypedAsDeclared() {
    Row row =
        check(rows(TEXT, text(1, "ATL", "Hartsfield", "USA", "33.64044444", "-84.42694444", T0)))
            .head();

    assertThat(row.<String>getAs(Quarantine.REASON)).isNull();
    assertThat(row.<Double>getAs("latitude")).isEqualTo(33.64044444);
    assertThat(row.<Double>getAs("longitude")).isEqualTo(-84.42694444);
    assertThat(row.<Timestamp>getAs("updated_at")).isEqualTo(Timestamp.valueOf(T0));
  }

  @Test
  void eachBrokenRuleIsNamedAndATypeErrorQuotesTheValue() {
    Dataset<Row> read =
        rows(
            TEXT,
            text(1, null, "No code", "USA", "10", "10", T0),
            text(2, "atl", "Lower case", "USA", "10", "10", T0),
            text(3, "11IS", "Heliport", "USA", "10", "10", T0),
            text(4, "AAA", null, "USA", "10", "10", T0),
            text(5, "BBB", "  ", "USA", "10", "10", T0),
            text(6, "CCC", "Bad lat", "USA", "91.5", "10", T0),
            text(7, "DDD", "Bad lon", "USA", "10", "-180.01", T0),
            text(8, "EEE", "Not a number", "USA", "north", "10", T0),
            text(9, "FFF", "No lon", "USA", "10", null, T0),
            text(10, "GGG", "No time", "USA", "10", "10", null),
            text(11, "HHH", "Bad time", "USA", "10", "10", "yesterday"),
            text(12, "III", "No country", null, "10", "10", T0),
            text(13, "JJJ", "NaN", "USA", "NaN", "10", T0),
            text(14, "KKK", "No city is fine", "USA", "10", "10", T0));

    assertThat(reasonsById(read))
        .containsExactlyInAnyOrderEntriesOf(
            Map.ofEntries(
                Map.entry(1, "missing iata"),
                Map.entry(2, "iata is not a 3-character code of A-Z and 0-9"),
                Map.entry(3, "iata is not a 3-character code of A-Z and 0-9"),
                Map.entry(4, "missing name"),
                Map.entry(5, "missing name"),
                Map.entry(6, "latitude outside [-90, 90]"),
                Map.entry(7, "longitude outside [-180, 180]"),
                Map.entry(8, "latitude is not a number: 'north'"),
                Map.entry(9, "missing longitude"),
                Map.entry(10, "missing updated_at"),
                Map.entry(11, "updated_at is not a timestamp: 'yesterday'"),
                Map.entry(12, "missing country"),
                Map.entry(13, "latitude outside [-90, 90]"),
                Map.entry(14, "null")));
  }

  @Test
  void boundariesOfTheRangesAreValid() {
    Dataset<Row> read =
        rows(
            TYPED,
            new Object[] {1, "AAA", "N", "C", "S", "USA", 90.0, 180.0, Timestamp.valueOf(T0)},
            new Object[] {2, "BBB", "N", "C", "S", "USA", -90.0, -180.0, Timestamp.valueOf(T0)});

    assertThat(reasonsById(read)).containsOnly(Map.entry(1, "null"), Map.entry(2, "null"));
  }

  @Test
  void ofARepeatedKeyOneCopyIsKeptAndTheOthersQuarantinedButLaterVersionsAreValid() {
    Dataset<Row> read =
        rows(
            TEXT,
            text(1, "ATL", "First", "USA", "10", "10", T0),
            text(2, "ATL", "Second", "USA", "10", "10", T0),
            text(3, "ATL", "Later version", "USA", "10", "10", "2001-01-10 12:00:00"),
            text(4, null, "No code", "USA", "10", "10", T0),
            text(5, null, "No code either", "USA", "10", "10", T0));

    assertThat(reasonsById(read))
        .containsOnly(
            Map.entry(1, "null"),
            Map.entry(2, "duplicate of the key (iata, updated_at) of another record"),
            Map.entry(3, "null"),
            Map.entry(4, "missing iata"),
            Map.entry(5, "missing iata"));
  }

  @Test
  void aRowBreakingSeveralExpectationsListsThemAll() {
    Dataset<Row> read = rows(TEXT, text(1, "toolong", "N", "USA", "-95", "200", T0));

    assertThat(reasonsById(read).get(1))
        .isEqualTo(
            "iata is not a 3-character code of A-Z and 0-9;"
                + " latitude outside [-90, 90]; longitude outside [-180, 180]");
  }

  @Test
  void bronzeHasTheDeclaredColumnsAndQuarantineTheWholeRawRowWithoutLosingARow() {
    Dataset<Row> checked =
        check(
            rows(
                TEXT,
                text(1, "AAA", "Good", "USA", "10", "10", T0),
                text(2, "BBB", "Bad", "USA", "95", "10", T0),
                text(3, "CCC", "Good too", "USA", "-10", "-10", T0)));

    List<Row> valid = LandedRecords.bronze(checked, airports).collectAsList();
    List<Row> quarantined = Quarantine.filterInvalid(checked, airports.watermark()).collectAsList();

    assertThat(valid).hasSize(2);
    assertThat(valid.get(0).schema().fieldNames())
        .containsExactly(
            "airport_id",
            "iata",
            "name",
            "city",
            "state",
            "country",
            "latitude",
            "longitude",
            "updated_at",
            Lineage.SOURCE,
            Lineage.LOCATION,
            Lineage.RUN_ID,
            Lineage.INGESTED_AT);
    assertThat(valid.get(0).schema().apply("latitude").dataType()).isEqualTo(DataTypes.DoubleType);
    assertThat(quarantined).hasSize(1);
    Row bad = quarantined.get(0);
    assertThat(bad.<String>getAs(Quarantine.RAW))
        .contains("\"iata\":\"BBB\"")
        .contains("\"latitude\":\"95\"")
        .contains("\"airport_id\":2");
    assertThat(bad.<String>getAs("reason")).isEqualTo("latitude outside [-90, 90]");
    assertThat(bad.<Timestamp>getAs("updated_at")).isEqualTo(Timestamp.valueOf(T0));
    assertThat(bad.<String>getAs(Lineage.LOCATION)).isEqualTo("jdbc:postgresql://h:1/db/s.t");
    assertThat(bad.<String>getAs(Lineage.RUN_ID)).isEqualTo("run-7");
  }

  @Test
  void aDeclaredColumnTheTableLacksIsAnError() {
    Dataset<Row> read = rows(TEXT, text(1, "AAA", "N", "USA", "1", "1", T0)).drop("longitude");

    assertThatThrownBy(() -> check(read)).hasMessageContaining("[longitude]");
  }
}
