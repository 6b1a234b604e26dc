// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.source;

import static org.apache.spark.sql.functions.expr;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.LakepipeException;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * The part of a declaration's validation that needs Spark's analyzer: every expression of a source,
 * resolved against an empty table of the declared schema, must have the type its key promises (a
 * boolean expectation, a date ds). Run when the session exists, before any file is read.
 */
public final class SchemaCheck {
  private SchemaCheck() {}

  /** Throws a one-line error naming the first expression that does not fit the schema. */
  public static void check(SparkSession spark, DeclaredRows source) {
    Dataset<Row> empty = spark.createDataFrame(List.of(), source.schema());
    for (Expectation expectation : source.expectations()) {
      requireType(
          empty,
          expectation.sql(),
          expectation.at(),
          DataTypes.BooleanType,
          "Write a condition that is true for a good row, such as distance > 0");
    }
    if (source.ds() != null) {
      requireType(
          empty,
          source.ds().sql(),
          source.ds().at(),
          DataTypes.DateType,
          "Give the row's date, such as to_date(event_time)");
    }
    for (DerivedColumn column : source.bronzeColumns()) {
      requireType(
          empty,
          column.sql(),
          column.at(),
          null,
          "Give the column's value over the declared columns");
    }
  }

  private static void requireType(
      Dataset<Row> empty, String sql, Declared at, DataType wanted, String fix) {
    DataType type;
    try {
      type = empty.select(expr(sql)).schema().fields()[0].dataType();
    } catch (Exception e) {
      // AnalysisException is checked in Java's eyes, though Scala does not declare it.
      throw invalid(
          at, "'" + sql + "' does not fit the declared schema: " + SqlText.firstLine(e), fix);
    }
    if (wanted != null && !type.equals(wanted)) {
      throw invalid(
          at,
          "'" + sql + "' is of type " + type.simpleString() + ", not " + wanted.simpleString(),
          fix);
    }
  }

  private static LakepipeException invalid(Declared at, String problem, String fix) {
    return LakepipeErrors.sourceDeclarationInvalid(at.key(), at.origin(), problem, fix);
  }
}
