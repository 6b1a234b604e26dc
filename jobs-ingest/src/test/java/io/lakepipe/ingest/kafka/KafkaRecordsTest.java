// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.config.TestConfigs;
import io.lakepipe.ingest.Lineage;
import io.lakepipe.ingest.Quarantine;
import io.lakepipe.ingest.source.KafkaSource;
import io.lakepipe.ingest.source.SourceDeclarations;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The declared flight-events source's checks on Kafka records; no I/O. */
class KafkaRecordsTest extends SparkTestBase {
  /** The columns Spark's Kafka source gives (without headers). */
  static final StructType KAFKA =
      new StructType()
          .add("key", DataTypes.BinaryType)
          .add("value", DataTypes.BinaryType)
          .add("topic", DataTypes.StringType)
          .add("partition", DataTypes.IntegerType)
          .add("offset", DataTypes.LongType)
          .add("timestamp", DataTypes.TimestampType)
          .add("timestampType", DataTypes.IntegerType);

  static final String GOOD =
      "{\"event_id\":\"e1\",\"date\":\"2001-01-15T08:30:00\",\"delay\":33,"
          + "\"distance\":2176,\"origin\":\"LAS\",\"destination\":\"PHL\"}";

  /** The source as the defaults declare it. */
  static final KafkaSource SOURCE =
      SourceDeclarations.kafka(TestConfigs.flights(Map.of()), "flight-events");

  static final LocalDate RUN_DS = LocalDate.of(2001, 2, 1);

  private static Dataset<Row> check(Dataset<Row> records, String runId) {
    return KafkaRecords.check(records, SOURCE, RUN_DS, runId);
  }

  private static Dataset<Row> kafka(byte[]... values) {
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      rows.add(
          new Object[] {
            null, values[i], "flights", i % 2, (long) i, Timestamp.valueOf("2001-01-15 09:00:00"), 0
          });
    }
    return rows(KAFKA, rows.toArray(Object[][]::new));
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Reason per offset, for the records of {@code values} in order. */
  private Map<Long, String> reasons(byte[]... values) {
    return check(kafka(values), "run-1").collectAsList().stream()
        .collect(
            Collectors.toMap(
                r -> Long.parseLong(r.<String>getAs(Lineage.LOCATION).split("/")[2]),
                r -> String.valueOf(r.<String>getAs(Quarantine.REASON))));
  }

  private String reason(String json) {
    return reasons(utf8(json)).get(0L);
  }

  @Test
  void aGoodEventIsTypedAndCarriesItsOrigin() {
    Row row =
        check(kafka(utf8("x"), utf8(GOOD)), "run-1")
            .where(org.apache.spark.sql.functions.col(Lineage.LOCATION).equalTo("flights/1/1"))
            .head();

    assertThat(row.<String>getAs(Quarantine.REASON)).isNull();
    assertThat(row.<String>getAs("event_id")).isEqualTo("e1");
    assertThat(row.<LocalDateTime>getAs("date")).isEqualTo(LocalDateTime.of(2001, 1, 15, 8, 30));
    assertThat(row.<Integer>getAs("delay")).isEqualTo(33);
    assertThat(row.<Integer>getAs("distance")).isEqualTo(2176);
    assertThat(row.<String>getAs(Quarantine.RAW)).isEqualTo(GOOD);
    assertThat(row.<String>getAs(Lineage.SOURCE)).isEqualTo("kafka");
    assertThat(row.<String>getAs(Lineage.RUN_ID)).isEqualTo("run-1");
  }

  @Test
  void unreadableRecordsGetOneReasonEach() {
    byte[] notUtf8 = {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};

    assertThat(
            reasons(
                null,
                notUtf8,
                utf8(""),
                utf8("   "),
                utf8("hello"),
                utf8("[1,2]"),
                utf8("\"just a string\""),
                utf8("42"),
                utf8("{\"event_id\": \"e1\", "),
                utf8("{oops}")))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                0L, "value is null",
                1L, "value is not valid UTF-8",
                2L, "value is empty",
                3L, "value is empty",
                4L, "value is not a JSON object",
                5L, "value is not a JSON object",
                6L, "value is not a JSON object",
                7L, "value is not a JSON object",
                8L, "value is not valid JSON",
                9L, "value is not valid JSON"));
  }

  @Test
  void missingAndMistypedFieldsAreAllNamed() {
    assertThat(reason("{}"))
        .isEqualTo(
            "missing event_id; missing date; missing delay;"
                + " missing distance; missing origin; missing destination");
    assertThat(reason(GOOD.replace("33", "\"soon\"").replace("2176", "{\"km\":3}")))
        .isEqualTo("delay is not an integer: 'soon'; distance is not an integer: '{\"km\":3}'");
    assertThat(reason(GOOD.replace("33", "12.5"))).isEqualTo("delay is not an integer: '12.5'");
    assertThat(reason(GOOD.replace("33", "99999999999")))
        .isEqualTo("delay is not an integer: '99999999999'");
    assertThat(reason(GOOD.replace("2001-01-15T08:30:00", "yesterday")))
        .isEqualTo("date is not a timestamp: 'yesterday'");
    assertThat(reason(GOOD.replace("\"e1\"", "null"))).isEqualTo("missing event_id");
    assertThat(reason(GOOD.replace("\"e1\"", "\"  \""))).isEqualTo("missing event_id");
  }

  @Test
  void wellFormedEventsGoThroughTheFlightRules() {
    assertThat(reason(GOOD.replace("33", "-1116"))).isEqualTo("delay outside [-180, 1800] minutes");
    assertThat(reason(GOOD.replace("PHL", "LAS"))).isEqualTo("origin equals destination");
    assertThat(reason(GOOD.replace("\"LAS\"", "12")))
        .isEqualTo("origin is not a 3-character airport code");
  }

  @Test
  void numbersAsStringsAndUnknownFieldsAreAccepted() {
    assertThat(reason(GOOD.replace("33", "\"33\"").replace("}", ",\"carrier\":\"UA\"}")))
        .isEqualTo("null");
  }

  @Test
  void aRecordThatIsNotUtf8KeepsItsBytesInBase64() {
    byte[] bytes = {(byte) 0xFF, (byte) 0xFE, 'a'};

    Row row = check(kafka(bytes), "r").head();

    assertThat(row.<String>getAs(Quarantine.RAW)).isEqualTo("base64://5h");
  }

  @Test
  void bronzeAndQuarantineSplitTheBatchWithoutLosingARecord() {
    Dataset<Row> checked =
        check(
            kafka(
                utf8(GOOD),
                utf8("nope"),
                null,
                utf8(GOOD.replace("e1", "e2").replace("33", "-999")),
                utf8(GOOD)),
            "run-7");

    List<Row> bronze = KafkaRecords.toBronze(checked, SOURCE).collectAsList();
    List<Row> quarantine = KafkaRecords.toQuarantine(checked, RUN_DS).collectAsList();

    // The second copy of e1 is a producer's retry: the merge into bronze writes it once.
    assertThat(bronze).hasSize(2);
    assertThat(bronze.get(0).schema().fieldNames())
        .containsExactly(
            "event_id",
            "flight_ts",
            "delay",
            "distance",
            "origin",
            "destination",
            "_source",
            "_source_location",
            "_run_id",
            "_ingested_at",
            "ds");
    assertThat(bronze.get(0).<java.sql.Date>getAs("ds")).hasToString("2001-01-15");
    assertThat(bronze)
        .extracting(r -> r.<String>getAs("_source_location"))
        .containsExactlyInAnyOrder("flights/0/0", "flights/0/4");
    assertThat(quarantine)
        .extracting(r -> r.<String>getAs("raw_record") + " -> " + r.getAs("reason"))
        .containsExactlyInAnyOrder(
            "nope -> value is not a JSON object",
            "null -> value is null",
            GOOD.replace("e1", "e2").replace("33", "-999")
                + " -> delay outside [-180, 1800] minutes");
    assertThat(quarantine)
        .allSatisfy(r -> assertThat(r.<java.sql.Date>getAs("ds")).hasToString("2001-02-01"));
  }

  @Test
  void recordsWithoutTheKafkaColumnsAreRejected() {
    Dataset<Row> noOffset = kafka(utf8(GOOD)).drop("offset");

    assertThatThrownBy(() -> check(noOffset, "r")).hasMessageContaining("[offset]");
  }
}
