// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.config.TestConfigs;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainingConfigTest {
  @Test
  void aNegativeGateMarginStopsTheJobBeforeSparkStarts() {
    assertThatThrownBy(
            () ->
                TrainingConfig.from(
                    TestConfigs.flights(Map.of("lakepipe.train.gate.margin", -0.01)),
                    "flights-delay"))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("train.gate.margin")
        .hasMessageContaining("-0.01")
        .hasMessageContaining("a number of 0 or more");
    assertThat(
            TrainingConfig.from(
                    TestConfigs.flights(Map.of("lakepipe.train.gate.margin", 0)), "flights-delay")
                .gateMargin())
        .isZero();
  }

  @Test
  void anEnvironmentThatDoesNotTrainRefusesTheTrainingBeforeSparkStarts() {
    assertThatThrownBy(
            () ->
                TrainModel.prepare(
                    TestConfigs.flights(
                        Map.of(
                            "lakepipe.environment.name",
                            "prod",
                            "lakepipe.environment.trains",
                            false)),
                    Map.of("model", "flights-delay")))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("Environment prod does not train")
        .hasMessageContaining("lakepipe_promote");
    assertThat(
            TrainModel.prepare(
                TestConfigs.flights(Map.of("lakepipe.environment.trains", true)),
                Map.of("model", "flights-delay")))
        .isNotNull();
  }
}
