// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.report;

import java.time.Instant;
import java.time.LocalDate;

/** One audited run of a job for a ds: what the page shows per job and day. */
public record JobDay(
    String job,
    LocalDate ds,
    String status,
    long rowsRead,
    long rowsWritten,
    long rowsQuarantined,
    long durationMs,
    Instant startedAt,
    String message) {

  public static final String FAILED = "FAILED";

  public boolean failed() {
    return FAILED.equals(status);
  }

  /** Quarantined rows over rows read; 0 for a run that read nothing. */
  public double badShare() {
    return rowsRead == 0 ? 0.0 : (double) rowsQuarantined / rowsRead;
  }
}
