// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.audit;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.delta.exceptions.ProtocolChangedException;
import io.lakepipe.core.table.DeltaTables;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Appends one row per job run to the audit Delta table: at once, or, for the days of a range run,
 * {@link #batched} into fewer commits.
 */
public final class AuditLog {
  /**
   * The audit table's columns, which {@link #record} writes: what the report and other readers of
   * the table (and their tests) build on.
   */
  public static final StructType SCHEMA =
      new StructType()
          .add("run_id", DataTypes.StringType, false)
          .add("job", DataTypes.StringType, false)
          // Where the job read from (a file location, a JDBC table, a Kafka topic); null when it
          // failed early.
          .add("source", DataTypes.StringType, true)
          .add("ds", DataTypes.DateType, false)
          .add("status", DataTypes.StringType, false)
          .add("rows_read", DataTypes.LongType, false)
          .add("rows_written", DataTypes.LongType, false)
          .add("rows_quarantined", DataTypes.LongType, false)
          .add("versions_read", DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType))
          .add(
              "versions_written", DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType))
          .add("started_at", DataTypes.TimestampType, false)
          .add("duration_ms", DataTypes.LongType, false)
          .add("message", DataTypes.StringType, true);

  private final SparkSession spark;
  private final String path;
  private final Duration maxDelay;
  private final List<AuditRecord> pending = new ArrayList<>();
  private Instant oldestPending;

  /** An audit log that appends each run's row when it is recorded. */
  public AuditLog(SparkSession spark, String path) {
    this(spark, path, Duration.ZERO);
  }

  private AuditLog(SparkSession spark, String path, Duration maxDelay) {
    this.spark = spark;
    this.path = path;
    this.maxDelay = maxDelay;
  }

  /**
   * An audit log that keeps successful runs' rows for up to {@code maxDelay} and appends them
   * together: with one commit per day and job, a backfill of 181 days made about 1,300 commits and
   * small files of the audit table. A failed run's row is appended at once, with those kept; so are
   * the kept rows that a read through this log would see, and all of them on {@link #flush}. A
   * process killed before then loses the rows of its last {@code maxDelay} of successful runs (what
   * they wrote stays written).
   */
  public static AuditLog batched(SparkSession spark, String path, Duration maxDelay) {
    return new AuditLog(spark, path, maxDelay);
  }

  /** Rows read and quarantined by the failed runs of a job and date since its last success. */
  public record FailedRuns(int runs, long rowsRead, long rowsQuarantined) {
    public static final FailedRuns NONE = new FailedRuns(0, 0, 0);
  }

  /**
   * The failed runs of {@code job} for {@code ds} after its latest successful one: what a retry
   * must count with its own rows when it decides a quality gate, since a source that moves on (a
   * stream's checkpoint) does not give the retry those rows again.
   */
  public FailedRuns failedSinceLastSuccess(String job, LocalDate ds) {
    // Only a kept row of this job and date changes the answer (a range run keeps other days').
    if (pending.stream().anyMatch(run -> run.job().equals(job) && run.ds().equals(ds))) {
      flush();
    }
    if (!new DeltaTables(spark).exists(path)) {
      return FailedRuns.NONE;
    }
    List<Row> runs =
        spark
            .read()
            .format("delta")
            .load(path)
            .where(col("job").equalTo(lit(job)).and(col("ds").equalTo(lit(Date.valueOf(ds)))))
            .select("status", "started_at", "rows_read", "rows_quarantined")
            .collectAsList();
    Timestamp lastSuccess =
        runs.stream()
            .filter(run -> AuditRecord.SUCCEEDED.equals(run.getString(0)))
            .map(run -> run.getTimestamp(1))
            .max(Comparator.naturalOrder())
            .orElse(new Timestamp(Long.MIN_VALUE));
    List<Row> failed =
        runs.stream()
            .filter(run -> AuditRecord.FAILED.equals(run.getString(0)))
            .filter(run -> run.getTimestamp(1).after(lastSuccess))
            .toList();
    return new FailedRuns(
        failed.size(),
        failed.stream().mapToLong(run -> run.getLong(2)).sum(),
        failed.stream().mapToLong(run -> run.getLong(3)).sum());
  }

  /**
   * Records one run: appends its row now, or keeps it for a later append (see {@link #batched}).
   */
  public void record(AuditRecord run) {
    if (pending.isEmpty()) {
      oldestPending = Instant.now();
    }
    pending.add(run);
    if (AuditRecord.FAILED.equals(run.status())
        || !Instant.now().isBefore(oldestPending.plus(maxDelay))) {
      flush();
    }
  }

  /** Appends every row kept so far, in one commit; nothing when none is kept. */
  public void flush() {
    if (pending.isEmpty()) {
      return;
    }
    List<Row> rows = pending.stream().map(AuditLog::row).toList();
    try {
      append(rows);
    } catch (ProtocolChangedException e) {
      // Two jobs' first rows at once into a lakehouse without the table (an Airflow pool of more
      // than one slot): one of them creates it and the other is refused ("multiple writers are
      // writing to an empty directory"). Nothing of this append was committed; the table is there
      // now, and appends to it do not conflict.
      append(rows);
    }
    pending.clear();
  }

  private void append(List<Row> rows) {
    spark
        .createDataFrame(rows, SCHEMA)
        .write()
        .format("delta")
        .mode(SaveMode.Append)
        // A newer lakepipe may add audit columns; appending merges them into an older table.
        .option("mergeSchema", "true")
        .save(path);
  }

  private static Row row(AuditRecord run) {
    return RowFactory.create(
        run.runId(),
        run.job(),
        run.source(),
        Date.valueOf(run.ds()),
        run.status(),
        run.rowsRead(),
        run.rowsWritten(),
        run.rowsQuarantined(),
        run.versionsRead(),
        run.versionsWritten(),
        Timestamp.from(run.startedAt()),
        run.durationMs(),
        run.message());
  }
}
