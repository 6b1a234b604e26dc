// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.job;

import io.lakepipe.core.audit.AuditLog;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.table.DeltaTables;
import java.time.LocalDate;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * What a job run gets: its session, configuration, logical date, run id, table I/O, the values of
 * the options the job declared (see {@link io.lakepipe.core.cli.JobOption}), its audit name, and
 * the progress it reports as it writes (what its audit row holds if it fails).
 *
 * @param job the run's audit name (e.g. {@code ingest-kafka:flight-events}), set by {@link
 *     io.lakepipe.core.cli.JobRunner#runAudited}; null when a test calls a job directly
 * @param until the last day of the range run ({@code --until}) that this day is part of, ds itself
 *     in a daily run: a job may prepare the days after ds that it is about to run, as the feature
 *     build does with its daily stats, but writes ds's own partitions exactly as a daily run
 * @param audit where the run's audit row goes: a range run's batched log, or null for one that
 *     appends at once (see {@link #audit()})
 */
public record JobContext(
    SparkSession spark,
    LakepipeConfig config,
    LocalDate ds,
    String runId,
    DeltaTables tables,
    Map<String, String> options,
    String job,
    RunProgress progress,
    LocalDate until,
    AuditLog audit) {

  public JobContext {
    options = Map.copyOf(options);
    if (until == null) {
      until = ds;
    } else if (until.isBefore(ds)) {
      throw new IllegalArgumentException("A range ends on " + until + ", before its day " + ds);
    }
  }

  /** The context of a job that declares no options of its own. */
  public static JobContext of(
      SparkSession spark, LakepipeConfig config, LocalDate ds, String runId) {
    return of(spark, config, ds, runId, Map.of());
  }

  public static JobContext of(
      SparkSession spark,
      LakepipeConfig config,
      LocalDate ds,
      String runId,
      Map<String, String> options) {
    return new JobContext(
        spark,
        config,
        ds,
        runId,
        new DeltaTables(spark),
        options,
        null,
        new RunProgress(),
        ds,
        null);
  }

  /** This context for one audited run of {@code name}, with fresh progress. */
  public JobContext forJob(String name) {
    return new JobContext(
        spark, config, ds, runId, tables, options, name, new RunProgress(), until, audit);
  }

  /** This context as one day of a range run that ends on {@code last}. */
  public JobContext inRange(LocalDate last) {
    return new JobContext(spark, config, ds, runId, tables, options, job, progress, last, audit);
  }

  /** This context with its audit row going to {@code log} (a range run's batched log). */
  public JobContext auditedIn(AuditLog log) {
    return new JobContext(spark, config, ds, runId, tables, options, job, progress, until, log);
  }

  /**
   * The audit log of the run: the range run's, which batches its days' rows, else one that appends
   * each row at once. Read the audit table through it, so that the rows it still keeps are written
   * first.
   */
  @Override
  public AuditLog audit() {
    return audit != null ? audit : new AuditLog(spark, config.tablePath("audit-runs"));
  }

  /**
   * The value of one of the job's declared options, e.g. {@code option("table")} for {@code
   * --table}; a name the job did not declare is a programming error.
   */
  public String option(String name) {
    String value = options.get(name);
    if (value == null) {
      throw new IllegalArgumentException(
          "The job declares no option --" + name + "; it has " + options.keySet());
    }
    return value;
  }
}
