package io.lakepipe.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.cli.Validation.Declaration;
import io.lakepipe.core.config.LakepipeConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValidateTrainingDeclarationsTest {
  @Test
  void everyDeclaredViewIsValidatedAndTheTrainingNamesItsView() {
    LakepipeConfig config = LakepipeConfig.fromMap(Map.of());

    List<Declaration> declarations = ValidateTrainingDeclarations.declarations(config);

    assertThat(declarations).extracting(Declaration::key)
        .containsExactly("lakepipe.features", "lakepipe.views.flights", "lakepipe.train");
    declarations.forEach(d -> d.read().run());
    assertThat(TrainingConfig.from(config).view()).isEqualTo("flights");
  }

  @Test
  void aBrokenViewFailsItsOwnLine() {
    LakepipeConfig config = LakepipeConfig.fromMap(Map.of(
        "lakepipe.views.flights.tables.labels", "labels-flight"));

    Declaration view = ValidateTrainingDeclarations.declarations(config).get(1);

    assertThatThrownBy(() -> view.read().run())
        .hasMessageContaining("lakepipe.views.flights.tables.labels")
        .hasMessageContaining("'labels-flight' is not declared in lakepipe.tables");
  }
}
