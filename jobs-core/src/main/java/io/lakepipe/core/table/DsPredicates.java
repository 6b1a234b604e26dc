// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.table;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.time.LocalDate;
import java.util.Collection;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;

/**
 * Conditions on the logical date {@link DeltaTables#DS} that compare it as its ISO text
 * ('yyyy-MM-dd', whose order is the dates' order). Spark writes a date or timestamp literal into
 * the Java code it generates and compiles, but keeps a string literal out of it; so a condition on
 * a date literal makes the same query compile again for every new day of a range run (Delta's log
 * scan for a replaceWhere alone is a class of 4,400 lines, about 0.1 s to compile), and one on the
 * text compiles once. On a partition column Spark and Delta prune files with it all the same, and
 * evaluate it per file, not per row.
 */
public final class DsPredicates {
  private DsPredicates() {}

  /** ds as its ISO text. */
  private static Column dsText() {
    return col(DeltaTables.DS).cast("string");
  }

  /** ds is {@code day}. */
  public static Column dsIs(LocalDate day) {
    return dsText().equalTo(lit(day.toString()));
  }

  /** ds is before {@code day}. */
  public static Column dsBefore(LocalDate day) {
    return dsText().lt(lit(day.toString()));
  }

  /** ds is {@code day} or before. */
  public static Column dsAtMost(LocalDate day) {
    return dsText().leq(lit(day.toString()));
  }

  /** ds is {@code day} or after. */
  public static Column dsAtLeast(LocalDate day) {
    return dsText().geq(lit(day.toString()));
  }

  /** ds is in {@code [from, to]}. */
  public static Column dsBetween(LocalDate from, LocalDate to) {
    return dsText().between(lit(from.toString()), lit(to.toString()));
  }

  /** ds is one of {@code days}, as SQL text for Delta's replaceWhere and delete conditions. */
  public static String dsInSql(Collection<LocalDate> days) {
    return new TreeSet<>(days)
        .stream()
            .map(day -> "'" + day + "'")
            .collect(Collectors.joining(", ", "CAST(" + DeltaTables.DS + " AS STRING) IN (", ")"));
  }
}
