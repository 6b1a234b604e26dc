// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.export;

import io.lakepipe.core.cli.JobRunner;

/** spark-submit entry point: {@code --config <file> --ds <YYYY-MM-DD>}. */
public final class ServeExportJob {
  private ServeExportJob() {}

  public static void main(String[] args) {
    JobRunner.exit(JobRunner.execute("serve-export", args, ServeExport::run));
  }
}
