// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.config.TestConfigs;
import io.lakepipe.features.quality.FeatureGate.Settings;
import io.lakepipe.features.quality.FeatureGate.Verdict;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gate on feature metrics: limits, exemptions, verdicts and the settings behind them. */
class FeatureGateTest {

  /** The default settings of lakepipe-defaults.conf. */
  static Settings settings() {
    return Settings.fromConfig(TestConfigs.flights(Map.of()));
  }

  private static FeatureMetric numeric(String feature, double nullShare, Double psi) {
    long rows = 1000;
    return new FeatureMetric(
        feature,
        FeatureMetric.NUMERIC,
        rows,
        Math.round(nullShare * rows),
        nullShare,
        0.0,
        1.0,
        0.5,
        null,
        7000,
        psi);
  }

  @Test
  void aNullShareAboveTheLimitFailsNamingTheFeatureTheValueAndTheLimit() {
    FeatureMetric distance = numeric("distance", 0.2, 0.01);

    Verdict verdict = FeatureGate.judge(distance, settings());

    assertThat(verdict.gate()).isEqualTo(FeatureGate.FAIL);
    assertThat(verdict.reason()).isEqualTo("null share 0.2000 above the limit 0.05");
    assertThat(FeatureGate.failures(List.of(distance), settings()))
        .extracting(Object::toString)
        .containsExactly("distance: null share 0.2000 above the limit 0.05");
  }

  @Test
  void aPsiAboveTheLimitFails() {
    List<FeatureMetric> metrics =
        List.of(numeric("hour", 0.0, 0.01), numeric("distance", 0.0, 0.31));

    assertThat(FeatureGate.failures(metrics, settings()))
        .singleElement()
        .satisfies(
            failure -> {
              assertThat(failure.feature()).isEqualTo("distance");
              assertThat(failure.measure()).isEqualTo("psi");
              assertThat(failure.value()).isEqualTo(0.31);
              assertThat(failure.limit()).isEqualTo(0.25);
            });
    assertThat(FeatureGate.judge(metrics, settings()))
        .extracting(Verdict::gate)
        .containsExactly(FeatureGate.PASS, FeatureGate.FAIL);
  }

  @Test
  void historyWindowsReachingBeforeTheFirstBuiltDayAreWarmingUp() {
    java.time.LocalDate ds = java.time.LocalDate.of(2001, 1, 15);
    Map<String, Integer> windows = Map.of("route_flights_1d", 1, "route_flights_7d", 7);

    // With 7 reference days, the 1-day window needs stats from the 7th, the 7-day one from the 1st.
    assertThat(FeatureGate.warmingUp(windows, ds, 7, java.time.LocalDate.of(2001, 1, 1))).isEmpty();
    assertThat(FeatureGate.warmingUp(windows, ds, 7, java.time.LocalDate.of(2001, 1, 7)))
        .containsOnlyKeys("route_flights_7d");
    assertThat(FeatureGate.warmingUp(windows, ds, 7, java.time.LocalDate.of(2001, 1, 2)))
        .containsOnlyKeys("route_flights_7d");
    assertThat(FeatureGate.warmingUp(windows, ds, 7, java.time.LocalDate.of(2001, 1, 13)))
        .containsOnlyKeys("route_flights_1d", "route_flights_7d");
    assertThat(FeatureGate.warmingUp(windows, ds, 7, null)).as("no history at all").isEmpty();
  }

  @Test
  void aWarmingUpFeatureHasItsDriftWaivedWithTheReasonButOthersStillFail() {
    Map<String, String> warming =
        FeatureGate.warmingUp(
            Map.of("route_flights_7d", 7),
            java.time.LocalDate.of(2001, 1, 15),
            7,
            java.time.LocalDate.of(2001, 1, 13));
    List<FeatureMetric> metrics =
        List.of(numeric("route_flights_7d", 0.0, 4.9), numeric("distance", 0.0, 4.9));

    List<Verdict> verdicts = FeatureGate.judge(metrics, settings(), warming);

    assertThat(verdicts.get(0).gate()).isEqualTo(FeatureGate.EXEMPT);
    assertThat(verdicts.get(0).reason())
        .isEqualTo(
            "psi 4.9000 above the limit 0.25, warming up:"
                + " its 7-day window reaches before the first day with history, 2001-01-13");
    assertThat(verdicts.get(1).gate()).isEqualTo(FeatureGate.FAIL);
  }

  @Test
  void bothChecksFailingAreBothNamed() {
    Verdict verdict = FeatureGate.judge(numeric("distance", 0.5, 2.0), settings());

    assertThat(verdict.failures()).hasSize(2);
    assertThat(verdict.reason())
        .isEqualTo("null share 0.5000 above the limit 0.05; psi 2.0000 above the limit 0.25");
  }

  @Test
  void exemptFeaturesPassWithTheWaivedFindingAsReason() {
    List<FeatureMetric> metrics =
        List.of(
            numeric("origin_delay_mean_7d", 0.3, 0.01),
            numeric("route_delayed_share_28d", 0.6, 0.02),
            numeric("month", 0.0, 9.2),
            numeric("origin_flights_1d", 0.0, 0.8));

    List<Verdict> verdicts = FeatureGate.judge(metrics, settings());

    assertThat(FeatureGate.failures(metrics, settings())).isEmpty();
    assertThat(verdicts).extracting(Verdict::gate).containsOnly(FeatureGate.EXEMPT);
    assertThat(verdicts.get(0).reason())
        .isEqualTo(
            "null share 0.3000 above the limit 0.05, exempt by null-share-exempt '*_delay_mean_*d'");
    assertThat(verdicts.get(2).reason())
        .isEqualTo("psi 9.2000 above the limit 0.25, exempt by drift-exempt 'month'");
  }

  @Test
  void anExemptionCoversOnlyItsOwnCheck() {
    Settings settings =
        new Settings(7, 10, 1, 0.05, 0.25, 0.1, List.of("*_delay_mean_*d"), List.of("month"));

    // Null-share exempt, but its drift is still gated.
    Verdict verdict = FeatureGate.judge(numeric("origin_delay_mean_7d", 0.3, 0.9), settings);

    assertThat(verdict.gate()).isEqualTo(FeatureGate.FAIL);
    assertThat(verdict.failures()).extracting(FeatureGate.Failure::measure).containsExactly("psi");
    assertThat(verdict.reason()).contains("exempt by null-share-exempt");
  }

  @Test
  void aFeatureWithinTheLimitsPassesWithoutReason() {
    Verdict verdict = FeatureGate.judge(numeric("distance", 0.05, 0.25), settings());

    assertThat(verdict.gate()).isEqualTo(FeatureGate.PASS);
    assertThat(verdict.reason()).isNull();
  }

  @Test
  void tooFewRowsFails() {
    Settings settings = new Settings(7, 10, 2000, 0.05, 0.25, 0.1, List.of(), List.of());

    assertThat(FeatureGate.failures(List.of(numeric("distance", 0.0, 0.0)), settings))
        .extracting(Object::toString)
        .containsExactly("distance: rows 1000 below the minimum 2000");
  }

  @Test
  void theDefaultsExemptHistoryNullsAndCalendarDrift() {
    Settings defaults = settings();

    assertThat(defaults.referenceDays()).isEqualTo(7);
    assertThat(defaults.psiBins()).isEqualTo(10);
    assertThat(defaults.minRows()).isEqualTo(1);
    assertThat(defaults.maxNullShare()).isEqualTo(0.05);
    assertThat(defaults.maxPsi()).isEqualTo(0.25);
    assertThat(defaults.retrainPsi()).isEqualTo(0.1);
    assertThat(List.of("origin_delay_mean_7d", "route_delay_mean_1d", "dest_delayed_share_28d"))
        .allMatch(
            f -> defaults.nullShareExempt().stream().anyMatch(g -> FeatureGate.matches(g, f)));
    assertThat(
            List.of(
                "month",
                "day_of_week",
                "origin_flights_1d",
                "route_delay_mean_1d",
                "origin_delay_mean_7d",
                "origin_delayed_share_28d"))
        .allMatch(f -> defaults.driftExempt().stream().anyMatch(g -> FeatureGate.matches(g, f)));
    assertThat(List.of("distance", "hour", "origin", "origin_flights_7d", "origin_latitude"))
        .noneMatch(
            f ->
                defaults.driftExempt().stream().anyMatch(g -> FeatureGate.matches(g, f))
                    || defaults.nullShareExempt().stream()
                        .anyMatch(g -> FeatureGate.matches(g, f)));
  }

  @Test
  void globsMatchWholeNamesAndTreatOtherCharactersLiterally() {
    assertThat(FeatureGate.matches("*_1d", "origin_flights_1d")).isTrue();
    assertThat(FeatureGate.matches("*_1d", "origin_flights_1d_lag")).isFalse();
    assertThat(FeatureGate.matches("hour?", "hour2")).isTrue();
    assertThat(FeatureGate.matches("a.b", "axb")).isFalse();
    assertThat(FeatureGate.matches("month", "month")).isTrue();
  }

  @Test
  void anInvalidSettingStopsTheJobNamingTheKey() {
    LakepipeConfig config = TestConfigs.flights(Map.of("lakepipe.quality.features.psi-bins", 1));

    assertThatThrownBy(() -> Settings.fromConfig(config))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("lakepipe.quality.features.psi-bins")
        .hasMessageContaining("'1'");
  }

  @Test
  void driftBeyondRetrainPsiButWithinMaxPsiPassesAndCallsForRetraining() {
    List<FeatureMetric> metrics =
        List.of(
            numeric("hour", 0.0, 0.05),
            numeric("distance", 0.0, 0.15),
            numeric("origin_flights_7d", 0.0, 0.1));

    List<Verdict> verdicts = FeatureGate.judge(metrics, settings());

    assertThat(verdicts).extracting(Verdict::gate).containsOnly(FeatureGate.PASS);
    // 0.1 is the limit itself: only drift above it counts.
    assertThat(verdicts).extracting(Verdict::retrain).containsExactly(false, true, false);
    assertThat(FeatureGate.retrainDrift(metrics, verdicts))
        .containsExactly(Map.entry("distance", 0.15));
  }

  @Test
  void aFailingDriftAlsoCrossesRetrainPsi() {
    Verdict verdict = FeatureGate.judge(numeric("distance", 0.0, 0.9), settings());

    assertThat(verdict.gate()).isEqualTo(FeatureGate.FAIL);
    assertThat(verdict.retrain()).isTrue();
  }

  @Test
  void driftExemptAndWarmingUpFeaturesNeverCallForRetraining() {
    Map<String, String> warming =
        FeatureGate.warmingUp(
            Map.of("route_flights_7d", 7),
            java.time.LocalDate.of(2001, 1, 15),
            7,
            java.time.LocalDate.of(2001, 1, 13));
    List<FeatureMetric> metrics =
        List.of(
            numeric("month", 0.0, 9.2),
            numeric("origin_delay_mean_7d", 0.0, 0.2),
            numeric("route_flights_7d", 0.0, 0.2),
            numeric("no_reference", 0.0, null));

    List<Verdict> verdicts = FeatureGate.judge(metrics, settings(), warming);

    assertThat(verdicts).extracting(Verdict::retrain).containsOnly(false);
    assertThat(FeatureGate.retrainDrift(metrics, verdicts)).isEmpty();
  }

  @Test
  void aRetrainPsiAboveMaxPsiIsRefusedAsItCouldNeverTrigger() {
    LakepipeConfig config =
        TestConfigs.flights(Map.of("lakepipe.quality.features.retrain-psi", 0.3));

    assertThatThrownBy(() -> Settings.fromConfig(config))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("lakepipe.quality.features.retrain-psi")
        .hasMessageContaining("'0.3'")
        .hasMessageContaining("from 0 to max-psi (0.25)");
  }
}
