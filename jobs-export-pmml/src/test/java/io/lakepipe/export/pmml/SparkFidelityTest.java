// SPDX-License-Identifier: AGPL-3.0-only
package io.lakepipe.export.pmml;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SparkFidelityTest {
  @Test
  void aDoubleIsBelowTheRewrittenThresholdExactlyWhenItsFloatIsBelowTheFloatOne() {
    Random random = new Random(7);
    for (int i = 0; i < 200_000; i++) {
      float t = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(8) - 4));
      double bound = SparkFidelity.lowestRoundingTo(t);
      // Doubles around the boundary, where the cast decides, and the boundary's neighbours.
      for (double x :
          new double[] {
            bound, Math.nextDown(bound), Math.nextUp(bound), t, Math.nextDown(t), Math.nextUp(t)
          }) {
        assertThat(x < bound).as("x = %s, t = %s", x, t).isEqualTo((float) x < t);
      }
    }
  }

  @Test
  void aCentredHourOfTenStaysOnTheSideXgboostSendsIt() {
    // hour 10 minus the training mean: its float rounds up onto the threshold XGBoost learnt.
    double centred = 10 - 13.215479697707167;
    float threshold = (float) centred;

    assertThat(centred < threshold).as("the double comparison PMML4S made").isTrue();
    assertThat(centred < SparkFidelity.lowestRoundingTo(threshold)).isFalse();
  }
}
