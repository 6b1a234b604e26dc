// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.files;

import static org.apache.spark.sql.functions.base64;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import io.lakepipe.core.table.DeltaTables;
import io.lakepipe.ingest.Lineage;
import io.lakepipe.ingest.Quarantine;
import io.lakepipe.ingest.source.DeclaredRows;
import io.lakepipe.ingest.source.Expectations;
import io.lakepipe.ingest.source.LogicalDate;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Checks the parsed records of one logical date (landed files, rows read from a database) against
 * their source's declaration (its expectations, its ds, its key) and shapes the valid ones into
 * bronze rows. Pure transformations, no I/O.
 */
public final class LandedRecords {
  /** The names of the broken expectations declared {@code action = fail}, or null. */
  public static final String FAILED = "_failed_expectations";

  private static final String RECORD_OK = "__record_ok";
  private static final String RECORD_REASON = "__record_reason";
  private static final String VALUE_REASON = "__value_reason";
  private static final String KEY_RANK = "__key_rank";

  private LandedRecords() {}

  /**
   * Adds {@link Quarantine#REASON} and {@link #FAILED} and drops the parsing helpers. The value
   * rules (expectations in declared order, then the ds, then the key) judge only records that
   * parsed, since values parsed out of a broken record would only add noise.
   */
  public static Dataset<Row> check(ParsedRecords parsed, LocalDate ds, DeclaredRows source) {
    List<Column> valueRules = new ArrayList<>(Expectations.rules(source.expectations()));
    if (source.ds() != null) {
      valueRules.add(outsideDs(source.ds(), ds));
    }
    // Each rule is judged once, here: its reasons cross the duplicate rule's window below as two
    // columns (one big day of 3M flights judged them on both sides of it before).
    Dataset<Row> rows =
        parsed
            .rows()
            .withColumn(RECORD_REASON, Quarantine.reasons(parsed.rules()))
            .withColumn(VALUE_REASON, Quarantine.reasons(valueRules))
            .withColumn(RECORD_OK, col(RECORD_REASON).isNull());
    List<Column> valueReasons = new ArrayList<>(List.of(col(VALUE_REASON)));
    if (!source.repeatKey().isEmpty()) {
      // Of the parsed records sharing a key, the first one that passes every other rule goes to
      // bronze (the first file's, for repeated deliveries); every other copy goes to quarantine,
      // so nothing is lost.
      List<Column> partition =
          new ArrayList<>(source.repeatKey().stream().map(k -> col(k)).toList());
      partition.add(col(RECORD_OK));
      rows =
          rows.withColumn(
              KEY_RANK,
              row_number()
                  .over(
                      Window.partitionBy(partition.toArray(Column[]::new))
                          .orderBy(
                              col(VALUE_REASON).isNull().desc(),
                              col(Lineage.LOCATION),
                              col(Quarantine.RAW))));
      valueReasons.add(Quarantine.rule(col(KEY_RANK).gt(1), repeatReason(source)));
    }
    Dataset<Row> checked =
        Quarantine.withReason(rows, List.of(col(RECORD_REASON)), valueReasons)
            .withColumn(FAILED, when(col(RECORD_OK), Expectations.failures(source.expectations())))
            // Bytes that are not UTF-8 cannot live in a string column: keep them base64-encoded.
            .withColumn(
                Quarantine.RAW,
                when(
                        RecordParsing.notUtf8(),
                        concat(lit("base64:"), base64(col(Quarantine.RAW).cast("binary"))))
                    .otherwise(col(Quarantine.RAW)));
    return dropHelpers(checked);
  }

  /**
   * Bronze rows: the declared bronze columns of the valid rows, then the lineage columns, then
   * {@code more} (a partition column the job derives).
   */
  public static Dataset<Row> bronze(Dataset<Row> checked, DeclaredRows source, Column... more) {
    List<Column> columns =
        new ArrayList<>(
            source.bronzeColumns().stream().map(c -> expr(c.sql()).as(c.name())).toList());
    columns.addAll(Arrays.asList(Lineage.columns()));
    columns.addAll(Arrays.asList(more));
    return Quarantine.filterValid(checked).select(columns.toArray(Column[]::new));
  }

  /**
   * The schema of the bronze table that the ingest of {@code source} writes, as its readers (the
   * feature job) and their tests see it: the declared bronze columns with the types Spark gives
   * their expressions over the declared schema, the lineage columns, then {@code ds}. Derived by
   * {@link #bronze} itself, on no rows, so it cannot drift from what the ingest writes; every
   * column nullable, as Delta stores them.
   */
  public static StructType bronzeSchema(SparkSession spark, DeclaredRows source) {
    Dataset<Row> none = spark.createDataFrame(List.of(), source.schema());
    Dataset<Row> checked =
        Lineage.with(none, "", lit(""), "")
            .withColumn(Quarantine.REASON, lit(null).cast(DataTypes.StringType));
    StructType columns = DeltaTables.withDs(bronze(checked, source).schema());
    return new StructType(
        Arrays.stream(columns.fields())
            .map(f -> new StructField(f.name(), f.dataType(), true, f.metadata()))
            .toArray(StructField[]::new));
  }

  private static Column outsideDs(LogicalDate declared, LocalDate ds) {
    Column rowDs = expr(declared.sql());
    // Compared as text: a date literal would make each day compile its own checks (DsPredicates).
    return Quarantine.rule(
        rowDs.cast("string").notEqual(lit(ds.toString())),
        concat(
            lit(declared.label() + " "),
            rowDs.cast("string"),
            lit(" is outside the landing folder's ds " + ds)));
  }

  /** A key of every declared column is a repeated delivery of the same record. */
  private static String repeatReason(DeclaredRows source) {
    boolean wholeRecord = source.repeatKey().size() == source.schema().size();
    return wholeRecord
        ? "duplicate of an identical record"
        : "duplicate of the key (" + String.join(", ", source.repeatKey()) + ") of another record";
  }

  private static Dataset<Row> dropHelpers(Dataset<Row> rows) {
    Dataset<Row> out = rows;
    for (String name : rows.columns()) {
      if (name.startsWith("__")) {
        out = out.drop(name);
      }
    }
    return out;
  }
}
