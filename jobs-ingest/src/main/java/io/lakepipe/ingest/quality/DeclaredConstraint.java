// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.quality;

import com.amazon.deequ.checks.Check;
import java.util.ArrayList;
import java.util.List;
import scala.Function1;
import scala.Option;
import scala.collection.JavaConverters;
import scala.collection.Seq;
import scala.util.matching.Regex;

/**
 * One constraint declared in {@code lakepipe.checks.<table>.constraints}, and the Deequ call it
 * makes. Deequ names a constraint after its call and arguments (the name is what the results table
 * keeps over time), so each kind makes exactly one call of Deequ's {@link Check} API, with the
 * arguments the hand-written flights gate passed before the checks were declared.
 */
public sealed interface DeclaredConstraint {
  /** Where a declaration is: its full key and the file and line that declared it, for errors. */
  record Declared(String key, String origin) {}

  Declared declared();

  /** The table columns the constraint reads by name; a condition's columns are in its SQL. */
  List<String> columns();

  /** The check with this constraint added. */
  Check addTo(Check check);

  /** {@code kind = row-count}: the ds has between min and max rows. */
  record RowCount(Declared declared, long min, long max, String hint)
      implements DeclaredConstraint {
    /** The max of a row count declared without one. */
    public static final long UNBOUNDED = Long.MAX_VALUE;

    @Override
    public List<String> columns() {
      return List.of();
    }

    @Override
    public Check addTo(Check check) {
      String reason =
          hint != null
              ? hint
              : max == UNBOUNDED
                  ? "at least " + min + " rows"
                  : "between " + min + " and " + max + " rows";
      Function1<Object, Object> inRange =
          size -> {
            long rows = ((Number) size).longValue();
            return rows >= min && rows <= max;
          };
      return check.hasSize(inRange, Option.apply(reason));
    }
  }

  /** {@code kind = complete}: no null in each of the columns, one Deequ constraint per column. */
  record Complete(Declared declared, List<String> columns, String hint)
      implements DeclaredConstraint {
    @Override
    public Check addTo(Check check) {
      for (String column : columns) {
        check = check.isComplete(column, Option.apply(hint), Option.empty());
      }
      return check;
    }
  }

  /** {@code kind = unique}: every combination of the columns' values occurs in one row only. */
  record Unique(Declared declared, List<String> columns, String hint)
      implements DeclaredConstraint {
    @Override
    public Check addTo(Check check) {
      return check.hasUniqueness(seq(columns), atLeast(1.0), Option.apply(hint));
    }
  }

  /** {@code kind = range}: every non-null value of the column lies in [min, max]. */
  record Range(Declared declared, String column, double min, double max, String hint)
      implements DeclaredConstraint {
    @Override
    public List<String> columns() {
      return List.of(column);
    }

    @Override
    public Check addTo(Check check) {
      // Both bounds included: includeUpperBound, then includeLowerBound.
      return check.isContainedIn(column, min, max, true, true, Option.apply(hint), Option.empty());
    }
  }

  /** {@code kind = min-above}: the smallest value of the column is above {@code value}. */
  record MinAbove(Declared declared, String column, double value, String hint)
      implements DeclaredConstraint {
    @Override
    public List<String> columns() {
      return List.of(column);
    }

    @Override
    public Check addTo(Check check) {
      Function1<Object, Object> above = min -> ((Number) min).doubleValue() > value;
      return check.hasMin(column, above, Option.apply(hint), Option.empty());
    }
  }

  /**
   * {@code kind = pattern}: at least {@code minShare} of the column's values contain a match of the
   * regex; {@code name}, when not null, replaces Deequ's constraint name.
   */
  record PatternMatch(
      Declared declared, String column, String regex, String name, double minShare, String hint)
      implements DeclaredConstraint {
    @Override
    public List<String> columns() {
      return List.of(column);
    }

    @Override
    public Check addTo(Check check) {
      return check.hasPattern(
          column,
          new Regex(regex, seq(List.of())),
          atLeast(minShare),
          Option.apply(name),
          Option.apply(hint),
          Option.empty());
    }
  }

  /** {@code kind = condition}: the Spark SQL boolean is true for at least minShare of the rows. */
  record Condition(Declared declared, String name, String sql, double minShare, String hint)
      implements DeclaredConstraint {
    @Override
    public List<String> columns() {
      return List.of();
    }

    @Override
    public Check addTo(Check check) {
      return check.satisfies(
          sql,
          name,
          atLeast(minShare),
          Option.apply(hint),
          check.satisfies$default$5(),
          Option.empty());
    }
  }

  private static Function1<Object, Object> atLeast(double share) {
    return value -> ((Number) value).doubleValue() >= share;
  }

  /**
   * A Scala sequence of the items. A mutable buffer, as the flights gate passed its unique columns:
   * Deequ's constraint name shows the collection, {@code Uniqueness(Buffer(flight_ts, ...))}.
   */
  private static <T> Seq<T> seq(List<T> items) {
    return JavaConverters.asScalaBufferConverter(new ArrayList<>(items)).asScala().toSeq();
  }
}
