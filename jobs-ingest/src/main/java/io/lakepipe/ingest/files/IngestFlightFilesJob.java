package io.lakepipe.ingest.files;

import io.lakepipe.core.cli.JobRunner;

/** spark-submit entry point: {@code --config <file> --ds <YYYY-MM-DD>}. */
public final class IngestFlightFilesJob {
  private IngestFlightFilesJob() {}

  public static void main(String[] args) {
    JobRunner.exit(JobRunner.execute("ingest-files", args, IngestFlightFiles::run));
  }
}
