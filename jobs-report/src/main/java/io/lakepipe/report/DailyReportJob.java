package io.lakepipe.report;

import io.lakepipe.core.cli.JobRunner;

/** spark-submit entry point: {@code --config <file> --ds <YYYY-MM-DD>}. */
public final class DailyReportJob {
  private DailyReportJob() {}

  public static void main(String[] args) {
    System.exit(JobRunner.execute("report", args, DailyReport::run));
  }
}
