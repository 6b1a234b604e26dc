// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.config.TestConfigs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MaintenanceSettingsTest {

  @Test
  void byDefaultEveryDeclaredTableIsMaintainedWithAWeekOfRetention() {
    MaintenanceSettings settings = MaintenanceSettings.from(TestConfigs.flights(Map.of()));

    assertThat(settings.tables()).containsKeys("audit-runs", "bronze-flights", "features-flights");
    assertThat(settings.tables().get("features-flights")).endsWith("/features/flights");
    assertThat(settings.retention()).isEqualTo(Duration.ofDays(7));
    assertThat(settings.margin()).isEqualTo(Duration.ofDays(1));
    assertThat(settings.interval()).isEqualTo(Duration.ofDays(7));
    assertThat(settings.dryRun()).isFalse();
    assertThat(settings.models()).containsExactly("lakepipe_flights_delay");
  }

  @Test
  void chosenTablesKeepTheirOrderAndAnUndeclaredOneStopsTheJob() {
    MaintenanceSettings settings =
        MaintenanceSettings.from(
            TestConfigs.flights(
                Map.of(
                    "lakepipe.maintenance.tables",
                    List.of("labels-flights", "features-flights"),
                    "lakepipe.maintenance.retention",
                    "36 h")));

    assertThat(settings.tables().keySet()).containsExactly("labels-flights", "features-flights");
    assertThat(settings.retention()).isEqualTo(Duration.ofHours(36));
    assertThatThrownBy(
            () ->
                MaintenanceSettings.from(
                    TestConfigs.flights(
                        Map.of("lakepipe.maintenance.tables", List.of("features-flight")))))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("lakepipe.maintenance.tables")
        .hasMessageContaining("'features-flight'");
  }

  @Test
  void aNegativeRetentionIsRefused() {
    assertThatThrownBy(
            () ->
                MaintenanceSettings.from(
                    TestConfigs.flights(Map.of("lakepipe.maintenance.retention", "-1 h"))))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("lakepipe.maintenance.retention");
  }
}
