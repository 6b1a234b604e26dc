// SPDX-License-Identifier: AGPL-3.0-only
package io.lakepipe.export.pmml;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ServingCheckTest {
  @Test
  void theP99IsTheNearestRankOfTheLatencies() {
    double[] latencies = new double[200];
    for (int i = 0; i < latencies.length; i++) {
      latencies[i] = 200 - i; // 200 down to 1 ms
    }

    assertThat(ServingCheck.percentile(latencies, 0.99)).isEqualTo(198.0);
    assertThat(ServingCheck.percentile(latencies, 0.5)).isEqualTo(100.0);
    assertThat(ServingCheck.percentile(new double[] {7.0}, 0.99)).isEqualTo(7.0);
    assertThat(ServingCheck.percentile(new double[0], 0.99)).isNaN();
  }

  @Test
  void theScorerJarIsTheConfiguredOneElseTheJarsFoldersElseTheBuilds() {
    assertThat(ServingCheck.Settings.scorerJar("/opt/scorer.jar", "/jars", "/home/lakepipe"))
        .isEqualTo(Path.of("/opt/scorer.jar"));
    assertThat(ServingCheck.Settings.scorerJar("", "/jars", "/home/lakepipe"))
        .isEqualTo(Path.of("/jars/lakepipe-serving.jar"));
    assertThat(ServingCheck.Settings.scorerJar("", null, "/home/lakepipe"))
        .isEqualTo(Path.of("/home/lakepipe/serving/target/lakepipe-serving.jar"));
  }
}
