// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.jdbc;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.cli.JobOption;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.Job;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.spark.Columns;
import io.lakepipe.core.spark.QueryCompilation;
import io.lakepipe.core.table.DeltaTables;
import io.lakepipe.core.table.TableRead;
import io.lakepipe.ingest.Lineage;
import io.lakepipe.ingest.Quarantine;
import io.lakepipe.ingest.QuarantineAndBronze;
import io.lakepipe.ingest.files.CheckedCounts;
import io.lakepipe.ingest.files.LandedRecords;
import io.lakepipe.ingest.files.ParsedRecords;
import io.lakepipe.ingest.files.RecordParsing;
import io.lakepipe.ingest.source.JdbcSource;
import io.lakepipe.ingest.source.SchemaCheck;
import io.lakepipe.ingest.source.SourceDeclarations;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingests the changes of a declared JDBC source ({@code lakepipe.sources.<name>}, kind jdbc) for
 * one logical date: the row versions whose watermark lies after the last one ingested and before
 * the end of {@code ds}, typed to the declared schema and checked as landed files are ({@link
 * LandedRecords}: required columns, types, expectations, repeated keys). Valid versions are added
 * to bronze, keyed by the declared key (the watermark among its columns), so that bronze keeps the
 * whole history and a later as-of join finds the version valid at any time; invalid rows go to
 * quarantine with their reason.
 *
 * <p>Why reruns are safe: the lower end of the window is computed only from the partitions before
 * {@code ds} (the greatest watermark in bronze, and in quarantine up to the last date bronze has),
 * never from {@code ds}'s own partition, so a rerun or an Airflow retry reads the same window.
 * Bronze only inserts versions whose key it does not hold yet (one MERGE commit), so a rerun adds
 * nothing and never deletes a version: the source keeps only each row's latest version, and a rerun
 * of an old date after a later change must not rewrite the past. Quarantine replaces the partition
 * {@code ds} (one commit), a record of what that date's run rejected. A run killed before a commit
 * leaves that table at its previous version, and the rerun writes it. A run whose bad share fails
 * has written no bronze rows for its date, so its quarantined versions do not move the watermark of
 * the next dates.
 *
 * <p>Late commits: a transaction that set the watermark before another one but committed after it
 * leaves a row below the last watermark ingested. So a run reads from {@code late-commit-minutes}
 * before that watermark and drops the versions the earlier dates already took (bronze or
 * quarantine, by key): what remains of that margin is exactly the rows committed late.
 *
 * <p>Rows written counts the valid rows of the read (those already in bronze from an earlier
 * attempt included), so that read = written + quarantined holds for every run. Dates are meant to
 * run in order (the DAG runs one at a time); a version overwritten in the source before any run saw
 * it is lost.
 */
public final class IngestJdbc {
  private static final Logger LOG = LoggerFactory.getLogger(IngestJdbc.class);
  private static final String SOURCE_KIND = "jdbc";
  private static final LocalDate FIRST_DS = LocalDate.of(1900, 1, 1);

  /** Prefix of the columns that hold the key of a version an earlier date ingested. */
  private static final String INGESTED = "__ingested_";

  static final String SOURCE = "source";

  /** The source to ingest; part of the audit name, so two sources on one ds stay apart. */
  public static final List<JobOption> OPTIONS =
      List.of(
          JobOption.required(
                  SOURCE, "the JDBC source to ingest, a key of lakepipe.sources of kind jdbc")
              .inAuditName());

  private IngestJdbc() {}

  /** Reads and validates the source's declaration before Spark starts. */
  public static Job prepare(LakepipeConfig config, Map<String, String> options) {
    JdbcSource declared = SourceDeclarations.jdbc(config, options.get(SOURCE));
    JdbcTableSource.checkDeclaration(config, declared.section());
    return Job.startingInterpreted(context -> run(context, declared));
  }

  /**
   * The ingest of one declared source as a job whose declaration is read when it runs, for callers
   * that run jobs in a session of their own (integration tests).
   */
  public static Job of(String source) {
    return context -> run(context, SourceDeclarations.jdbc(context.config(), source));
  }

  static JobResult run(JobContext context, JdbcSource declared) {
    SchemaCheck.check(context.spark(), declared);
    LakepipeConfig config = context.config();
    JdbcTableSource source = JdbcTableSource.fromConfig(config, declared.section());
    String bronzePath = config.tablePath(declared.bronzeTable());
    String quarantinePath = config.tablePath(declared.quarantineTable());
    LocalDate ds = context.ds();
    String location = source.location();
    JobResult.Builder result = JobResult.builder().source(location);

    Ingested earlier = ingestedBefore(context, declared, bronzePath, quarantinePath, result);
    Instant last = earlier.watermark();
    // Read again from a while before the last watermark: a row committed late carries an earlier
    // one.
    Instant after = last == null ? null : last.minus(source.lateCommitLookback());
    Instant until = ds.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    LOG.info(
        "Reading {}: rows with {} after {} (the last one ingested, {}, less {} for late commits)"
            + " and before {}",
        location,
        source.watermarkColumn(),
        after == null ? "the beginning" : after,
        last,
        source.lateCommitLookback(),
        until);

    Dataset<Row> checked;
    CheckedCounts counts;
    try {
      // Read once: a checkpoint, so that the writes and the counts see the very same rows even if
      // the table changes meanwhile; a lost connection fails here, before any write.
      Dataset<Row> changes = source.readChanges(context.spark(), after, until);
      if (after != null) {
        changes = withoutIngested(changes, declared, earlier.keys());
      }
      checked =
          Quarantine.withRawOfInvalidOnly(check(changes, declared, ds, location, context.runId()))
              .localCheckpoint(true);
      counts = CheckedCounts.of(checked);
    } catch (LakepipeException e) {
      throw e;
    } catch (Exception e) {
      // Spark also throws checked exceptions (AnalysisException) that Java does not see declared.
      throw LakepipeErrors.jdbcReadFailed(location, e);
    }

    long read = counts.read();
    long quarantined = counts.quarantined();
    // The rows are read and checked by now; their writes compile if there are many.
    QueryCompilation.compileIfMoreRows(context.spark(), context.config(), read);
    context.progress().source(location).rows(read, 0, quarantined);
    QuarantineAndBronze.Versions versions =
        QuarantineAndBronze.commit(
            context.progress(),
            () -> counts.checkGates(declared, ds, location, declared.maxBadShare()),
            quarantinePath,
            // With the typed watermark, so that the next run's watermark also covers quarantined
            // versions.
            () ->
                context
                    .tables()
                    .replaceDsIfChanged(
                        Quarantine.filterInvalid(checked, declared.watermark()),
                        quarantined,
                        quarantinePath,
                        ds),
            bronzePath,
            // Most dates of a reference table change nothing: no merge to plan when no row is
            // valid.
            () ->
                read == quarantined && context.tables().exists(bronzePath)
                    ? context.tables().latestVersion(bronzePath)
                    : context
                        .tables()
                        .insertNew(
                            LandedRecords.bronze(checked, declared),
                            bronzePath,
                            ds,
                            declared.key()));
    long bronzeVersion = versions.bronze();
    long quarantineVersion = versions.quarantine();
    return result
        .rowsRead(read)
        .rowsWritten(read - quarantined)
        .rowsQuarantined(quarantined)
        .wrote(bronzePath, bronzeVersion)
        .wrote(quarantinePath, quarantineVersion)
        .summary(
            "bronze "
                + bronzePath
                + " v"
                + bronzeVersion
                + " (changes after "
                + (after == null ? "the beginning" : after)
                + " until "
                + until
                + ")")
        .build();
  }

  /**
   * The rows read, typed and checked against the declaration, with their lineage: valid rows have
   * no {@link Quarantine#REASON}; {@link LandedRecords#FAILED} names the broken expectations that
   * fail the run. Pure, no I/O.
   */
  public static Dataset<Row> check(
      Dataset<Row> changes, JdbcSource declared, LocalDate ds, String location, String runId) {
    ParsedRecords parsed =
        RecordParsing.ofTable(declared.schema(), declared.required()).table(changes);
    Dataset<Row> withLineage = Lineage.with(parsed.rows(), SOURCE_KIND, lit(location), runId);
    return LandedRecords.check(new ParsedRecords(withLineage, parsed.rules()), ds, declared);
  }

  /**
   * What the dates before {@code ds} ingested: the greatest watermark (null when nothing was
   * ingested yet), and the keys of those versions, in bronze's earlier partitions and in
   * quarantine's partitions up to the last date that bronze has (a date whose run failed its
   * bad-share check wrote no bronze rows, and is read again). Key values are compared as text, the
   * watermark as a timestamp: quarantine holds a rejected row's values only in its raw JSON.
   */
  record Ingested(Instant watermark, Dataset<Row> keys) {}

  static Ingested ingestedBefore(
      JobContext context,
      JdbcSource declared,
      String bronzePath,
      String quarantinePath,
      JobResult.Builder result) {
    String watermark = declared.watermark();
    LocalDate before = context.ds().minusDays(1);
    if (!context.tables().exists(bronzePath)) {
      return new Ingested(null, null);
    }
    TableRead bronze =
        context.tables().readDsRange(declared.bronzeTable(), bronzePath, FIRST_DS, before);
    result.read(bronzePath, bronze.version());
    Row last = bronze.rows().agg(max(col(DeltaTables.DS)), max(Columns.named(watermark))).head();
    if (last.isNullAt(0)) {
      return new Ingested(null, null);
    }
    Instant latest = last.isNullAt(1) ? null : last.getTimestamp(1).toInstant();
    Dataset<Row> keys = bronze.rows().select(ingestedKey(declared, Columns::named));
    if (context.tables().exists(quarantinePath)) {
      LocalDate lastBronzeDs = last.getDate(0).toLocalDate();
      TableRead quarantine =
          context
              .tables()
              .readDsRange(declared.quarantineTable(), quarantinePath, FIRST_DS, lastBronzeDs);
      result.read(quarantinePath, quarantine.version());
      Row quarantined = quarantine.rows().agg(max(Columns.named(watermark))).head();
      if (!quarantined.isNullAt(0)) {
        Timestamp q = quarantined.getTimestamp(0);
        latest = latest == null || q.toInstant().isAfter(latest) ? q.toInstant() : latest;
      }
      keys =
          keys.unionByName(
              quarantine
                  .rows()
                  .select(
                      ingestedKey(
                          declared,
                          column ->
                              column.equals(watermark)
                                  ? Columns.named(column)
                                  : get_json_object(col(Quarantine.RAW), "$." + column))));
    }
    return new Ingested(latest, keys);
  }

  /**
   * {@code changes} without the versions whose {@code keys} the dates before {@code ds} already
   * took: what the look-back for late commits reads again.
   */
  static Dataset<Row> withoutIngested(
      Dataset<Row> changes, JdbcSource declared, Dataset<Row> keys) {
    Column same = lit(true);
    for (String column : declared.key()) {
      Column value =
          column.equals(declared.watermark())
              ? expr("try_cast(" + Columns.quoted(column) + " AS timestamp)")
              : Columns.named(column).cast("string");
      same = same.and(value.eqNullSafe(col(INGESTED + column)));
    }
    return changes.join(keys.distinct(), same, "left_anti");
  }

  /** The key columns as {@link #withoutIngested} compares them, each from {@code value}. */
  private static Column[] ingestedKey(JdbcSource declared, Function<String, Column> value) {
    return declared.key().stream()
        .map(
            column -> {
              Column v = value.apply(column);
              return (column.equals(declared.watermark()) ? v : v.cast("string"))
                  .as(INGESTED + column);
            })
        .toArray(Column[]::new);
  }
}
