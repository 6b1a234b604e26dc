// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.audit;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;

/**
 * One job run as the audit table keeps it. For a successful run rows read always equal rows written
 * plus rows quarantined.
 */
public record AuditRecord(
    String runId,
    String job,
    String source,
    LocalDate ds,
    String status,
    long rowsRead,
    long rowsWritten,
    long rowsQuarantined,
    Map<String, Long> versionsRead,
    Map<String, Long> versionsWritten,
    Instant startedAt,
    long durationMs,
    String message) {

  public static final String SUCCEEDED = "SUCCEEDED";
  public static final String FAILED = "FAILED";
}
