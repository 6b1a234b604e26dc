// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.report;

import io.lakepipe.core.cli.JobRunner;
import io.lakepipe.core.job.Job;

/** spark-submit entry point: {@code --config <file> --ds <YYYY-MM-DD>}. */
public final class DailyReportJob {
  /** The job's name in the audit table. */
  public static final String NAME = "report";

  private DailyReportJob() {}

  public static void main(String[] args) {
    // It reads summaries (audit rows, quality results, predictions' scores), never a day's bulk.
    JobRunner.exit(JobRunner.execute(NAME, args, Job.startingInterpreted(DailyReport::run)));
  }
}
