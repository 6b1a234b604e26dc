// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features;

import io.lakepipe.core.LakepipeErrors;
import java.util.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.analysis.UnresolvedAttribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.functions;
import scala.runtime.AbstractPartialFunction;

/**
 * Spark SQL expressions from the config, checked against their input so errors name the feature.
 */
final class SqlExpressions {
  private SqlExpressions() {}

  /**
   * The expression as a column over {@code input}; a syntax error or an unknown column is a
   * one-line error naming the feature, raised before any Spark job runs.
   */
  static Column over(Dataset<Row> input, String feature, String expr) {
    try {
      Column column = functions.expr(expr);
      // Analysis is eager: this resolves every name in the expression against the input's columns.
      input.select(column);
      return column;
    } catch (Exception e) {
      // Spark throws AnalysisException and ParseException, checked in Scala but undeclared in Java.
      String reason =
          e.getMessage() == null
              ? e.toString()
              : e.getMessage().lines().findFirst().orElse(e.toString());
      throw LakepipeErrors.featureDefinitionInvalid(
          feature,
          "expression '"
              + expr
              + "' does not work on the columns "
              + String.join(", ", input.columns())
              + ": "
              + reason,
          e);
    }
  }

  /**
   * The expression with its single-part column names replaced: {@code rename} gives the new name of
   * a column, or null to keep it. Catalyst's own tree rewrite, so literals and functions named like
   * a column are left alone.
   */
  static Column renamed(Column column, Function<String, String> rename) {
    Expression rewritten =
        column
            .expr()
            .transform(
                new AbstractPartialFunction<>() {
                  @Override
                  public boolean isDefinedAt(Expression e) {
                    return e instanceof UnresolvedAttribute a
                        && a.nameParts().size() == 1
                        && rename.apply(a.name()) != null;
                  }

                  @Override
                  public Expression apply(Expression e) {
                    return UnresolvedAttribute.quoted(
                        rename.apply(((UnresolvedAttribute) e).name()));
                  }
                });
    return new Column(rewritten);
  }
}
