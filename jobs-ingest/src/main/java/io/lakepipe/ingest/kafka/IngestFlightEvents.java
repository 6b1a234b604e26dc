package io.lakepipe.ingest.kafka;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.audit.AuditLog;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingests the flight events topic into the bronze table with Structured Streaming; records that
 * cannot be read or fail validation go to the quarantine table with their reason.
 *
 * <p>Exactly once: the checkpoint records which offsets each micro-batch covers, and every batch
 * writes with insert-only MERGEs (see {@link FlightEventsBatchWriter}), so a batch replayed after a
 * crash, a rerun of any ds, and a duplicate send by the producer leave the tables as one write would.
 *
 * <p>With trigger {@code available-now} (the scheduled run) the job reads what the topic holds when
 * it starts, then checks the quarantined share of the whole run: rows already written stay written,
 * and the run fails so the operator looks at the quarantine table. The share also counts the date's
 * failed runs since its last success (from the audit table), so an Airflow retry, which finds the
 * checkpoint past the bad events, fails the same way until the limit is raised. With {@code continuous} it runs
 * until the process is stopped and checks the share after every batch.
 */
public final class IngestFlightEvents {
  static final String QUERY_NAME = "ingest-flight-events";
  private static final Logger LOG = LoggerFactory.getLogger(IngestFlightEvents.class);

  private IngestFlightEvents() {}

  public static JobResult run(JobContext context) {
    FlightEventsSettings settings = FlightEventsSettings.from(context.config());
    FlightEventsTopic.requireExists(settings.bootstrapServers(), settings.topic());
    context.progress().source(settings.source());
    FlightEventsBatchWriter writer = new FlightEventsBatchWriter(context, settings,
        earlierFailedRuns(context));
    Dataset<Row> records = context.spark().readStream()
        .format("kafka")
        .option("kafka.bootstrap.servers", settings.bootstrapServers())
        .option("subscribe", settings.topic())
        .option("startingOffsets", settings.startingOffsets())
        .option("maxOffsetsPerTrigger", settings.maxOffsetsPerTrigger())
        .option("failOnDataLoss", settings.failOnDataLoss())
        .load();
    boolean availableNow = settings.trigger() == FlightEventsSettings.Trigger.AVAILABLE_NOW;
    LOG.info("Reading {} ({}) into {}, checkpoint {}", settings.source(),
        availableNow ? "available now" : "continuous, every " + settings.triggerInterval(),
        settings.bronzePath(), settings.checkpoint());
    StreamingQuery query;
    try {
      query = records.writeStream()
          .queryName(QUERY_NAME)
          .option("checkpointLocation", settings.checkpoint())
          .trigger(availableNow ? Trigger.AvailableNow()
              : Trigger.ProcessingTime(settings.triggerInterval()))
          .foreachBatch(writer)
          .start();
      query.awaitTermination();
    } catch (StreamingQueryException | TimeoutException e) {
      throw failure(settings, e);
    }
    if (availableNow) {
      writer.checkBadShare();
    }
    long written = writer.rowsRead() - writer.rowsQuarantined();
    JobResult.Builder result = JobResult.builder()
        .source(settings.source())
        .rowsRead(writer.rowsRead())
        .rowsWritten(written)
        .rowsQuarantined(writer.rowsQuarantined())
        .summary(String.format(Locale.ROOT,
            "%d batches, %.0f events/s; bronze %s: %d new events, %d already there",
            writer.batches(), writer.eventsPerSecond(), settings.bronzePath(), writer.rowsInserted(),
            written - writer.rowsInserted()));
    if (writer.bronzeVersion() >= 0) {
      result.wrote(settings.bronzePath(), writer.bronzeVersion());
    }
    if (writer.quarantineVersion() >= 0) {
      result.wrote(settings.quarantinePath(), writer.quarantineVersion());
    }
    return result.build();
  }

  /**
   * The date's failed runs since its last success, which the gate counts with this run: their events
   * are behind the checkpoint, so a retry of a run that failed its gate would otherwise read nothing
   * and pass. None for a run outside the audit (a test calling {@link #run} directly).
   */
  private static AuditLog.FailedRuns earlierFailedRuns(JobContext context) {
    if (context.job() == null) {
      return AuditLog.FailedRuns.NONE;
    }
    AuditLog.FailedRuns earlier = new AuditLog(context.spark(),
        context.config().tablePath("audit-runs")).failedSinceLastSuccess(context.job(), context.ds());
    if (earlier.runs() > 0) {
      LOG.info("ds={} has {} failed run(s) since its last success: {} events read, {} quarantined;"
          + " the quality gate counts them with this run", context.ds(), earlier.runs(),
          earlier.rowsRead(), earlier.rowsQuarantined());
    }
    return earlier;
  }

  /** The failure of the query as the user should see it: ours when a batch raised one. */
  private static LakepipeException failure(FlightEventsSettings settings, Exception e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof LakepipeException lakepipe) {
        return lakepipe;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return LakepipeErrors.streamFailed(QUERY_NAME + " of " + settings.source(), settings.checkpoint(), e);
  }
}
