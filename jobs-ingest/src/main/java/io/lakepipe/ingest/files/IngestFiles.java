// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.files;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.trim;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.cli.JobOption;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.Job;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.spark.QueryCompilation;
import io.lakepipe.ingest.Lineage;
import io.lakepipe.ingest.Quarantine;
import io.lakepipe.ingest.QuarantineAndBronze;
import io.lakepipe.ingest.source.FileFormat;
import io.lakepipe.ingest.source.FileSource;
import io.lakepipe.ingest.source.SchemaCheck;
import io.lakepipe.ingest.source.SourceDeclarations;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingests the files landed for one logical date of a declared file source ({@code
 * lakepipe.sources.<name>}, kind files) into its bronze table; every record that fails to parse or
 * breaks an expectation goes to its quarantine table with its raw text and reason. Both writes
 * replace the date's partition in one commit each, so reruns and retries are safe, and a run killed
 * before a commit leaves that table at its previous version.
 */
public final class IngestFiles {
  private static final Logger LOG = LoggerFactory.getLogger(IngestFiles.class);
  private static final String SOURCE_KIND = "file";

  /** How Spark names the file a task could not read (a truncated gzip, a corrupt Parquet file). */
  private static final Pattern UNREADABLE_FILE =
      Pattern.compile("Encountered error while reading file (\\S+?)\\.(?:\\s|$)");

  static final String SOURCE = "source";

  /** The source to ingest; part of the audit name, so two sources on one ds stay apart. */
  public static final List<JobOption> OPTIONS =
      List.of(
          JobOption.required(
                  SOURCE, "the file source to ingest, a key of lakepipe.sources of kind files")
              .inAuditName());

  private IngestFiles() {}

  /** Reads and validates the source's declaration before Spark starts. */
  public static Job prepare(LakepipeConfig config, Map<String, String> options) {
    FileSource source = SourceDeclarations.files(config, options.get(SOURCE));
    return Job.startingInterpreted(context -> run(context, source));
  }

  /**
   * The ingest of one declared source as a job whose declaration is read when it runs, for callers
   * that run jobs in a session of their own (integration tests, benchmarks).
   */
  public static Job of(String source) {
    return context -> run(context, SourceDeclarations.files(context.config(), source));
  }

  static JobResult run(JobContext context, FileSource source) {
    SchemaCheck.check(context.spark(), source);
    // Timestamps without an offset are read in the source's zone, and their date taken there.
    String zoneKey = "spark.sql.session.timeZone";
    String sessionZone = context.spark().conf().get(zoneKey);
    context.spark().conf().set(zoneKey, source.timeZone());
    try {
      return ingest(context, source);
    } finally {
      context.spark().conf().set(zoneKey, sessionZone);
    }
  }

  private static JobResult ingest(JobContext context, FileSource source) {
    LakepipeConfig config = context.config();
    String bronzePath = config.tablePath(source.bronzeTable());
    String quarantinePath = config.tablePath(source.quarantineTable());
    LandingArea landing = LandingAreas.of(source.location(), config, context.spark());
    String folder = landing.folder(context.ds());
    List<String> files = landing.files(context.ds());
    if (files.isEmpty()) {
      if (source.emptyDays()) {
        return emptyDay(context, folder, bronzePath, quarantinePath);
      }
      throw LakepipeErrors.landingMissing(folder, context.ds().toString());
    }
    LOG.info(
        "Ingesting {} {} file(s) of source {} landed for ds={} in {}",
        files.size(),
        source.format().configName(),
        source.name(),
        context.ds(),
        folder);

    QueryCompilation.compileIfMoreLandedBytes(
        context.spark(), config, () -> landedBytes(context.spark(), files));
    long started = System.nanoTime();
    Dataset<Row> checked =
        Quarantine.withRawOfInvalidOnly(
                LandedRecords.check(parse(context, source, files), context.ds(), source))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      CheckedCounts counts;
      try {
        counts = CheckedCounts.of(checked);
      } catch (Exception e) {
        if (e instanceof SparkException || e.getCause() instanceof SparkException) {
          Optional<String> file = unreadableFile(e);
          throw file.isPresent()
              ? LakepipeErrors.landedFileUnreadable(folder, file.get(), e)
              : LakepipeErrors.sourceUnreadable(folder, e);
        }
        throw e;
      }
      long read = counts.read();
      long quarantined = counts.quarantined();
      if (read == 0) {
        throw LakepipeErrors.landingEmpty(folder, context.ds().toString(), files.size());
      }
      LOG.info(
          "ds={}: {} records parsed and checked in {} ms, {} to quarantine",
          context.ds(),
          read,
          millisSince(started),
          quarantined);
      context.progress().source(folder).rows(read, 0, quarantined);
      QuarantineAndBronze.Versions versions =
          QuarantineAndBronze.commit(
              context.progress(),
              () -> counts.checkGates(source, context.ds(), folder, source.maxBadShare()),
              quarantinePath,
              // A clean day only has to clear what an earlier run of the date may have quarantined.
              () ->
                  quarantined == 0 && context.tables().exists(quarantinePath)
                      ? context.tables().deleteDs(quarantinePath, context.ds())
                      : context
                          .tables()
                          .replaceDs(
                              Quarantine.filterInvalid(checked), quarantinePath, context.ds()),
              bronzePath,
              () ->
                  context
                      .tables()
                      .replaceDs(LandedRecords.bronze(checked, source), bronzePath, context.ds()));
      long bronzeVersion = versions.bronze();
      long quarantineVersion = versions.quarantine();
      LOG.info(
          "Bronze v{} and quarantine v{} written after {} ms",
          bronzeVersion,
          quarantineVersion,
          millisSince(started));
      return JobResult.builder()
          .source(folder)
          .rowsRead(read)
          .rowsWritten(read - quarantined)
          .rowsQuarantined(quarantined)
          .wrote(bronzePath, bronzeVersion)
          .wrote(quarantinePath, quarantineVersion)
          .summary(
              "bronze " + bronzePath + " v" + bronzeVersion + ", quarantine v" + quarantineVersion)
          .build();
    } finally {
      checked.unpersist();
    }
  }

  /**
   * A day without files of a source that allows it: no record, so the day's partitions are cleared
   * of what an earlier run of the date wrote (a rerun leaves what one run would), and nothing is
   * committed to a table that does not exist.
   */
  private static JobResult emptyDay(
      JobContext context, String folder, String bronzePath, String quarantinePath) {
    LOG.info("No files landed for ds={} in {}: a day without records", context.ds(), folder);
    JobResult.Builder result = JobResult.builder().source(folder).rowsRead(0).rowsWritten(0);
    for (String path : List.of(bronzePath, quarantinePath)) {
      if (context.tables().exists(path)) {
        result.wrote(path, context.tables().deleteDs(path, context.ds()));
      }
    }
    return result.summary("no files landed for ds=" + context.ds() + ": nothing to ingest").build();
  }

  /**
   * The file Spark names in a read failure ("Encountered error while reading file ..."), if any.
   */
  static Optional<String> unreadableFile(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      Matcher file = UNREADABLE_FILE.matcher(String.valueOf(cause.getMessage()));
      if (file.find()) {
        return Optional.of(file.group(1));
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return Optional.empty();
  }

  private static long millisSince(long nanoTime) {
    return (System.nanoTime() - nanoTime) / 1_000_000;
  }

  /** Reads the files as records with their lineage, and parses them against the declared schema. */
  static ParsedRecords parse(JobContext context, FileSource source, List<String> files) {
    RecordParsing parsing =
        new RecordParsing(
            source.schema(), source.required(), source.maxLineChars(), source.delimiter());
    String[] paths = files.toArray(String[]::new);
    if (source.format() == FileFormat.PARQUET) {
      Dataset<Row> rows = context.spark().read().schema(source.schema()).parquet(paths);
      return parsing.parquet(withLineage(context, rows));
    }
    Dataset<Row> lines =
        context
            .spark()
            .read()
            .text(paths)
            .withColumnRenamed("value", Quarantine.RAW)
            // Blank lines carry nothing: the CSV and JSON readers of Spark skip them too.
            .where(trim(col(Quarantine.RAW)).notEqual(""));
    if (source.format() == FileFormat.CSV) {
      if (source.header()) {
        String header = String.join(source.delimiter(), source.schema().fieldNames());
        lines = lines.where(trim(col(Quarantine.RAW)).notEqual(header));
      }
      return parsing.csv(withLineage(context, lines));
    }
    return parsing.json(withLineage(context, lines));
  }

  private static Dataset<Row> withLineage(JobContext context, Dataset<Row> rows) {
    return Lineage.with(rows, SOURCE_KIND, col("_metadata.file_path"), context.runId());
  }

  /** The landed files' total size; a file that cannot be looked at counts as a large day. */
  private static long landedBytes(SparkSession spark, List<String> files) {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    long total = 0;
    for (String file : files) {
      Path path = new Path(file);
      try {
        total += path.getFileSystem(hadoop).getFileStatus(path).getLen();
      } catch (IOException e) {
        return Long.MAX_VALUE;
      }
    }
    return total;
  }
}
