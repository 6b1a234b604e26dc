package io.lakepipe.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.SparkTestBase;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class FlightValidationTest extends SparkTestBase {
  static final StructType RAW = new StructType()
      .add("date", DataTypes.TimestampType)
      .add("delay", DataTypes.LongType)
      .add("distance", DataTypes.LongType)
      .add("origin", DataTypes.StringType)
      .add("destination", DataTypes.StringType);
  static final Timestamp T = Timestamp.valueOf("2001-01-15 08:30:00");
  final FlightValidation validation = new FlightValidation(-180, 1800);

  private Map<String, String> reasonsByOrigin(Dataset<Row> raw) {
    return validation.withQuarantineReason(raw).collectAsList().stream().collect(Collectors.toMap(
        r -> String.valueOf(r.<String>getAs("origin")) + "/" + r.<Long>getAs("delay"),
        r -> String.valueOf(r.<String>getAs(FlightValidation.REASON))));
  }

  @Test
  void validFlightHasNoReason() {
    Dataset<Row> raw = rows(RAW, new Object[] {T, 33L, 2176L, "LAS", "PHL"});

    assertThat(reasonsByOrigin(raw)).containsExactly(Map.entry("LAS/33", "null"));
  }

  @Test
  void eachBrokenRuleIsNamed() {
    Dataset<Row> raw = rows(RAW,
        new Object[] {T, -1116L, 300L, "ATL", "SAV"},
        new Object[] {T, 5L, 300L, "atlanta", "SAV"},
        new Object[] {T, 5L, 300L, "SAV", "SAV"},
        new Object[] {T, 6L, 0L, "ORD", "SFO"},
        new Object[] {null, 7L, 300L, "JFK", "BOS"},
        new Object[] {T, 8L, 300L, "MDW", null},
        new Object[] {T, null, 300L, "DEN", "LAX"});

    assertThat(reasonsByOrigin(raw)).containsOnly(
        Map.entry("ATL/-1116", "delay outside [-180, 1800] minutes"),
        Map.entry("atlanta/5", "origin is not a 3-character airport code"),
        Map.entry("SAV/5", "origin equals destination"),
        Map.entry("ORD/6", "distance is not positive"),
        Map.entry("JFK/7", "missing date"),
        Map.entry("MDW/8", "missing destination"),
        Map.entry("DEN/null", "missing delay"));
  }

  @Test
  void aRowBreakingSeveralRulesListsThemAll() {
    Dataset<Row> raw = rows(RAW, new Object[] {T, 5000L, -3L, "??", "BOS"});

    assertThat(reasonsByOrigin(raw).get("??/5000")).isEqualTo(
        "origin is not a 3-character airport code; delay outside [-180, 1800] minutes;"
            + " distance is not positive");
  }

  @Test
  void validAndInvalidSplitTheInputWithoutLosingARow() {
    Dataset<Row> validated = validation.withQuarantineReason(rows(RAW,
        new Object[] {T, 1L, 100L, "AAA", "BBB"},
        new Object[] {T, 1L, 100L, "AAA", "AAA"},
        new Object[] {T, 1L, 100L, "CCC", "BBB"}));

    List<Row> valid = FlightValidation.filterValid(validated).collectAsList();
    List<Row> invalid = FlightValidation.filterInvalid(validated).collectAsList();

    assertThat(valid).hasSize(2);
    assertThat(valid.get(0).schema().fieldNames()).doesNotContain(FlightValidation.REASON);
    assertThat(invalid).hasSize(1);
  }

  @Test
  void missingColumnIsAnError() {
    Dataset<Row> raw = rows(RAW, new Object[] {T, 1L, 100L, "AAA", "BBB"}).drop("distance");

    assertThatThrownBy(() -> validation.withQuarantineReason(raw))
        .hasMessageContaining("[distance]");
  }

  @Test
  void quarantineKeepsTheRawRecordAndReason() {
    Dataset<Row> invalid = FlightValidation.filterInvalid(validation.withQuarantineReason(
        rows(RAW, new Object[] {T, -1116L, 300L, "ATL", "SAV"})));

    Row row = FlightsBronze.toQuarantine(invalid, "src", "run-9").head();

    assertThat(row.<String>getAs("raw_record")).contains("\"delay\":-1116").contains("\"origin\":\"ATL\"");
    assertThat(row.<String>getAs("reason")).isEqualTo("delay outside [-180, 1800] minutes");
    assertThat(row.<String>getAs("_run_id")).isEqualTo("run-9");
  }

  @Test
  void filterDsKeepsOnlyTheLogicalDate() {
    Dataset<Row> raw = rows(RAW,
        new Object[] {Timestamp.valueOf("2001-01-14 23:59:00"), 1L, 1L, "AAA", "BBB"},
        new Object[] {Timestamp.valueOf("2001-01-15 00:00:00"), 2L, 1L, "AAA", "BBB"},
        new Object[] {Timestamp.valueOf("2001-01-15 23:59:59"), 3L, 1L, "AAA", "BBB"},
        new Object[] {Timestamp.valueOf("2001-01-16 00:00:00"), 4L, 1L, "AAA", "BBB"});

    List<Long> delays = FlightsBronze.filterDs(raw, LocalDate.of(2001, 1, 15)).collectAsList()
        .stream().map(r -> r.<Long>getAs("delay")).toList();

    assertThat(delays).containsExactlyInAnyOrder(2L, 3L);
  }
}
