package io.lakepipe.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

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
        r -> String.valueOf(r.<String>getAs(Quarantine.REASON))));
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
    Dataset<Row> validated = withRawAndLineage(validation.withQuarantineReason(rows(RAW,
        new Object[] {T, 1L, 100L, "AAA", "BBB"},
        new Object[] {T, 1L, 100L, "AAA", "AAA"},
        new Object[] {T, 1L, 100L, "CCC", "BBB"})));

    List<Row> valid = Quarantine.filterValid(validated).collectAsList();
    List<Row> invalid = Quarantine.filterInvalid(validated).collectAsList();

    assertThat(valid).hasSize(2);
    assertThat(valid.get(0).schema().fieldNames()).doesNotContain(Quarantine.REASON, Quarantine.RAW);
    assertThat(invalid).hasSize(1);
  }

  @Test
  void missingColumnIsAnError() {
    Dataset<Row> raw = rows(RAW, new Object[] {T, 1L, 100L, "AAA", "BBB"}).drop("distance");

    assertThatThrownBy(() -> validation.withQuarantineReason(raw))
        .hasMessageContaining("[distance]");
  }

  @Test
  void quarantineKeepsTheRawRecordReasonAndLineage() {
    Row row = Quarantine.filterInvalid(withRawAndLineage(validation.withQuarantineReason(
        rows(RAW, new Object[] {T, -1116L, 300L, "ATL", "SAV"})))).head();

    assertThat(row.<String>getAs("raw_record")).contains("\"delay\":-1116")
        .contains("\"origin\":\"ATL\"");
    assertThat(row.<String>getAs("reason")).isEqualTo("delay outside [-180, 1800] minutes");
    assertThat(row.<String>getAs("_source")).isEqualTo("test");
    assertThat(row.<String>getAs("_source_location")).isEqualTo("memory");
    assertThat(row.<String>getAs("_run_id")).isEqualTo("run-9");
  }

  @Test
  void bronzeHasTheTypedFlightAndLineageOnly() {
    Dataset<Row> bronze = FlightsBronze.fromValid(withRawAndLineage(validation.withQuarantineReason(
        rows(RAW, new Object[] {T, 12L, 300L, "ATL", "SAV"}))));

    assertThat(bronze.columns()).containsExactly("flight_ts", "delay", "distance", "origin",
        "destination", "_source", "_source_location", "_run_id", "_ingested_at");
    assertThat(bronze.head().<Integer>getAs("delay")).isEqualTo(12);
  }

  private static Dataset<Row> withRawAndLineage(Dataset<Row> validated) {
    return Lineage.with(validated.withColumn(Quarantine.RAW, to_json(struct(col("date"),
            col("delay"), col("distance"), col("origin"), col("destination")))),
        "test", lit("memory"), "run-9");
  }
}
