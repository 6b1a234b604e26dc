// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train;

import io.lakepipe.core.cli.JobRunner;

/**
 * spark-submit entry point: {@code --config <file> --ds <YYYY-MM-DD> --model <model>}, audited as
 * {@code train-model:<model>}.
 */
public final class TrainModelJob {
  private TrainModelJob() {}

  public static void main(String[] args) {
    JobRunner.exit(JobRunner.execute("train-model", args, TrainModel.OPTIONS, TrainModel::prepare));
  }
}
