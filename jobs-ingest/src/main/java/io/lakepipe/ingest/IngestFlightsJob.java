package io.lakepipe.ingest;

import io.lakepipe.core.cli.JobRunner;

/** spark-submit entry point: {@code --config <file> --ds <YYYY-MM-DD>}. */
public final class IngestFlightsJob {
  private IngestFlightsJob() {}

  public static void main(String[] args) {
    System.exit(JobRunner.execute("ingest-flights", args, IngestFlights::run));
  }
}
