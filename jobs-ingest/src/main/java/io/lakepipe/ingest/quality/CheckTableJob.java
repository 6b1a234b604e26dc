// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.quality;

import io.lakepipe.core.cli.JobRunner;

/**
 * spark-submit entry point: {@code --config <file> --ds <YYYY-MM-DD> --table <table>}, audited as
 * {@code check-table:<table>}.
 */
public final class CheckTableJob {
  private CheckTableJob() {}

  public static void main(String[] args) {
    JobRunner.exit(JobRunner.execute("check-table", args, CheckTable.OPTIONS, CheckTable::prepare));
  }
}
