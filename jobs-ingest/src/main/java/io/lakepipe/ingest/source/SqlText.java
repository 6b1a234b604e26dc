// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.source;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.catalyst.analysis.UnresolvedAttribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.UnresolvedNamedLambdaVariable;
import org.apache.spark.sql.catalyst.parser.CatalystSqlParser$;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;

/**
 * Spark SQL text of a declaration, checked with Spark's own parser, which needs no session: a
 * mistake stops the job before Spark starts.
 */
final class SqlText {
  private SqlText() {}

  /** The expression's parse tree; Spark's ParseException when it does not parse. */
  static Expression parse(String sql) {
    return CatalystSqlParser$.MODULE$.parseExpression(sql);
  }

  /** The schema a DDL string such as {@code "a INT, b STRING"} declares. */
  static StructType schema(String ddl) {
    return StructType.fromDDL(ddl);
  }

  /**
   * The columns an expression names (the first part of {@code a.b}), in order of appearance; the
   * variables of lambda functions ({@code x -> x + 1}) are not columns.
   */
  static Set<String> columns(Expression expression) {
    Set<String> names = new LinkedHashSet<>();
    Set<String> lambdaVariables = new LinkedHashSet<>();
    collect(expression, names, lambdaVariables);
    names.removeAll(lambdaVariables);
    return names;
  }

  private static void collect(Expression expression, Set<String> names, Set<String> lambdas) {
    if (expression instanceof UnresolvedAttribute attribute) {
      names.add(attribute.nameParts().head());
    } else if (expression instanceof UnresolvedNamedLambdaVariable variable) {
      lambdas.add(variable.nameParts().head());
    }
    for (Expression child : JavaConverters.seqAsJavaList(expression.children())) {
      collect(child, names, lambdas);
    }
  }

  /** The first non-blank line of an exception's message: Spark's go on with the SQL and a caret. */
  static String firstLine(Exception e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    return message
        .lines()
        .map(String::strip)
        .filter(line -> !line.isEmpty())
        .findFirst()
        .orElse(e.toString());
  }

  /** Names as a message lists them: {@code a, b, c}. */
  static String list(Iterable<String> names) {
    List<String> all = new ArrayList<>();
    names.forEach(all::add);
    return String.join(", ", all);
  }
}
