// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.config.TestConfigs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CandidateGridTest {
  private static LakepipeConfig candidates(Object... families) {
    return TestConfigs.flights(Map.of("lakepipe.train.candidates", List.of(families)));
  }

  @Test
  void everyCombinationOfTheGridIsACandidate() {
    List<Candidate> candidates =
        CandidateGrid.from(
            candidates(
                Map.of(
                    "name",
                    "lr",
                    "type",
                    "logistic-regression",
                    "grid",
                    Map.of("reg-param", List.of(0.0, 0.1, 1.0), "max-iter", List.of(10, 20))),
                Map.of(
                    "name",
                    "mlp",
                    "type",
                    "mlp",
                    "grid",
                    Map.of("hidden-layers", List.of(List.of(8, 4))))));

    assertThat(candidates).hasSize(7);
    assertThat(candidates.get(0).id()).isEqualTo("lr-1");
    assertThat(candidates.subList(0, 6))
        .extracting(Candidate::params)
        .containsExactly(
            Map.of("max-iter", 10, "reg-param", 0.0), Map.of("max-iter", 10, "reg-param", 0.1),
            Map.of("max-iter", 10, "reg-param", 1.0), Map.of("max-iter", 20, "reg-param", 0.0),
            Map.of("max-iter", 20, "reg-param", 0.1), Map.of("max-iter", 20, "reg-param", 1.0));
    assertThat(candidates.get(6).loggedParams())
        .containsEntry("model_type", "mlp")
        .containsEntry("hidden_layers", "[8, 4]");
  }

  @Test
  void theDefaultsDeclareAllFourModelTypes() {
    List<Candidate> candidates = CandidateGrid.from(TestConfigs.flights(Map.of()));

    assertThat(candidates).extracting(Candidate::type).contains(ModelType.values());
  }

  @Test
  void mistakesInTheGridStopTheJobBeforeSparkStarts() {
    assertThatThrownBy(
            () ->
                CandidateGrid.from(
                    candidates(Map.of("name", "x", "type", "random-forest", "grid", Map.of()))))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("Unknown model type 'random-forest'");
    assertThatThrownBy(
            () ->
                CandidateGrid.from(
                    candidates(
                        Map.of("name", "x", "type", "gbt", "grid", Map.of("eta", List.of(0.1))))))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("eta")
        .hasMessageContaining("max-depth");
    assertThatThrownBy(
            () ->
                CandidateGrid.from(
                    candidates(
                        Map.of(
                            "name",
                            "x",
                            "type",
                            "gbt",
                            "grid",
                            Map.of("max-depth", List.of("deep"))))))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("must be a number, not deep");
    assertThatThrownBy(
            () ->
                CandidateGrid.from(
                    candidates(
                        Map.of(
                            "name",
                            "x",
                            "type",
                            "logistic-regression",
                            "grid",
                            Map.of("reg-param", List.of(-1))))))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("reg-param");
    assertThatThrownBy(
            () ->
                CandidateGrid.from(
                    candidates(
                        Map.of("name", "x", "type", "gbt", "grid", Map.of()),
                        Map.of("name", "x", "type", "mlp", "grid", Map.of()))))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("'x'");
  }
}
