// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.jdbc;

import io.lakepipe.core.cli.JobRunner;

/**
 * spark-submit entry point: {@code --config <file> --ds <YYYY-MM-DD> --source <name>}, audited as
 * {@code ingest-jdbc:<name>}.
 */
public final class IngestJdbcJob {
  private IngestJdbcJob() {}

  public static void main(String[] args) {
    JobRunner.exit(JobRunner.execute("ingest-jdbc", args, IngestJdbc.OPTIONS, IngestJdbc::prepare));
  }
}
