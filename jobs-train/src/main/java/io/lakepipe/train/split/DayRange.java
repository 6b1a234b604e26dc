// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.split;

import static org.apache.spark.sql.functions.col;

import io.lakepipe.core.table.DeltaTables;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** The days {@code from} to {@code to}, both included. */
public record DayRange(LocalDate from, LocalDate to) {
  public DayRange {
    if (to.isBefore(from)) {
      throw new IllegalArgumentException(
          "Day range ends (" + to + ") before it starts (" + from + ")");
    }
  }

  public long days() {
    return ChronoUnit.DAYS.between(from, to) + 1;
  }

  /** Whether the day falls in this range. */
  public boolean contains(LocalDate day) {
    return !day.isBefore(from) && !day.isAfter(to);
  }

  /** The rows whose ds falls in this range. */
  public Dataset<Row> filter(Dataset<Row> rows) {
    return rows.where(col(DeltaTables.DS).between(from.toString(), to.toString()));
  }

  @Override
  public String toString() {
    return from.equals(to) ? from.toString() : from + ".." + to;
  }
}
