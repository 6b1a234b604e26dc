// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.kafka;

import io.lakepipe.core.cli.JobRunner;

/**
 * spark-submit entry point: {@code --config <file> --ds <YYYY-MM-DD> --source <name>}, audited as
 * {@code ingest-kafka:<name>}.
 */
public final class IngestKafkaJob {
  private IngestKafkaJob() {}

  public static void main(String[] args) {
    JobRunner.exit(
        JobRunner.execute("ingest-kafka", args, IngestKafka.OPTIONS, IngestKafka::prepare));
  }
}
