// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.job;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a job run did: its row counts and the Delta versions it read and wrote, for the audit table.
 *
 * @param source where the job read from (a file location, JDBC table or Kafka topic), or null
 * @param summary one human line that the runner logs at the end, such as where to look next
 */
public record JobResult(
    String source,
    long rowsRead,
    long rowsWritten,
    long rowsQuarantined,
    Map<String, Long> versionsRead,
    Map<String, Long> versionsWritten,
    String summary) {

  /** Starts a result; counts default to zero. */
  public static Builder builder() {
    return new Builder();
  }

  /** Fluent builder, so that jobs only name what they have. */
  public static final class Builder {
    private long rowsRead;
    private long rowsWritten;
    private long rowsQuarantined;
    private final Map<String, Long> versionsRead = new LinkedHashMap<>();
    private final Map<String, Long> versionsWritten = new LinkedHashMap<>();
    private String summary = "";
    private String source;

    public Builder source(String where) {
      this.source = where;
      return this;
    }

    public Builder rowsRead(long rows) {
      this.rowsRead = rows;
      return this;
    }

    public Builder rowsWritten(long rows) {
      this.rowsWritten = rows;
      return this;
    }

    public Builder rowsQuarantined(long rows) {
      this.rowsQuarantined = rows;
      return this;
    }

    public Builder read(String tablePath, long version) {
      versionsRead.put(tablePath, version);
      return this;
    }

    public Builder wrote(String tablePath, long version) {
      versionsWritten.put(tablePath, version);
      return this;
    }

    public Builder summary(String text) {
      this.summary = text;
      return this;
    }

    public JobResult build() {
      return new JobResult(
          source,
          rowsRead,
          rowsWritten,
          rowsQuarantined,
          Map.copyOf(versionsRead),
          Map.copyOf(versionsWritten),
          summary);
    }
  }
}
