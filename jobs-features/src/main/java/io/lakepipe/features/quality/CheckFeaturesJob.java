// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features.quality;

import io.lakepipe.core.cli.JobRunner;

/**
 * spark-submit entry point: {@code --config <file> --ds <YYYY-MM-DD> --view <view>}, audited as
 * {@code check-features:<view>}.
 */
public final class CheckFeaturesJob {
  private CheckFeaturesJob() {}

  public static void main(String[] args) {
    JobRunner.exit(
        JobRunner.execute("check-features", args, CheckFeatures.OPTIONS, CheckFeatures::prepare));
  }
}
