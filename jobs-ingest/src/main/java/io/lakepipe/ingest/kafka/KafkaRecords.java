// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.kafka;

import static org.apache.spark.sql.functions.base64;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.decode;
import static org.apache.spark.sql.functions.encode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.ltrim;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.lakepipe.core.spark.Columns;
import io.lakepipe.ingest.Lineage;
import io.lakepipe.ingest.Quarantine;
import io.lakepipe.ingest.files.LandedRecords;
import io.lakepipe.ingest.files.RecordParsing;
import io.lakepipe.ingest.source.KafkaSource;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Kafka records of a declared source on their way into bronze. A record's value is a JSON object of
 * the declared fields, such as a flight event:
 *
 * <pre>{"event_id":"2001-01-15-000042","date":"2001-01-15T08:30:00","delay":33,"distance":2176,
 * "origin":"LAS","destination":"PHL"}</pre>
 *
 * <p>A record whose value cannot be read (null, not UTF-8, empty, not a JSON object, not valid
 * JSON) gets one reason saying so; a JSON object with missing or mistyped fields gets every such
 * field named, as a landed record does ({@link RecordParsing}); a well-formed record then goes
 * through the source's expectations ({@link LandedRecords}). Pure transformations, no I/O.
 */
public final class KafkaRecords {
  /** Kafka source kind in the lineage columns. */
  public static final String SOURCE_KIND = "kafka";

  static final List<String> KAFKA_COLUMNS = List.of("value", "topic", "partition", "offset");

  private KafkaRecords() {}

  /**
   * Parses and checks Kafka records (columns value, topic, partition, offset as Spark's Kafka
   * source gives them). Returns the declared fields, typed, {@link Quarantine#REASON} (null when
   * valid), {@link Quarantine#RAW} (the value as text, or {@code base64:...} when it is not UTF-8)
   * and the {@link Lineage} columns, whose location is topic/partition/offset.
   */
  public static Dataset<Row> check(
      Dataset<Row> records, KafkaSource source, LocalDate ds, String runId) {
    Columns.require(records, "Kafka records", KAFKA_COLUMNS);
    Column value = col("value");
    Column text = decode(value, "UTF-8");
    // Invalid bytes decode to U+FFFD, so the text no longer encodes back to the same bytes.
    Column utf8 = encode(text, "UTF-8").equalTo(value);
    Column location =
        concat_ws("/", col("topic"), col("partition").cast("string"), col("offset").cast("string"));
    Dataset<Row> decoded =
        Lineage.with(records, SOURCE_KIND, location, runId)
            .withColumn(
                Quarantine.RAW,
                when(value.isNull(), lit(null))
                    .when(utf8, text)
                    .otherwise(concat(lit("base64:"), base64(value))));
    Column unreadable =
        when(value.isNull(), lit("value is null"))
            .when(utf8.unary_$bang(), lit("value is not valid UTF-8"))
            .when(trim(text).equalTo(""), lit("value is empty"))
            .when(ltrim(text).startsWith("{").unary_$bang(), lit("value is not a JSON object"));
    RecordParsing parsing = RecordParsing.ofTable(source.schema(), source.required());
    return LandedRecords.check(parsing.jsonValues(decoded, unreadable), ds, source);
  }

  /**
   * Bronze rows: the declared bronze columns of the valid records with their lineage, and the
   * partition column ds, each record's own date.
   */
  public static Dataset<Row> toBronze(Dataset<Row> checked, KafkaSource source) {
    return LandedRecords.bronze(checked, source, expr(source.eventDate().sql()).as("ds"));
  }

  /** Quarantine rows: raw record, reason and lineage, under the logical date of the run. */
  public static Dataset<Row> toQuarantine(Dataset<Row> checked, LocalDate ds) {
    return Quarantine.filterInvalid(checked).withColumn("ds", lit(java.sql.Date.valueOf(ds)));
  }
}
