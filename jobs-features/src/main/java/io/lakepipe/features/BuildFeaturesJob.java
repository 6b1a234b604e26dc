// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features;

import io.lakepipe.core.cli.JobRunner;

/**
 * spark-submit entry point: {@code --config <file> --ds <YYYY-MM-DD> --view <view>}, audited as
 * {@code build-features:<view>}.
 */
public final class BuildFeaturesJob {
  private BuildFeaturesJob() {}

  public static void main(String[] args) {
    JobRunner.exit(
        JobRunner.execute("build-features", args, BuildFeatures.OPTIONS, BuildFeatures::prepare));
  }
}
