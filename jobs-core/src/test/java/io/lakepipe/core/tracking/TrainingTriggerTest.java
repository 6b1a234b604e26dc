// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.config.TestConfigs;
import io.lakepipe.core.tracking.TrainingTrigger.Accuracy;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** The training trigger setting and the tags of a day's drift and accuracy verdicts. */
class TrainingTriggerTest {

  @Test
  void theDefaultTrainsEveryDay() {
    TrainingTrigger trigger = TrainingTrigger.fromConfig(TestConfigs.flights(Map.of()));

    assertThat(trigger.mode()).isEqualTo(TrainingTrigger.EVERY_DAY);
    assertThat(trigger.onDrift()).isFalse();
    assertThat(trigger.driftExperiment()).isEqualTo("lakepipe-feature-drift");
  }

  @Test
  void onDriftIsReadFromConfig() {
    TrainingTrigger trigger =
        TrainingTrigger.fromConfig(
            TestConfigs.flights(Map.of("lakepipe.training.trigger", "on-drift")));

    assertThat(trigger.onDrift()).isTrue();
  }

  @Test
  void anUnknownModeStopsTheJobNamingTheKeyAndTheModes() {
    assertThatThrownBy(
            () ->
                TrainingTrigger.fromConfig(
                    TestConfigs.flights(Map.of("lakepipe.training.trigger", "weekly"))))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("lakepipe.training.trigger")
        .hasMessageContaining("'weekly'")
        .hasMessageContaining("every-day or on-drift");
  }

  @Test
  void aDayWithDriftIsTaggedForRetrainingWithItsFeaturesInOrder() {
    Map<String, Double> drift = new LinkedHashMap<>();
    drift.put("distance", 0.1834567);
    drift.put("hour", 0.12);

    Map<String, String> tags =
        TrainingTrigger.verdictTags(LocalDate.parse("2001-01-15"), "flights", drift);

    assertThat(tags)
        .containsExactly(
            Map.entry("lakepipe.ds", "2001-01-15"),
            Map.entry("lakepipe.view", "flights"),
            Map.entry("lakepipe.verdict", "drift"),
            Map.entry("lakepipe.retrain", "true"),
            Map.entry("lakepipe.retrain.drift", "{\"distance\": 0.1835, \"hour\": 0.1200}"));
  }

  @Test
  void aDayWithoutDriftIsTaggedAsNoRetraining() {
    Map<String, String> tags =
        TrainingTrigger.verdictTags(LocalDate.parse("2001-01-15"), "flights", Map.of());

    assertThat(tags).containsEntry("lakepipe.retrain", "false");
    assertThat(tags).containsEntry("lakepipe.retrain.drift", "{}");
  }

  @Test
  void anAccuracyVerdictTagsEachVersionsRocAucAgainstItsReferenceInOrder() {
    Map<String, Accuracy> measured = new LinkedHashMap<>();
    measured.put("batch v3", new Accuracy(0.61234, OptionalDouble.of(0.66118)));
    measured.put("online v3", new Accuracy(0.7, OptionalDouble.empty()));

    Map<String, String> tags =
        TrainingTrigger.accuracyVerdictTags(
            LocalDate.parse("2001-01-15"), "flights", true, measured);

    assertThat(tags)
        .containsExactly(
            Map.entry("lakepipe.ds", "2001-01-15"),
            Map.entry("lakepipe.view", "flights"),
            Map.entry("lakepipe.verdict", "accuracy"),
            Map.entry("lakepipe.retrain", "true"),
            Map.entry(
                "lakepipe.retrain.accuracy",
                "{\"batch v3\": {\"roc_auc\": 0.6123, \"reference_roc_auc\": 0.6612, \"drop\":"
                    + " 0.0488}, \"online v3\": {\"roc_auc\": 0.7000, \"reference_roc_auc\":"
                    + " null, \"drop\": null}}"));
  }

  @Test
  void jsonKeysAreEscaped() {
    assertThat(TrainingTrigger.driftJson(Map.of("a\"b\\c", 0.5)))
        .isEqualTo("{\"a\\\"b\\\\c\": 0.5000}");
    assertThat(
            TrainingTrigger.accuracyJson(Map.of("x\"", new Accuracy(0.5, OptionalDouble.of(0.75)))))
        .isEqualTo(
            "{\"x\\\"\": {\"roc_auc\": 0.5000, \"reference_roc_auc\": 0.7500, \"drop\": 0.2500}}");
  }
}
