// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.files;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_except;
import static org.apache.spark.sql.functions.array_join;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.encode;
import static org.apache.spark.sql.functions.from_csv;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.json_object_keys;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.lakepipe.core.spark.Columns;
import io.lakepipe.ingest.Quarantine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Parses landed records into a declared schema, naming every problem instead of dropping the
 * record. Text lines are first parsed into strings, then cast to the declared types, so that a
 * wrong type says which field and which value. Pure transformations, no I/O.
 *
 * <p>Input rows have {@link Quarantine#RAW} (the line) and the lineage columns; output rows have
 * the declared columns too.
 */
public final class RecordParsing {
  static final String FIELDS = "__fields";
  static final String CORRUPT = "__corrupt_record";
  private static final String UNREADABLE = "__unreadable";

  /** Longest quoted value in a reason, so that a huge bad value does not become a huge reason. */
  private static final int QUOTE_CHARS = 40;

  private final StructType declared;
  private final Set<String> required;
  private final int maxLineChars;
  private final String delimiter;

  /**
   * @param required the declared columns a record must have; the others may be empty (null)
   */
  public RecordParsing(
      StructType declared, Set<String> required, int maxLineChars, String delimiter) {
    this.declared = declared;
    this.required = Set.copyOf(required);
    this.maxLineChars = maxLineChars;
    this.delimiter = delimiter;
  }

  /** The parsing of rows a database read ({@link #table}), which have no lines. */
  public static RecordParsing ofTable(StructType declared, Set<String> required) {
    return new RecordParsing(declared, required, Integer.MAX_VALUE, ",");
  }

  /** Parses CSV lines (header lines already removed). */
  public ParsedRecords csv(Dataset<Row> lines) {
    Map<String, String> options =
        Map.of(
            "sep", delimiter,
            "mode", "PERMISSIVE",
            "columnNameOfCorruptRecord", CORRUPT);
    Dataset<Row> parsed =
        lines.withColumn(
            FIELDS, from_csv(col(Quarantine.RAW), lit(stringSchema().toDDL()), options));
    List<Column> rules = new ArrayList<>(lineRules());
    Column wrongCount = col(FIELDS + "." + CORRUPT).isNotNull();
    rules.add(
        Quarantine.rule(
            lineUsable().and(wrongCount),
            concat(
                lit(
                    "malformed CSV line (wrong number of columns or unbalanced quotes): "
                        + declared.size()
                        + " columns declared, "),
                size(split(col(Quarantine.RAW), java.util.regex.Pattern.quote(delimiter)))
                    .cast("string"),
                lit(" delimited fields found"))));
    rules.addAll(fieldRules(lineUsable().and(wrongCount.unary_$bang())));
    return new ParsedRecords(typed(parsed), rules);
  }

  /** Parses JSON lines, one object per line. */
  public ParsedRecords json(Dataset<Row> lines) {
    Map<String, String> options =
        Map.of("mode", "PERMISSIVE", "columnNameOfCorruptRecord", CORRUPT);
    Dataset<Row> parsed =
        lines.withColumn(FIELDS, from_json(col(Quarantine.RAW), stringSchema(), options));
    List<Column> rules = new ArrayList<>(lineRules());
    Column malformed = col(FIELDS).isNull().or(col(FIELDS + "." + CORRUPT).isNotNull());
    rules.add(Quarantine.rule(lineUsable().and(malformed), "not a JSON object"));
    Column unexpected =
        array_except(
            json_object_keys(col(Quarantine.RAW)),
            array(Arrays.stream(declared.fieldNames()).map(f -> lit(f)).toArray(Column[]::new)));
    rules.add(
        Quarantine.rule(
            lineUsable().and(malformed.unary_$bang()).and(size(unexpected).gt(0)),
            concat(lit("unexpected fields: "), array_join(unexpected, ", "))));
    rules.addAll(fieldRules(lineUsable().and(malformed.unary_$bang())));
    return new ParsedRecords(typed(parsed), rules);
  }

  /**
   * JSON objects held in {@link Quarantine#RAW}, one per row (the values of a message queue), of
   * the rows for which {@code unreadable} names no reason: parsed into the declared fields, which
   * are checked and cast as text fields are. Fields that are not declared are ignored: a producer
   * may add some. A record gets one reason when its value cannot be read: {@code unreadable}'s, or
   * "value is not valid JSON".
   */
  public ParsedRecords jsonValues(Dataset<Row> rows, Column unreadable) {
    Map<String, String> options =
        Map.of("mode", "PERMISSIVE", "columnNameOfCorruptRecord", CORRUPT);
    Dataset<Row> parsed =
        rows.withColumn(UNREADABLE, unreadable)
            .withColumn(
                FIELDS,
                from_json(
                    when(col(UNREADABLE).isNull(), col(Quarantine.RAW)), stringSchema(), options));
    Column malformed = col(FIELDS).isNull().or(col(FIELDS + "." + CORRUPT).isNotNull());
    Column reason = coalesce(col(UNREADABLE), when(malformed, lit("value is not valid JSON")));
    List<Column> rules = new ArrayList<>();
    rules.add(Quarantine.rule(reason.isNotNull(), reason));
    rules.addAll(fieldRules(reason.isNull()));
    return new ParsedRecords(typed(parsed), rules);
  }

  /**
   * Parquet rows are already typed by the declared schema; the raw record is the row as JSON, and
   * the only parse rule is a missing required value.
   */
  public ParsedRecords parquet(Dataset<Row> rows) {
    Column[] fields = Arrays.stream(declared.fieldNames()).map(f -> col(f)).toArray(Column[]::new);
    Dataset<Row> withRaw = rows.withColumn(Quarantine.RAW, to_json(struct(fields)));
    List<Column> rules =
        Arrays.stream(declared.fieldNames())
            .filter(required::contains)
            .map(f -> Quarantine.rule(col(f).isNull(), "missing " + f))
            .toList();
    return new ParsedRecords(withRaw, rules);
  }

  /**
   * Rows a database read, typed by it. A declared column of another type than the read one (a
   * number kept as text) is checked and cast as a text field is; one of the declared type is kept
   * as read. The raw record is the row as read, as JSON, all its columns included.
   */
  public ParsedRecords table(Dataset<Row> rows) {
    Columns.require(rows, "the rows read", List.of(declared.fieldNames()));
    StructType read = rows.schema();
    Predicate<StructField> retyped = f -> !read.apply(f.name()).dataType().equals(f.dataType());
    Column[] asRead = Arrays.stream(rows.columns()).map(Columns::named).toArray(Column[]::new);
    Column[] asText =
        Arrays.stream(declared.fieldNames())
            .map(f -> Columns.named(f).cast("string").as(f))
            .toArray(Column[]::new);
    Dataset<Row> parsed =
        rows.withColumn(Quarantine.RAW, to_json(struct(asRead))).withColumn(FIELDS, struct(asText));
    for (StructField field : declared.fields()) {
      if (retyped.test(field)) {
        parsed =
            parsed.withColumn(field.name(), castValue(col(FIELDS + "." + field.name()), field));
      }
    }
    return new ParsedRecords(parsed, fieldRules(lit(true), retyped));
  }

  /** Rules on the line itself: bytes that are not UTF-8, and lines over the length limit. */
  private List<Column> lineRules() {
    return List.of(
        Quarantine.rule(notUtf8(), "line is not valid UTF-8 (raw bytes kept base64-encoded)"),
        Quarantine.rule(
            notUtf8().unary_$bang().and(tooLong()),
            concat(
                lit("line has "),
                length(col(Quarantine.RAW)).cast("string"),
                lit(" characters, above the limit of " + maxLineChars))));
  }

  /** A line is parsed only when it is valid UTF-8 and within the length limit. */
  private Column lineUsable() {
    return notUtf8().unary_$bang().and(tooLong().unary_$bang());
  }

  private Column tooLong() {
    return length(col(Quarantine.RAW)).gt(maxLineChars);
  }

  /**
   * Spark keeps a text line's bytes as they were; converting to a Java string replaces invalid
   * UTF-8 with U+FFFD, so the two byte sequences differ exactly when the line was not UTF-8.
   */
  static Column notUtf8() {
    return col(Quarantine.RAW).cast("binary").notEqual(encode(col(Quarantine.RAW), "UTF-8"));
  }

  /**
   * Per declared field: missing when a required field is empty (an empty optional one is null),
   * wrong type when the value does not cast.
   */
  private List<Column> fieldRules(Column parsedOk) {
    return fieldRules(parsedOk, field -> true);
  }

  /** As {@link #fieldRules(Column)}, with the type rule only for the fields {@code cast} takes. */
  private List<Column> fieldRules(Column parsedOk, Predicate<StructField> cast) {
    List<Column> rules = new ArrayList<>();
    for (StructField field : declared.fields()) {
      Column raw = col(FIELDS + "." + field.name());
      Column empty = raw.isNull().or(trim(raw).equalTo(""));
      if (required.contains(field.name())) {
        rules.add(Quarantine.rule(parsedOk.and(empty), "missing " + field.name()));
      }
      if (!cast.test(field)) {
        continue;
      }
      rules.add(
          Quarantine.rule(
              parsedOk.and(empty.unary_$bang()).and(castValue(raw, field).isNull()),
              concat(
                  lit(field.name() + " is not " + typeName(field) + ": '"),
                  substring(raw, 1, QUOTE_CHARS),
                  lit("'"))));
    }
    return rules;
  }

  private Dataset<Row> typed(Dataset<Row> parsed) {
    Dataset<Row> out = parsed;
    for (StructField field : declared.fields()) {
      out = out.withColumn(field.name(), castValue(col(FIELDS + "." + field.name()), field));
    }
    return out;
  }

  private static Column castValue(Column raw, StructField field) {
    Column trimmed = trim(raw);
    // A decimal string such as "12.5" casts to 12 for an int column; a whole number is required.
    if (field.dataType() == DataTypes.IntegerType || field.dataType() == DataTypes.LongType) {
      return when(trimmed.rlike("^[+-]?[0-9]+$"), trimmed.cast(field.dataType()));
    }
    // A blank optional field is empty, whatever its type: null, not "".
    return when(trimmed.notEqual(""), trimmed.cast(field.dataType()));
  }

  private static String typeName(StructField field) {
    String name = field.dataType().simpleString().toLowerCase(Locale.ROOT);
    return switch (name) {
      case "int", "bigint" -> "an integer";
      case "timestamp", "timestamp_ntz" -> "a timestamp";
      case "date" -> "a date";
      case "double", "float" -> "a number";
      default -> "a " + name;
    };
  }

  private StructType stringSchema() {
    return asText(declared).add(CORRUPT, DataTypes.StringType);
  }

  /**
   * The declared columns, every one of type string: the fields as the text holds them (also how the
   * demo's lander reads its source, so that it lands the records as the upstream wrote them).
   */
  public static StructType asText(StructType declared) {
    StructType strings = new StructType();
    for (String name : declared.fieldNames()) {
      strings = strings.add(name, DataTypes.StringType);
    }
    return strings;
  }
}
