// SPDX-License-Identifier: AGPL-3.0-only
package io.lakepipe.export.pmml;

import io.lakepipe.core.cli.JobRunner;

/** spark-submit entry point: {@code --config <file> --ds <YYYY-MM-DD>}. */
public final class ExportPmmlJob {
  private ExportPmmlJob() {}

  public static void main(String[] args) {
    JobRunner.exit(JobRunner.execute("export-pmml", args, ExportPmml::run));
  }
}
