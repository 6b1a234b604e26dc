package io.lakepipe.ingest.jdbc;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.table.DeltaTables;
import io.lakepipe.core.table.TableRead;
import io.lakepipe.ingest.Lineage;
import io.lakepipe.ingest.Quarantine;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingests the changes of the airports reference table (PostgreSQL) for one logical date: the airport
 * versions whose watermark ({@code updated_at}) lies after the last one ingested and before the end of
 * {@code ds}. Valid versions are added to bronze, keyed by (iata, updated_at), so that bronze keeps the
 * whole history and a later as-of join finds the version valid at any time; invalid rows go to
 * quarantine with their reason.
 *
 * <p>Why reruns are safe: the lower end of the window is computed only from the partitions before
 * {@code ds} (the greatest watermark in bronze, and in quarantine up to the last date bronze has), never
 * from {@code ds}'s own partition, so a rerun or an Airflow retry reads the same window. Bronze only
 * inserts versions whose key it does not hold yet (one MERGE commit), so a rerun adds nothing and never
 * deletes a version: the source keeps only each airport's latest version, and a rerun of an old date
 * after a later change must not rewrite the past. Quarantine replaces the partition {@code ds} (one
 * commit), a record of what that date's run rejected. A run killed before a commit leaves that table
 * at its previous version, and the rerun writes it. A run whose bad share fails has written no bronze
 * rows for its date, so its quarantined versions do not move the watermark of the next dates.
 *
 * <p>Late commits: a transaction that set {@code updated_at} before another one but committed after it
 * leaves a row below the last watermark ingested. So a run reads from {@code late-commit-minutes}
 * before that watermark and drops the versions the earlier dates already took (bronze or quarantine,
 * by iata and watermark): what remains of that margin is exactly the rows committed late.
 *
 * <p>Rows written counts the valid rows of the read (those already in bronze from an earlier attempt
 * included), so that read = written + quarantined holds for every run. Dates are meant to run in order
 * (the DAG runs one at a time); a version overwritten in the source before any run saw it is lost.
 */
public final class IngestAirports {
  private static final Logger LOG = LoggerFactory.getLogger(IngestAirports.class);
  private static final String SOURCE_KIND = "jdbc";
  private static final LocalDate FIRST_DS = LocalDate.of(1900, 1, 1);
  private static final String KEY_IATA = "__ingested_iata";
  private static final String KEY_VALID_FROM = "__ingested_valid_from";

  private IngestAirports() {}

  public static JobResult run(JobContext context) {
    LakepipeConfig config = context.config();
    JdbcTableSource source = JdbcTableSource.fromConfig(config, "sources.airports");
    AirportValidation validation = new AirportValidation(source.watermarkColumn());
    double maxBadShare = config.number("ingest.airports.max-bad-share");
    String bronzePath = config.tablePath("bronze-airports");
    String quarantinePath = config.tablePath("quarantine-airports");
    LocalDate ds = context.ds();
    String location = source.location();
    JobResult.Builder result = JobResult.builder().source(location);

    Ingested earlier =
        ingestedBefore(context, source.watermarkColumn(), bronzePath, quarantinePath, result);
    Instant last = earlier.watermark();
    // Read again from a while before the last watermark: a row committed late carries an earlier one.
    Instant after = last == null ? null : last.minus(source.lateCommitLookback());
    Instant until = ds.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    LOG.info("Reading {}: rows with {} after {} (the last one ingested, {}, less {} for late commits)"
        + " and before {}", location, source.watermarkColumn(),
        after == null ? "the beginning" : after, last, source.lateCommitLookback(), until);

    Dataset<Row> checked;
    long read;
    long quarantined;
    try {
      // Read once: a checkpoint, so that the writes and the counts see the very same rows even if
      // the table changes meanwhile; a lost connection fails here, before any write.
      Dataset<Row> changes = source.readChanges(context.spark(), after, until);
      if (after != null) {
        changes = withoutIngested(changes, source.watermarkColumn(), earlier.keys());
      }
      checked = Lineage.with(validation.check(changes), SOURCE_KIND, lit(location), context.runId())
          .localCheckpoint(true);
      Row counts = checked.agg(count(lit(1)), count(col(Quarantine.REASON))).head();
      read = counts.getLong(0);
      quarantined = counts.getLong(1);
    } catch (LakepipeException e) {
      throw e;
    } catch (Exception e) {
      // Spark also throws checked exceptions (AnalysisException) that Java does not see declared.
      throw LakepipeErrors.jdbcReadFailed(location, e);
    }

    long quarantineVersion =
        context.tables().replaceDs(validation.toQuarantine(checked), quarantinePath, ds);
    // What a failed gate leaves written, for the audit row.
    context.progress().source(location).rows(read, 0, quarantined)
        .wrote(quarantinePath, quarantineVersion);
    Quarantine.checkBadShare(location, ds, quarantined, read, maxBadShare);
    long bronzeVersion = context.tables().insertNew(Quarantine.filterValid(checked), bronzePath, ds,
        List.of("iata", source.watermarkColumn()));
    return result
        .rowsRead(read)
        .rowsWritten(read - quarantined)
        .rowsQuarantined(quarantined)
        .wrote(bronzePath, bronzeVersion)
        .wrote(quarantinePath, quarantineVersion)
        .summary("bronze " + bronzePath + " v" + bronzeVersion + " (changes after "
            + (after == null ? "the beginning" : after) + " until " + until + ")")
        .build();
  }

  /**
   * What the dates before {@code ds} ingested: the greatest watermark (null when nothing was
   * ingested yet), and the (iata, watermark) keys of those versions, in bronze's earlier partitions
   * and in quarantine's partitions up to the last date that bronze has (a date whose run failed its
   * bad-share check wrote no bronze rows, and is read again).
   */
  record Ingested(Instant watermark, Dataset<Row> keys) {}

  static Ingested ingestedBefore(JobContext context, String watermark, String bronzePath,
      String quarantinePath, JobResult.Builder result) {
    LocalDate before = context.ds().minusDays(1);
    if (!context.tables().exists(bronzePath)) {
      return new Ingested(null, null);
    }
    TableRead bronze = context.tables().readDsRange("bronze-airports", bronzePath, FIRST_DS, before);
    result.read(bronzePath, bronze.version());
    Row last = bronze.rows().agg(max(col(DeltaTables.DS)), max(col(watermark))).head();
    if (last.isNullAt(0)) {
      return new Ingested(null, null);
    }
    Instant latest = last.isNullAt(1) ? null : last.getTimestamp(1).toInstant();
    Dataset<Row> keys =
        bronze.rows().select(col("iata").as(KEY_IATA), col(watermark).as(KEY_VALID_FROM));
    if (context.tables().exists(quarantinePath)) {
      LocalDate lastBronzeDs = last.getDate(0).toLocalDate();
      TableRead quarantine =
          context.tables().readDsRange("quarantine-airports", quarantinePath, FIRST_DS, lastBronzeDs);
      result.read(quarantinePath, quarantine.version());
      Row quarantined = quarantine.rows().agg(max(col(watermark))).head();
      if (!quarantined.isNullAt(0)) {
        Timestamp q = quarantined.getTimestamp(0);
        latest = latest == null || q.toInstant().isAfter(latest) ? q.toInstant() : latest;
      }
      keys = keys.unionByName(quarantine.rows()
          .select(get_json_object(col(Quarantine.RAW), "$.iata").as(KEY_IATA),
              col(watermark).as(KEY_VALID_FROM)));
    }
    return new Ingested(latest, keys);
  }

  /**
   * {@code changes} without the versions whose {@code keys} the dates before {@code ds} already took
   * (same iata and watermark): what the look-back for late commits reads again.
   */
  static Dataset<Row> withoutIngested(Dataset<Row> changes, String watermark, Dataset<Row> keys) {
    Column typed = expr("try_cast(`" + watermark.replace("`", "``") + "` AS timestamp)");
    return changes.join(keys.distinct(), col("iata").eqNullSafe(col(KEY_IATA))
        .and(typed.eqNullSafe(col(KEY_VALID_FROM))), "left_anti");
  }
}
