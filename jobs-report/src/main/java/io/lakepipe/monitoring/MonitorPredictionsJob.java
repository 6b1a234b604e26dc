// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.monitoring;

import io.lakepipe.core.cli.JobRunner;

/** spark-submit entry point: {@code --config <file> --ds <YYYY-MM-DD>}. */
public final class MonitorPredictionsJob {
  /** The job's name in the audit table. */
  public static final String NAME = "monitor-predictions";

  private MonitorPredictionsJob() {}

  public static void main(String[] args) {
    JobRunner.exit(JobRunner.execute(NAME, args, PredictionMonitoring::run));
  }
}
