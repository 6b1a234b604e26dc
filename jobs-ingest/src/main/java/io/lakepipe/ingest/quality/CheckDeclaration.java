// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.quality;

import com.amazon.deequ.checks.Check;
import com.amazon.deequ.checks.CheckLevel;
import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.ingest.quality.DeclaredConstraint.Complete;
import io.lakepipe.ingest.quality.DeclaredConstraint.Condition;
import io.lakepipe.ingest.quality.DeclaredConstraint.Declared;
import io.lakepipe.ingest.quality.DeclaredConstraint.Unique;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * The checks declared for one table in {@code lakepipe.checks.<table>}: the table (a key of {@code
 * lakepipe.tables}), the table its results go to, and its constraints in declared order. {@link
 * CheckDeclarationReader} reads and validates one before Spark starts.
 */
public record CheckDeclaration(
    String table, String resultsTable, Declared declared, List<DeclaredConstraint> constraints) {

  public CheckDeclaration {
    constraints = List.copyOf(constraints);
  }

  /** The Deequ check of every constraint, at level Error: one failed constraint fails it. */
  public Check check(String description) {
    // Deequ's own default for the constraints argument: none yet, each kind adds its own.
    Check check = new Check(CheckLevel.Error(), description, Check.$lessinit$greater$default$3());
    for (DeclaredConstraint constraint : constraints) {
      check = constraint.addTo(check);
    }
    return check;
  }

  /**
   * Stops with a one-line error when a constraint names a column that {@code rows} lacks, or a
   * condition is no boolean over its columns. Analysis only: no Spark job runs.
   */
  public void requireColumnsOf(Dataset<Row> rows) {
    List<String> columns = Arrays.asList(rows.columns());
    for (DeclaredConstraint constraint : constraints) {
      Declared at = constraint.declared();
      String key =
          at.key()
              + (constraint instanceof Complete || constraint instanceof Unique
                  ? ".columns"
                  : ".column");
      for (String column : constraint.columns()) {
        if (!columns.contains(column)) {
          throw LakepipeErrors.checkDeclarationInvalid(
              key,
              at.origin(),
              "'"
                  + column
                  + "' is not a column of "
                  + table
                  + " (its columns: "
                  + String.join(", ", columns)
                  + ")",
              "Name a column of the table, spelt as in its schema");
        }
      }
      if (constraint instanceof Condition condition) {
        requireBoolean(condition, rows);
      }
    }
  }

  private void requireBoolean(Condition condition, Dataset<Row> rows) {
    Declared at = condition.declared();
    DataType type;
    try {
      // Analysis is eager: this resolves every name and function of the SQL against the table.
      type = rows.select(functions.expr(condition.sql())).schema().fields()[0].dataType();
    } catch (Exception e) {
      // Spark throws AnalysisException, checked in Scala's eyes only; its first line says why.
      throw LakepipeErrors.checkDeclarationInvalid(
          at.key() + ".sql",
          at.origin(),
          "'"
              + condition.sql()
              + "' does not work on the columns of "
              + table
              + " ("
              + String.join(", ", rows.columns())
              + "): "
              + CheckDeclarationReader.firstLine(e),
          "Write it over the table's columns");
    }
    if (!type.equals(DataTypes.BooleanType)) {
      throw LakepipeErrors.checkDeclarationInvalid(
          at.key() + ".sql",
          at.origin(),
          "'" + condition.sql() + "' is of type " + type.simpleString() + ", not a boolean",
          "Write a condition that is true or false for each row, such as distance > 0");
    }
  }
}
