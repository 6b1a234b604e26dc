// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.audit.AuditLog;
import io.lakepipe.core.spark.Columns;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The quarantine contract shared by every ingest: a checked row carries {@link #REASON} (null when
 * valid) and {@link #RAW} (the record exactly as the source gave it). Invalid rows go to the
 * source's quarantine table with both, plus {@link Lineage}; nothing is dropped. Pure
 * transformations, no I/O.
 */
public final class Quarantine {
  /** Every broken rule of a row, joined by "; "; null when the row is valid. */
  public static final String REASON = "quarantine_reason";

  /** The record as the source gave it: a CSV or JSON line, a Kafka value, a JDBC row as JSON. */
  public static final String RAW = "raw_record";

  private Quarantine() {}

  /** A rule: yields {@code reason} where {@code broken} is true, else null. */
  public static Column rule(Column broken, String reason) {
    return when(broken, lit(reason));
  }

  /** A rule whose reason is computed per row, for reasons that quote the bad value. */
  public static Column rule(Column broken, Column reason) {
    return when(broken, reason);
  }

  /** Adds {@link #REASON}: the non-null reasons of the rules joined by "; ", or null. */
  public static Dataset<Row> withReason(Dataset<Row> rows, List<Column> rules) {
    return rows.withColumn(REASON, reasons(rules));
  }

  /**
   * Adds {@link #REASON} in two stages: the record rules first; the value rules only for records
   * that passed them, since values parsed out of a broken record would only add noise.
   */
  public static Dataset<Row> withReason(
      Dataset<Row> rows, List<Column> recordRules, List<Column> valueRules) {
    Column recordReason = reasons(recordRules);
    return rows.withColumn(
        REASON, when(recordReason.isNotNull(), recordReason).otherwise(reasons(valueRules)));
  }

  /** The non-null reasons of the rules joined by "; ", or null when no rule is broken. */
  public static Column reasons(List<Column> rules) {
    // concat_ws skips nulls, so a valid row yields "" and becomes null below.
    Column joined = concat_ws("; ", rules.toArray(Column[]::new));
    return when(joined.equalTo(""), lit(null)).otherwise(joined);
  }

  /**
   * The checked rows with {@link #RAW} kept only on the rows the quarantine takes: bronze never
   * reads it, so the cache or checkpoint of a day's checked rows need not hold every record twice,
   * as text and parsed (with the two commits at once, one big day of 3M rows took 52 s instead of
   * 60 s to ingest, bench/file-ingest --one-day).
   */
  public static Dataset<Row> withRawOfInvalidOnly(Dataset<Row> checked) {
    return checked.withColumn(RAW, when(col(REASON).isNotNull(), col(RAW)));
  }

  /** Keeps the valid rows, without the reason and raw columns. */
  public static Dataset<Row> filterValid(Dataset<Row> checked) {
    Dataset<Row> valid = checked.where(col(REASON).isNull()).drop(REASON);
    return List.of(valid.columns()).contains(RAW) ? valid.drop(RAW) : valid;
  }

  /**
   * Quarantine rows: raw record, reason, the {@code kept} columns and lineage of the rows that
   * failed a rule.
   */
  public static Dataset<Row> filterInvalid(Dataset<Row> checked, String... kept) {
    List<Column> columns = new ArrayList<>(List.of(col(RAW), col(REASON).as("reason")));
    Arrays.stream(kept).map(Columns::named).forEach(columns::add);
    columns.addAll(List.of(Lineage.columns()));
    return checked.where(col(REASON).isNotNull()).select(columns.toArray(Column[]::new));
  }

  /** Fails the run when the share of quarantined rows passes the configured threshold. */
  public static void checkBadShare(
      String source, LocalDate ds, long quarantined, long read, double maxShare) {
    if (exceeds(quarantined, read, maxShare)) {
      throw LakepipeErrors.badShareExceeded(source, ds.toString(), quarantined, read, maxShare);
    }
  }

  /**
   * As {@link #checkBadShare(String, LocalDate, long, long, double)}, counting with this run the
   * date's {@code earlier} failed runs, whose rows a retry does not read again (a stream's
   * checkpoint moved on); the error names {@code lakepipe.<limitKey>}, what accepts the date.
   */
  public static void checkBadShare(
      String source,
      LocalDate ds,
      long quarantined,
      long read,
      double maxShare,
      AuditLog.FailedRuns earlier,
      String limitKey) {
    if (earlier.runs() == 0) {
      checkBadShare(source, ds, quarantined, read, maxShare);
      return;
    }
    long bad = quarantined + earlier.rowsQuarantined();
    long all = read + earlier.rowsRead();
    if (exceeds(bad, all, maxShare)) {
      throw LakepipeErrors.badShareExceededAcrossRuns(
          source, ds.toString(), bad, all, maxShare, earlier.runs(), limitKey);
    }
  }

  private static boolean exceeds(long quarantined, long read, double maxShare) {
    return read > 0 && (double) quarantined / read > maxShare;
  }
}
