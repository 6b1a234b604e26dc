// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.config.TestConfigs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureCatalogTest {
  static FeatureCatalog defaults() {
    return catalogOf(TestConfigs.flights(Map.of()));
  }

  /** The catalog of the flights view, as the jobs read it. */
  private static FeatureCatalog catalogOf(LakepipeConfig config) {
    return FeatureViewReader.read(config, "flights").catalog();
  }

  @Test
  void defaultsDeclareFlightAirportAndHistoryFeaturesInTableOrder() {
    FeatureCatalog catalog = defaults();

    assertThat(catalog.names()).hasSize(6 + 2 * 3 + 3 * 3 * 3);
    assertThat(catalog.names())
        .startsWith(
            "hour",
            "day_of_week",
            "month",
            "distance",
            "origin",
            "destination",
            "origin_latitude",
            "origin_longitude",
            "origin_state",
            "destination_latitude",
            "destination_longitude",
            "destination_state",
            "origin_delay_mean_1d",
            "origin_delayed_share_1d",
            "origin_flights_1d",
            "origin_delay_mean_7d");
    assertThat(catalog.names()).endsWith("route_flights_28d");
    assertThat(catalog.categoricalInputs())
        .containsExactly("origin", "destination", "origin_state", "destination_state");
    assertThat(catalog.numericInputs()).hasSize(catalog.names().size() - 4);
    assertThat(catalog.maxWindowDays()).isEqualTo(28);
  }

  @Test
  void everyColumnHasAComment() {
    Map<String, String> comments = defaults().featureComments();

    assertThat(comments.keySet()).containsAll(defaults().names()).contains("flight_id", "ds");
    assertThat(comments.values()).allSatisfy(c -> assertThat(c).isNotBlank());
    assertThat(comments.get("route_delayed_share_7d"))
        .isEqualTo(
            "Share of delayed flights of flights of the same route over the 7 days before the"
                + " row's ds");
    assertThat(comments.get("destination_state"))
        .isEqualTo("State (two letters) of the destination airport, as valid at the flight's time");
  }

  @Test
  void aFeatureAddedInConfigAppearsWithoutCode() {
    LakepipeConfig config =
        TestConfigs.flights(
            Map.of(
                "lakepipe.features.airport",
                    List.of(Map.of("column", "city", "type", "categorical", "description", "City")),
                "lakepipe.features.history.window-days", List.of(3)));

    FeatureCatalog catalog = catalogOf(config);

    assertThat(catalog.names())
        .contains("origin_city", "destination_city", "route_flights_3d")
        .doesNotContain("origin_latitude", "route_flights_7d");
  }

  @Test
  void anUnknownTypeIsAClearError() {
    LakepipeConfig config =
        TestConfigs.flights(
            Map.of(
                "lakepipe.features.row",
                List.of(
                    Map.of(
                        "name",
                        "hour",
                        "type",
                        "ordinal",
                        "expr",
                        "hour(flight_ts)",
                        "description",
                        "Hour"))));

    assertThatThrownBy(() -> catalogOf(config))
        .hasMessageContaining("Feature 'hour'")
        .hasMessageContaining("type 'ordinal' is neither numeric nor categorical");
  }

  @Test
  void anExpressionThatDoesNotParseIsRefusedBeforeSparkStarts() {
    LakepipeConfig config =
        TestConfigs.flights(
            Map.of(
                "lakepipe.features.row",
                List.of(
                    Map.of(
                        "name",
                        "hour",
                        "type",
                        "numeric",
                        "expr",
                        "hour(flight_ts",
                        "description",
                        "Hour"))));

    assertThatThrownBy(() -> catalogOf(config))
        .hasMessageContaining("Feature 'hour'")
        .hasMessageContaining("its expression 'hour(flight_ts' does not parse as Spark SQL");
    assertThatThrownBy(
            () ->
                catalogOf(
                    TestConfigs.flights(
                        Map.of(
                            "lakepipe.features.history.statistics",
                            List.of(
                                Map.of(
                                    "name",
                                    "delay_mean",
                                    "expr",
                                    "delay_minutes /",
                                    "description",
                                    "a"))))))
        .hasMessageContaining("Feature 'delay_mean'")
        .hasMessageContaining("does not parse");
  }

  @Test
  void aMissingFieldNamesTheListElement() {
    LakepipeConfig config =
        TestConfigs.flights(
            Map.of(
                "lakepipe.features.row",
                List.of(
                    Map.of(
                        "name",
                        "hour",
                        "type",
                        "numeric",
                        "expr",
                        "hour(flight_ts)",
                        "description",
                        "Hour"),
                    Map.of("name", "minute", "type", "numeric"))));

    assertThatThrownBy(() -> catalogOf(config))
        .hasMessageContaining("lakepipe.features.row[1].expr is missing");
  }

  @Test
  void duplicateAndBadNamesAndWindowsAreRejected() {
    assertThatThrownBy(
            () ->
                catalogOf(
                    TestConfigs.flights(
                        Map.of(
                            "lakepipe.features.row",
                            List.of(
                                Map.of(
                                    "name",
                                    "hour",
                                    "type",
                                    "numeric",
                                    "expr",
                                    "1",
                                    "description",
                                    "a"),
                                Map.of(
                                    "name",
                                    "hour",
                                    "type",
                                    "numeric",
                                    "expr",
                                    "2",
                                    "description",
                                    "b"))))))
        .hasMessageContaining("Feature 'hour'")
        .hasMessageContaining("used twice");
    assertThatThrownBy(
            () ->
                catalogOf(
                    TestConfigs.flights(
                        Map.of(
                            "lakepipe.features.row",
                            List.of(
                                Map.of(
                                    "name",
                                    "Hour Of Day",
                                    "type",
                                    "numeric",
                                    "expr",
                                    "1",
                                    "description",
                                    "a"))))))
        .hasMessageContaining("lower-case letters");
    assertThatThrownBy(
            () ->
                catalogOf(
                    TestConfigs.flights(
                        Map.of("lakepipe.features.history.window-days", List.of(7, 0)))))
        .hasMessageContaining("windows are whole days");
    assertThatThrownBy(
            () ->
                catalogOf(
                    TestConfigs.flights(
                        Map.of(
                            "lakepipe.features.row",
                            List.of(
                                Map.of(
                                    "name",
                                    "delayed",
                                    "type",
                                    "numeric",
                                    "expr",
                                    "1",
                                    "description",
                                    "a"))))))
        .hasMessageContaining("Feature 'delayed'")
        .hasMessageContaining("used twice");
  }

  @Test
  void theDailyStatsDefinitionChangesWithTheSumsNotWithTheStatistics() {
    String base = defaults().dailyStatsDefinition();
    String otherThreshold =
        catalogOf(TestConfigs.flights(Map.of("lakepipe.features.delay-threshold-minutes", 30)))
            .dailyStatsDefinition();
    String otherWindows =
        catalogOf(TestConfigs.flights(Map.of("lakepipe.features.history.window-days", List.of(2))))
            .dailyStatsDefinition();

    assertThat(otherThreshold).isNotEqualTo(base);
    assertThat(otherWindows).isEqualTo(base);
  }
}
