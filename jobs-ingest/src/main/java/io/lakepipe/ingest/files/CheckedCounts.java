// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.files;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.ingest.Quarantine;
import io.lakepipe.ingest.source.DeclaredRows;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What the gates of an ingest and its audit row need to know of a date's checked rows ({@link
 * LandedRecords#check}): how many were read and quarantined, and how many broke an expectation
 * declared {@code action = fail}, with the first such expectation's name.
 */
public record CheckedCounts(long read, long quarantined, long failed, String failedExpectation) {

  /** Counts the checked rows in one pass; count(column) skips the nulls of valid rows. */
  public static CheckedCounts of(Dataset<Row> checked) {
    Row counts =
        checked
            .agg(
                count(lit(1)),
                count(col(Quarantine.REASON)),
                count(col(LandedRecords.FAILED)),
                first(col(LandedRecords.FAILED), true))
            .head();
    return new CheckedCounts(
        counts.getLong(0), counts.getLong(1), counts.getLong(2), counts.getString(3));
  }

  /**
   * The gates before bronze: no row broke an expectation declared to fail, and the quarantined
   * share of what {@code location} gave for {@code ds} is within {@code maxBadShare}.
   */
  public void checkGates(DeclaredRows source, LocalDate ds, String location, double maxBadShare) {
    if (failed > 0) {
      throw LakepipeErrors.expectationFailed(
          source.declaredAt(), ds.toString(), failed, failedExpectation);
    }
    Quarantine.checkBadShare(location, ds, quarantined, read, maxBadShare);
  }
}
