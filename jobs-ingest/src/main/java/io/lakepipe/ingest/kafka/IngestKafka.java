// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.kafka;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.audit.AuditLog;
import io.lakepipe.core.cli.JobOption;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.Job;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.ingest.source.KafkaSource;
import io.lakepipe.ingest.source.SchemaCheck;
import io.lakepipe.ingest.source.SourceDeclarations;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingests the topic of a declared Kafka source ({@code lakepipe.sources.<name>}, kind kafka) into
 * its bronze table with Structured Streaming; records that cannot be read or fail validation go to
 * its quarantine table with their reason.
 *
 * <p>Exactly once: the checkpoint records which offsets each micro-batch covers, and every batch
 * writes with insert-only MERGEs (see {@link KafkaBatchWriter}), so a batch replayed after a crash,
 * a rerun of any ds, and a duplicate send by the producer leave the tables as one write would.
 *
 * <p>With trigger {@code available-now} (the scheduled run) the job reads what the topic holds when
 * it starts, then checks the quarantined share of the whole run: rows already written stay written,
 * and the run fails so the operator looks at the quarantine table. The share also counts the date's
 * failed runs since its last success (from the audit table), so an Airflow retry, which finds the
 * checkpoint past the bad records, fails the same way until the limit is raised. With {@code
 * continuous} it runs until the process is stopped and checks the share after every batch.
 */
public final class IngestKafka {
  private static final Logger LOG = LoggerFactory.getLogger(IngestKafka.class);
  static final String SOURCE = "source";

  /** The source to ingest; part of the audit name, so two sources on one ds stay apart. */
  public static final List<JobOption> OPTIONS =
      List.of(
          JobOption.required(
                  SOURCE, "the Kafka source to ingest, a key of lakepipe.sources of kind kafka")
              .inAuditName());

  private IngestKafka() {}

  /** Reads and validates the source's declaration before Spark starts. */
  public static Job prepare(LakepipeConfig config, Map<String, String> options) {
    KafkaSource source = SourceDeclarations.kafka(config, options.get(SOURCE));
    return Job.startingInterpreted(context -> run(context, source));
  }

  /**
   * The ingest of one declared source as a job whose declaration is read when it runs, for callers
   * that run jobs in a session of their own (integration tests, benchmarks).
   */
  public static Job of(String source) {
    return context -> run(context, SourceDeclarations.kafka(context.config(), source));
  }

  static JobResult run(JobContext context, KafkaSource source) {
    SchemaCheck.check(context.spark(), source);
    KafkaTopics.requireExists(source.bootstrapServers(), source.topic());
    context.progress().source(source.location());
    String bronzePath = context.config().tablePath(source.bronzeTable());
    KafkaBatchWriter writer = new KafkaBatchWriter(context, source, earlierFailedRuns(context));
    Dataset<Row> records =
        context
            .spark()
            .readStream()
            .format("kafka")
            .option("kafka.bootstrap.servers", source.bootstrapServers())
            .option("subscribe", source.topic())
            .option("startingOffsets", source.startingOffsets())
            .option("maxOffsetsPerTrigger", source.maxOffsetsPerTrigger())
            .option("failOnDataLoss", source.failOnDataLoss())
            .load();
    boolean availableNow = source.trigger() == KafkaSource.Trigger.AVAILABLE_NOW;
    LOG.info(
        "Reading {} ({}) into {}, checkpoint {}",
        source.location(),
        availableNow ? "available now" : "continuous, every " + source.triggerInterval(),
        bronzePath,
        source.checkpoint());
    StreamingQuery query;
    try {
      query =
          records
              .writeStream()
              .queryName(queryName(source))
              .option("checkpointLocation", source.checkpoint())
              .trigger(
                  availableNow
                      ? Trigger.AvailableNow()
                      : Trigger.ProcessingTime(source.triggerInterval()))
              .foreachBatch(writer)
              .start();
      query.awaitTermination();
    } catch (StreamingQueryException | TimeoutException e) {
      throw failure(source, e);
    }
    if (availableNow) {
      writer.checkBadShare();
    }
    long written = writer.rowsRead() - writer.rowsQuarantined();
    JobResult.Builder result =
        JobResult.builder()
            .source(source.location())
            .rowsRead(writer.rowsRead())
            .rowsWritten(written)
            .rowsQuarantined(writer.rowsQuarantined())
            .summary(
                String.format(
                    Locale.ROOT,
                    "%d batches, %.0f records/s; bronze %s: %d new records, %d already there",
                    writer.batches(),
                    writer.recordsPerSecond(),
                    bronzePath,
                    writer.rowsInserted(),
                    written - writer.rowsInserted()));
    if (writer.bronzeVersion() >= 0) {
      result.wrote(bronzePath, writer.bronzeVersion());
    }
    if (writer.quarantineVersion() >= 0) {
      result.wrote(
          context.config().tablePath(source.quarantineTable()), writer.quarantineVersion());
    }
    return result.build();
  }

  /**
   * The date's failed runs since its last success, which the gate counts with this run: their
   * records are behind the checkpoint, so a retry of a run that failed its gate would otherwise
   * read nothing and pass. None for a run outside the audit (a test calling {@link #run} directly).
   */
  private static AuditLog.FailedRuns earlierFailedRuns(JobContext context) {
    if (context.job() == null) {
      return AuditLog.FailedRuns.NONE;
    }
    AuditLog.FailedRuns earlier =
        context.audit().failedSinceLastSuccess(context.job(), context.ds());
    if (earlier.runs() > 0) {
      LOG.info(
          "ds={} has {} failed run(s) since its last success: {} records read, {} quarantined;"
              + " the quality gate counts them with this run",
          context.ds(),
          earlier.runs(),
          earlier.rowsRead(),
          earlier.rowsQuarantined());
    }
    return earlier;
  }

  /** The streaming query's name, as the Spark UI shows it. */
  static String queryName(KafkaSource source) {
    return "ingest-kafka-" + source.name();
  }

  /** The failure of the query as the user should see it: ours when a batch raised one. */
  private static LakepipeException failure(KafkaSource source, Exception e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof LakepipeException lakepipe) {
        return lakepipe;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return LakepipeErrors.streamFailed(
        queryName(source) + " of " + source.location(), source.checkpoint(), e);
  }
}
