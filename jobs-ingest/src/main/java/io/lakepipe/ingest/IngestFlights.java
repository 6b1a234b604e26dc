package io.lakepipe.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingests one logical date of the flights source into the bronze table; invalid rows go to the
 * quarantine table with their reason. Both writes replace the date's partition, so reruns are safe.
 */
public final class IngestFlights {
  private static final Logger LOG = LoggerFactory.getLogger(IngestFlights.class);

  private IngestFlights() {}

  public static JobResult run(JobContext context) {
    LakepipeConfig config = context.config();
    String source = config.string("sources.flights.path");
    FlightValidation validation = new FlightValidation(
        config.integer("ingest.flights.delay-min-minutes"),
        config.integer("ingest.flights.delay-max-minutes"));
    double maxBadShare = config.number("ingest.flights.max-bad-share");
    String bronzePath = config.tablePath("bronze-flights");
    String quarantinePath = config.tablePath("quarantine-flights");
    if (!source.contains("://") && !Files.exists(Path.of(source))) {
      throw LakepipeErrors.inputMissing("flights", source);
    }

    LOG.info("Reading flights of {} from {}", context.ds(), source);
    Dataset<Row> validated = validation
        .withQuarantineReason(FlightsBronze.filterDs(context.spark().read().parquet(source),
            context.ds()))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      // One pass for both counts; count(column) skips the nulls of valid rows.
      Row counts = validated.agg(count(lit(1)), count(col(FlightValidation.REASON))).head();
      long read = counts.getLong(0);
      if (read == 0) {
        throw LakepipeErrors.partitionMissing("flights source", source, context.ds().toString());
      }
      Dataset<Row> invalid = FlightValidation.filterInvalid(validated);
      long quarantined = counts.getLong(1);
      long quarantineVersion = context.tables().replaceDs(
          FlightsBronze.toQuarantine(invalid, source, context.runId()), quarantinePath, context.ds());
      if (read > 0 && (double) quarantined / read > maxBadShare) {
        throw LakepipeErrors.badShareExceeded(source, context.ds().toString(), quarantined, read,
            maxBadShare);
      }
      Dataset<Row> bronze = FlightsBronze.withLineage(
          FlightValidation.filterValid(validated), source, context.runId());
      long bronzeVersion = context.tables().replaceDs(bronze, bronzePath, context.ds());
      return JobResult.builder()
          .rowsRead(read)
          .rowsWritten(read - quarantined)
          .rowsQuarantined(quarantined)
          .wrote(bronzePath, bronzeVersion)
          .wrote(quarantinePath, quarantineVersion)
          .summary("bronze " + bronzePath + " v" + bronzeVersion)
          .build();
    } finally {
      validated.unpersist();
    }
  }
}
