// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.config.TestConfigs;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportSettingsTest {

  @Test
  void defaultsPutThePagesUnderTheLakehouseWithTheIngestLimit() {
    ReportSettings settings =
        ReportSettings.from(
            TestConfigs.flights(
                Map.of(
                    "lakepipe.lakehouse",
                    "s3a://bucket/lake",
                    "lakepipe.sources.flights.max-bad-share",
                    0.07)));

    assertThat(settings.windowDays()).isEqualTo(14);
    assertThat(settings.location()).isEqualTo("s3a://bucket/lake/reports/daily");
    assertThat(settings.experiment()).isEqualTo("lakepipe-reports");
    assertThat(settings.maxBadShare()).isEqualTo(0.07);
  }

  @Test
  void aWindowOfNoDaysIsRefusedNamingTheKey() {
    LakepipeConfig config = TestConfigs.flights(Map.of("lakepipe.report.window-days", 0));

    assertThatThrownBy(() -> ReportSettings.from(config))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("lakepipe.report.window-days has the invalid value '0'");
  }
}
