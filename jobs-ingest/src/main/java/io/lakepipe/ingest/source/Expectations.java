// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.source;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import io.lakepipe.ingest.Quarantine;
import java.util.List;
import org.apache.spark.sql.Column;

/**
 * Declared expectations as quarantine rules: a row breaks one where its condition is false. A null
 * condition (from a nullable column) breaks nothing: whether a column may be empty is the
 * declaration's {@code required}, checked when the record is parsed. Pure, no I/O.
 */
public final class Expectations {
  private Expectations() {}

  /** One rule per expectation, in declared order, each yielding the expectation's name. */
  public static List<Column> rules(List<Expectation> expectations) {
    return expectations.stream().map(e -> Quarantine.rule(broken(e), e.name())).toList();
  }

  /**
   * The names of the broken expectations declared {@code action = fail}, joined by "; ", or null
   * when the row breaks none.
   */
  public static Column failures(List<Expectation> expectations) {
    return Quarantine.reasons(
        rules(expectations.stream().filter(e -> e.action() == Expectation.Action.FAIL).toList()));
  }

  private static Column broken(Expectation expectation) {
    return coalesce(expr(expectation.sql()), lit(true)).unary_$bang();
  }
}
