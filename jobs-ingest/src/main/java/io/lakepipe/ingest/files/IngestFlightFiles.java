package io.lakepipe.ingest.files;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.trim;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.ingest.FlightValidation;
import io.lakepipe.ingest.FlightsBronze;
import io.lakepipe.ingest.Lineage;
import io.lakepipe.ingest.Quarantine;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingests the files landed for one logical date into the bronze table; every record that fails to
 * parse or validate goes to the quarantine table with its raw text and reason. Both writes replace
 * the date's partition in one commit each, so reruns and retries are safe, and a run killed before a
 * commit leaves that table at its previous version.
 */
public final class IngestFlightFiles {
  private static final Logger LOG = LoggerFactory.getLogger(IngestFlightFiles.class);
  private static final String SOURCE_KIND = "file";

  private IngestFlightFiles() {}

  public static JobResult run(JobContext context) {
    LakepipeConfig config = context.config();
    FileFormat format = FileFormat.of(config.string("sources.landing-flights.format"));
    StructType declared = StructType.fromDDL(config.string("sources.landing-flights.schema"));
    FlightValidation validation = new FlightValidation(
        config.integer("ingest.flights.delay-min-minutes"),
        config.integer("ingest.flights.delay-max-minutes"));
    String bronzePath = config.tablePath("bronze-flights");
    String quarantinePath = config.tablePath("quarantine-flights");

    LandingArea landing = LandingAreas.of(config, context.spark());
    String folder = landing.folder(context.ds());
    List<String> files = landing.files(context.ds());
    if (files.isEmpty()) {
      throw LakepipeErrors.landingMissing(folder, context.ds().toString());
    }
    LOG.info("Ingesting {} {} file(s) landed for ds={} in {}", files.size(), format, context.ds(),
        folder);

    long started = System.nanoTime();
    Dataset<Row> checked = LandedFlights
        .check(parse(context, format, declared, files), context.ds(), validation)
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Row counts;
      try {
        // One pass for both counts; count(column) skips the nulls of valid rows.
        counts = checked.agg(count(lit(1)), count(col(Quarantine.REASON))).head();
      } catch (Exception e) {
        if (e instanceof SparkException || e.getCause() instanceof SparkException) {
          throw LakepipeErrors.sourceUnreadable(folder, e);
        }
        throw e;
      }
      long read = counts.getLong(0);
      long quarantined = counts.getLong(1);
      if (read == 0) {
        throw LakepipeErrors.landingEmpty(folder, context.ds().toString(), files.size());
      }
      LOG.info("ds={}: {} records parsed and checked in {} ms, {} to quarantine", context.ds(), read,
          millisSince(started), quarantined);
      // A clean day only has to clear what an earlier run of the date may have quarantined.
      long quarantineVersion = quarantined == 0 && context.tables().exists(quarantinePath)
          ? context.tables().deleteDs(quarantinePath, context.ds())
          : context.tables().replaceDs(Quarantine.filterInvalid(checked), quarantinePath,
              context.ds());
      LOG.info("Quarantine v{} written after {} ms", quarantineVersion, millisSince(started));
      Quarantine.checkBadShare(folder, context.ds(), quarantined, read,
          config.number("ingest.flights.max-bad-share"));
      long bronzeVersion = context.tables().replaceDs(
          FlightsBronze.fromValid(checked), bronzePath, context.ds());
      LOG.info("Bronze v{} written after {} ms", bronzeVersion, millisSince(started));
      return JobResult.builder()
          .source(folder)
          .rowsRead(read)
          .rowsWritten(read - quarantined)
          .rowsQuarantined(quarantined)
          .wrote(bronzePath, bronzeVersion)
          .wrote(quarantinePath, quarantineVersion)
          .summary("bronze " + bronzePath + " v" + bronzeVersion + ", quarantine v"
              + quarantineVersion)
          .build();
    } finally {
      checked.unpersist();
    }
  }

  private static long millisSince(long nanoTime) {
    return (System.nanoTime() - nanoTime) / 1_000_000;
  }

  /** Reads the files as records with their lineage, and parses them against the declared schema. */
  static ParsedRecords parse(JobContext context, FileFormat format, StructType declared,
      List<String> files) {
    LakepipeConfig config = context.config();
    RecordParsing parsing = new RecordParsing(declared,
        config.integer("sources.landing-flights.max-line-chars"),
        config.string("sources.landing-flights.delimiter"));
    String[] paths = files.toArray(String[]::new);
    if (format == FileFormat.PARQUET) {
      Dataset<Row> rows = context.spark().read().schema(declared).parquet(paths);
      return parsing.parquet(withLineage(context, rows));
    }
    Dataset<Row> lines = context.spark().read().text(paths)
        .withColumnRenamed("value", Quarantine.RAW)
        // Blank lines carry nothing: the CSV and JSON readers of Spark skip them too.
        .where(trim(col(Quarantine.RAW)).notEqual(""));
    if (format == FileFormat.CSV) {
      if (config.bool("sources.landing-flights.header")) {
        String header = String.join(config.string("sources.landing-flights.delimiter"),
            declared.fieldNames());
        lines = lines.where(trim(col(Quarantine.RAW)).notEqual(header));
      }
      return parsing.csv(withLineage(context, lines));
    }
    return parsing.json(withLineage(context, lines));
  }

  private static Dataset<Row> withLineage(JobContext context, Dataset<Row> rows) {
    return Lineage.with(rows, SOURCE_KIND, col("_metadata.file_path"), context.runId());
  }
}
