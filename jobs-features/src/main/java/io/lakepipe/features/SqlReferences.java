// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.catalyst.analysis.UnresolvedAttribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.parser.CatalystSqlParser$;
import scala.runtime.AbstractPartialFunction;

/** The columns a Spark SQL expression names, read with Spark's parser alone: no session needed. */
final class SqlReferences {
  private SqlReferences() {}

  /**
   * The columns the expression names, lower-cased as Spark compares them, in order of appearance:
   * of {@code a.b} the column a (the rows are one table, without qualifiers, so b is a field of a).
   * Throws Spark's ParseException when it does not parse.
   */
  static List<String> columns(String expression) {
    Expression parsed = CatalystSqlParser$.MODULE$.parseExpression(expression);
    LinkedHashSet<String> names = new LinkedHashSet<>();
    // A rewrite that changes nothing: Catalyst's tree walk visits every node, which Java reaches
    // most simply through transform.
    parsed.transform(
        new AbstractPartialFunction<Expression, Expression>() {
          @Override
          public boolean isDefinedAt(Expression e) {
            return e instanceof UnresolvedAttribute;
          }

          @Override
          public Expression apply(Expression e) {
            UnresolvedAttribute attribute = (UnresolvedAttribute) e;
            List<String> parts =
                scala.collection.JavaConverters.seqAsJavaList(attribute.nameParts());
            names.add(parts.get(0).toLowerCase(Locale.ROOT));
            return e;
          }
        });
    return new ArrayList<>(names);
  }
}
