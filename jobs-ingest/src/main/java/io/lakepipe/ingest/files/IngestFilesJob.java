// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.files;

import io.lakepipe.core.cli.JobRunner;

/**
 * spark-submit entry point: {@code --config <file> --ds <YYYY-MM-DD> --source <name>}, audited as
 * {@code ingest-files:<name>}.
 */
public final class IngestFilesJob {
  private IngestFilesJob() {}

  public static void main(String[] args) {
    JobRunner.exit(
        JobRunner.execute("ingest-files", args, IngestFiles.OPTIONS, IngestFiles::prepare));
  }
}
