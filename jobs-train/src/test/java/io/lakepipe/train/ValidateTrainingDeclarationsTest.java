// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.cli.Validation.Declaration;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.config.TestConfigs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValidateTrainingDeclarationsTest {
  @Test
  void everyDeclaredViewAndModelIsValidatedAndAModelNamesItsView() {
    LakepipeConfig config = TestConfigs.flights(Map.of());

    List<Declaration> declarations = ValidateTrainingDeclarations.declarations(config);

    assertThat(declarations)
        .extracting(Declaration::key)
        .containsExactly("lakepipe.views.flights", "lakepipe.models.flights-delay");
    declarations.forEach(d -> d.read().run());
    assertThat(TrainingConfig.from(config, "flights-delay").view()).isEqualTo("flights");
  }

  @Test
  void theDeclarationsOfAnEnvironmentThatDoesNotTrainAreStillValid() {
    // prod's config declares the models it serves; only train-model itself refuses to run there.
    LakepipeConfig prod = TestConfigs.flights(Map.of("lakepipe.environment.trains", false));

    List<Declaration> declarations = ValidateTrainingDeclarations.declarations(prod);

    assertThat(declarations).hasSize(2);
    declarations.forEach(d -> assertThatCode(() -> d.read().run()).doesNotThrowAnyException());
    assertThatThrownBy(() -> TrainModel.prepare(prod, Map.of(TrainModel.MODEL, "flights-delay")))
        .hasMessageContaining("does not train");
  }

  @Test
  void aModelOfAnUndeclaredViewOrWithoutBaselineKeysFailsItsOwnLine() {
    LakepipeConfig config =
        TestConfigs.flights(
            Map.of(
                "lakepipe.models.strikes.view", "strikes",
                "lakepipe.models.strikes.experiment", "e",
                "lakepipe.models.strikes.model-name", "m",
                "lakepipe.models.strikes.baseline.keys", List.of("state")));

    Declaration model = ValidateTrainingDeclarations.declarations(config).get(2);

    assertThat(model.key()).isEqualTo("lakepipe.models.strikes");
    assertThatThrownBy(() -> model.read().run()).hasMessageContaining("lakepipe.views.strikes");
    assertThatThrownBy(
            () ->
                TrainingConfig.from(
                    TestConfigs.flights(
                        Map.of("lakepipe.models.flights-delay.baseline.keys", List.of())),
                    "flights-delay"))
        .hasMessageContaining("lakepipe.models.flights-delay.baseline.keys")
        .hasMessageContaining("the baseline has no keys");
    assertThatThrownBy(() -> TrainingConfig.from(config, "flight-delay"))
        .hasMessageContaining("lakepipe.models.flight-delay")
        .hasMessageContaining("[flights-delay, strikes]");
  }

  @Test
  void aModelsOwnTrainSettingsGoOverTheSharedOnes() {
    LakepipeConfig config =
        TestConfigs.flights(
            Map.of(
                "lakepipe.models.flights-delay.train.window-days", 30,
                "lakepipe.train.test-days", 2));

    TrainingConfig training = TrainingConfig.from(config, "flights-delay");

    assertThat(training.windowDays()).isEqualTo(30);
    assertThat(training.testDays()).isEqualTo(2);
    assertThat(training.validationDays()).isEqualTo(1);
    assertThat(training.baselineKeys()).containsExactly("origin", "destination");
  }

  @Test
  void aBrokenViewFailsItsOwnLine() {
    LakepipeConfig config =
        TestConfigs.flights(Map.of("lakepipe.views.flights.tables.labels", "labels-flight"));

    Declaration view = ValidateTrainingDeclarations.declarations(config).get(0);

    assertThatThrownBy(() -> view.read().run())
        .hasMessageContaining("lakepipe.views.flights.tables.labels")
        .hasMessageContaining("'labels-flight' is not declared in lakepipe.tables");
  }
}
