package io.lakepipe.ingest.jdbc;

import io.lakepipe.core.cli.JobRunner;

/** spark-submit entry point of {@code ingest-airports}: {@code --config <file> --ds <YYYY-MM-DD>}. */
public final class IngestAirportsJob {
  private IngestAirportsJob() {}

  public static void main(String[] args) {
    JobRunner.exit(JobRunner.execute("ingest-airports", args, IngestAirports::run));
  }
}
