package io.lakepipe.ingest.quality;

import io.lakepipe.core.cli.JobRunner;

/** spark-submit entry point: {@code --config <file> --ds <YYYY-MM-DD>}. */
public final class CheckBronzeFlightsJob {
  private CheckBronzeFlightsJob() {}

  public static void main(String[] args) {
    JobRunner.exit(JobRunner.execute("check-bronze", args, CheckBronzeFlights::run));
  }
}
