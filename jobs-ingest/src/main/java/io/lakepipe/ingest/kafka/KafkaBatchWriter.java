// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.kafka;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import io.lakepipe.core.audit.AuditLog;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.spark.QueryCompilation;
import io.lakepipe.core.table.DeltaTables;
import io.lakepipe.ingest.Lineage;
import io.lakepipe.ingest.Quarantine;
import io.lakepipe.ingest.source.KafkaSource;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one micro-batch of a Kafka source's records: quarantine first, then bronze, each as an
 * insert-only MERGE keyed on what identifies a record (the declared key for bronze, whatever the
 * record's date; the topic/partition/offset and the raw value for quarantine). A batch that Spark
 * replays after a crash, and a record the producer sent twice, are thus written once. Runs on the
 * driver; keeps the run's totals across batches.
 */
final class KafkaBatchWriter implements VoidFunction2<Dataset<Row>, Long> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(KafkaBatchWriter.class);

  private final transient JobContext context;
  private final KafkaSource source;
  private final String bronzePath;
  private final String quarantinePath;
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong read = new AtomicLong();
  private final AtomicLong quarantined = new AtomicLong();
  private final AtomicLong inserted = new AtomicLong();
  private final AtomicLong nanos = new AtomicLong();
  private final AtomicLong bronzeVersion = new AtomicLong(-1);
  private final AtomicLong quarantineVersion = new AtomicLong(-1);

  private final AuditLog.FailedRuns earlier;

  /**
   * {@code earlier}: the failed runs of this date since its last success, whose events the stream
   * does not read again; the gate counts them with this run's.
   */
  KafkaBatchWriter(JobContext context, KafkaSource source, AuditLog.FailedRuns earlier) {
    this.context = context;
    this.source = source;
    this.bronzePath = context.config().tablePath(source.bronzeTable());
    this.quarantinePath = context.config().tablePath(source.quarantineTable());
    this.earlier = earlier;
  }

  @Override
  public void call(Dataset<Row> records, Long batchId) {
    long started = System.nanoTime();
    // Parsed and checked once: a checkpoint, not a cache, because Delta's MERGE plans its source
    // again and would not find a cached plan: it parsed the whole batch a second time (11.5 s a
    // batch of 100,000 against 6.2 s, bench/kafka-ingest). A lost executor fails the batch, which
    // the stream's checkpoint then reads again, and the MERGEs keep exactly once.
    Dataset<Row> checked =
        Quarantine.withRawOfInvalidOnly(
                KafkaRecords.check(records, source, context.ds(), context.runId()))
            .localCheckpoint();
    // One pass for both counts; count(column) skips the nulls of valid rows.
    Row counts = checked.agg(count(lit(1)), count(col(Quarantine.REASON))).head();
    long batchRead = counts.getLong(0);
    long batchBad = counts.getLong(1);
    if (batchRead == 0) {
      return;
    }
    // This batch is parsed and checked by now; its writes and the next batches compile if it is
    // large.
    QueryCompilation.compileIfMoreRows(context.spark(), context.config(), batchRead);
    DeltaTables tables = context.tables();
    long batchNew = 0;
    if (batchBad > 0) {
      // Keyed by offset and content: a topic deleted and created again starts its offsets anew.
      DeltaTables.Inserted quarantine =
          tables.insertNew(
              KafkaRecords.toQuarantine(checked, context.ds()),
              quarantinePath,
              List.of(Lineage.LOCATION, Quarantine.RAW),
              null);
      if (quarantine.committed()) {
        quarantineVersion.set(quarantine.version());
      }
    }
    if (batchRead > batchBad) {
      // Across dates: a record re-sent with another date must not land twice.
      DeltaTables.Inserted bronze =
          tables.insertNewAcrossPartitions(
              KafkaRecords.toBronze(checked, source), bronzePath, source.key(), "ds");
      if (bronze.committed()) {
        bronzeVersion.set(bronze.version());
      }
      batchNew = bronze.rows();
    }
    context.progress().rows(batchRead, batchRead - batchBad, batchBad);
    if (quarantineVersion.get() >= 0) {
      context.progress().wrote(quarantinePath, quarantineVersion.get());
    }
    if (bronzeVersion.get() >= 0) {
      context.progress().wrote(bronzePath, bronzeVersion.get());
    }
    long took = System.nanoTime() - started;
    batches.incrementAndGet();
    read.addAndGet(batchRead);
    quarantined.addAndGet(batchBad);
    inserted.addAndGet(batchNew);
    nanos.addAndGet(took);
    LOG.info(
        String.format(
            Locale.ROOT,
            "batch %d: %d records read, %d to bronze (%d new), %d quarantined in %.1f s (%.0f records/s);"
                + " run so far: %d read, %d quarantined",
            batchId,
            batchRead,
            batchRead - batchBad,
            batchNew,
            batchBad,
            took / 1e9,
            batchRead / Math.max(took / 1e9, 1e-9),
            read.get(),
            quarantined.get()));
    if (source.trigger() == KafkaSource.Trigger.CONTINUOUS) {
      checkBadShare();
    }
  }

  /**
   * Fails when the quarantined share passes the threshold: of what this run read and, if the date's
   * earlier runs failed, of what they read, so that a retry that reads nothing new fails as well.
   */
  void checkBadShare() {
    Quarantine.checkBadShare(
        source.location(),
        context.ds(),
        quarantined.get(),
        read.get(),
        source.maxBadShare(),
        earlier,
        source.maxBadShareKey());
  }

  long batches() {
    return batches.get();
  }

  long rowsRead() {
    return read.get();
  }

  long rowsQuarantined() {
    return quarantined.get();
  }

  /** Valid records not yet in bronze; the rest of the valid records were there already. */
  long rowsInserted() {
    return inserted.get();
  }

  double recordsPerSecond() {
    return read.get() / Math.max(nanos.get() / 1e9, 1e-9);
  }

  /** Latest bronze version this run committed, or -1. */
  long bronzeVersion() {
    return bronzeVersion.get();
  }

  /** Latest quarantine version this run committed, or -1. */
  long quarantineVersion() {
    return quarantineVersion.get();
  }
}
