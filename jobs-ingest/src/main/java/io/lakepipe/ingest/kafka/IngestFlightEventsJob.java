package io.lakepipe.ingest.kafka;

import io.lakepipe.core.cli.JobRunner;

/** spark-submit entry point: {@code --config <file> --ds <YYYY-MM-DD>}; job name {@code ingest-events}. */
public final class IngestFlightEventsJob {
  private IngestFlightEventsJob() {}

  public static void main(String[] args) {
    JobRunner.exit(JobRunner.execute("ingest-events", args, IngestFlightEvents::run));
  }
}
