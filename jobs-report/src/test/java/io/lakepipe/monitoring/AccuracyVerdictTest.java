// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.config.TestConfigs;
import io.lakepipe.monitoring.PredictionMonitoring.VersionQuality;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/** The accuracy verdict on a day's measured versions, without Spark or MLflow. */
class AccuracyVerdictTest {
  private static final String MODEL = "lakepipe_flights_delay";
  private static final double MAX_DROP = 0.03;

  private static VersionQuality version(String source, String version, double rocAuc) {
    return new VersionQuality(
        source, MODEL, version, new RealisedQuality(100, 80, rocAuc, 0.5, 0.02, 0.2, 0.2));
  }

  private static VersionQuality unlabelled(String source, String version) {
    return new VersionQuality(
        source,
        MODEL,
        version,
        new RealisedQuality(100, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN));
  }

  /** References by version number; a version not in the map is unknown. */
  private static BiFunction<String, String, OptionalDouble> references(
      Map<String, Double> byVersion) {
    return (name, version) ->
        byVersion.containsKey(version)
            ? OptionalDouble.of(byVersion.get(version))
            : OptionalDouble.empty();
  }

  private static AccuracyVerdict judge(VersionQuality version, double reference) {
    return AccuracyVerdict.judge(List.of(version), references(Map.of("3", reference)), MAX_DROP)
        .orElseThrow();
  }

  @Test
  void aDropAboveTheLimitCallsForATraining() {
    AccuracyVerdict verdict = judge(version("batch", "3", 0.6212), 0.6612);

    assertThat(verdict.retrain()).isTrue();
    assertThat(verdict.accuracy().get("batch v3").drop().getAsDouble())
        .isCloseTo(0.04, within(1e-12));
    assertThat(verdict.summary())
        .isEqualTo(
            "accuracy verdict: retrain=true (batch v3 ROC AUC 0.6212, 0.0400 below its test ROC"
                + " AUC 0.6612)");
  }

  @Test
  void aDropEqualToTheLimitDoesNot() {
    // Values exact in binary, so that the drop is the limit to the last bit.
    AccuracyVerdict verdict =
        AccuracyVerdict.judge(
                List.of(version("batch", "3", 0.625)), references(Map.of("3", 0.75)), 0.125)
            .orElseThrow();

    assertThat(verdict.accuracy().get("batch v3").drop()).hasValue(0.125);
    assertThat(verdict.retrain()).isFalse();
  }

  @Test
  void aDropBelowTheLimitOrARiseDoesNot() {
    assertThat(judge(version("batch", "3", 0.6512), 0.6612).summary())
        .isEqualTo(
            "accuracy verdict: retrain=false (batch v3 ROC AUC 0.6512, 0.0100 below its test ROC"
                + " AUC 0.6612)");
    assertThat(judge(version("batch", "3", 0.7), 0.6612).summary())
        .isEqualTo(
            "accuracy verdict: retrain=false (batch v3 ROC AUC 0.7000, 0.0388 above its test ROC"
                + " AUC 0.6612)");
  }

  @Test
  void anUnknownReferenceIsReportedButCannotCallForATraining() {
    AccuracyVerdict verdict =
        AccuracyVerdict.judge(
                List.of(version("batch", "3", 0.2), version("batch", "4", 0.6)),
                references(Map.of("4", 0.61)),
                MAX_DROP)
            .orElseThrow();

    assertThat(verdict.retrain()).isFalse();
    assertThat(verdict.accuracy().get("batch v3").referenceRocAuc()).isEmpty();
    assertThat(verdict.accuracy().get("batch v3").drop()).isEmpty();
    assertThat(verdict.metrics())
        .containsExactly(
            Map.entry("realised_roc_auc.batch.v3", 0.2),
            Map.entry("realised_roc_auc.batch.v4", 0.6),
            Map.entry("reference_roc_auc.batch.v4", 0.61));
    assertThat(verdict.summary())
        .startsWith(
            "accuracy verdict: retrain=false (batch v3 ROC AUC 0.2000, test ROC AUC unknown;");
  }

  @Test
  void aNonFiniteReferenceCountsAsUnknown() {
    assertThat(judge(version("batch", "3", 0.2), Double.NaN).accuracy().get("batch v3").drop())
        .isEmpty();
  }

  @Test
  void anUnlabelledVersionIsIgnoredAndADayWithNoneMeasuredHasNoVerdict() {
    List<String> asked = new ArrayList<>();
    BiFunction<String, String, OptionalDouble> reference =
        (name, version) -> {
          asked.add(version);
          return OptionalDouble.of(0.9);
        };

    AccuracyVerdict verdict =
        AccuracyVerdict.judge(
                List.of(unlabelled("batch", "3"), version("online", "4", 0.8)), reference, MAX_DROP)
            .orElseThrow();

    assertThat(verdict.accuracy()).containsOnlyKeys("online v4");
    assertThat(asked).containsExactly("4");
    assertThat(
            AccuracyVerdict.judge(List.of(unlabelled("batch", "3")), reference, MAX_DROP).isEmpty())
        .isTrue();
    // One class only: labelled rows, but no ROC AUC.
    VersionQuality oneClass =
        new VersionQuality(MODEL, "3", new RealisedQuality(10, 10, Double.NaN, 0.4, 0.1, 0.2, 0.0));
    assertThat(AccuracyVerdict.judge(List.of(oneClass), reference, MAX_DROP)).isEmpty();
  }

  @Test
  void bothSourcesAreJudgedAndShareOneLookupOfTheirVersion() {
    List<String> asked = new ArrayList<>();
    BiFunction<String, String, OptionalDouble> reference =
        (name, version) -> {
          asked.add(name + " v" + version);
          return OptionalDouble.of(0.70);
        };

    AccuracyVerdict verdict =
        AccuracyVerdict.judge(
                List.of(version("batch", "3", 0.69), version("online", "3", 0.6)),
                reference,
                MAX_DROP)
            .orElseThrow();

    assertThat(asked).containsExactly(MODEL + " v3");
    assertThat(verdict.accuracy()).containsOnlyKeys("batch v3", "online v3");
    // Batch is within the limit, online is not: one source is enough.
    assertThat(verdict.retrain()).isTrue();
    assertThat(verdict.metrics())
        .containsOnlyKeys(
            "realised_roc_auc.batch.v3",
            "reference_roc_auc.batch.v3",
            "realised_roc_auc.online.v3",
            "reference_roc_auc.online.v3");
  }

  @Test
  void theLimitIsReadFromConfigAndMustLieBetweenZeroAndOne() {
    assertThat(AccuracyVerdict.maxDrop(TestConfigs.flights(Map.of()))).isEqualTo(0.03);
    for (double invalid : new double[] {0, 1, -0.1}) {
      assertThatThrownBy(
              () ->
                  AccuracyVerdict.maxDrop(
                      TestConfigs.flights(
                          Map.of("lakepipe.quality.predictions.retrain-roc-auc-drop", invalid))))
          .isInstanceOf(LakepipeException.class)
          .hasMessageContaining("lakepipe.quality.predictions.retrain-roc-auc-drop")
          .hasMessageContaining("a number above 0 and below 1");
    }
  }
}
