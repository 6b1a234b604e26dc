// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.job;

/**
 * What a run has read and written so far, kept as it goes, so that the audit row of a run that
 * fails half-way holds the rows and table versions it really wrote: a failed quality gate leaves
 * its quarantine rows (and a stream its earlier batches) written. Thread-safe, for streaming
 * batches.
 */
public final class RunProgress {
  private final JobResult.Builder sofar = JobResult.builder();
  private long rowsRead;
  private long rowsWritten;
  private long rowsQuarantined;

  /** Where the run reads from, as its audit row names it. */
  public synchronized RunProgress source(String where) {
    sofar.source(where);
    return this;
  }

  /** Adds rows read, written to their table, and quarantined. */
  public synchronized RunProgress rows(long read, long written, long quarantined) {
    rowsRead += read;
    rowsWritten += written;
    rowsQuarantined += quarantined;
    return this;
  }

  /** A table version the run committed; a later one of the same table replaces it. */
  public synchronized RunProgress wrote(String tablePath, long version) {
    sofar.wrote(tablePath, version);
    return this;
  }

  /** The run so far, as a result with the given summary. */
  public synchronized JobResult snapshot(String summary) {
    return sofar
        .rowsRead(rowsRead)
        .rowsWritten(rowsWritten)
        .rowsQuarantined(rowsQuarantined)
        .summary(summary)
        .build();
  }
}
