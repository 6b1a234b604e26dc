// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.config.TestConfigs;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureViewReaderTest {
  static FeatureView flights(Map<String, ?> overrides) {
    return FeatureViewReader.read(TestConfigs.flights(overrides), "flights");
  }

  static Map<String, Object> airportLookup(String table) {
    return Map.of(
        "table",
        table,
        "key",
        "iata",
        "valid-from",
        "updated_at",
        "features",
        "airport",
        "roles",
        List.of(Map.of("on", "origin", "prefix", "origin", "description", "the origin")));
  }

  @Test
  void theFlightsViewDeclaresWhatTheJobUsedToHardWire() {
    FeatureView view = flights(Map.of());

    assertThat(view.entityTable()).isEqualTo("bronze-flights");
    assertThat(view.id()).isEqualTo("flight_id");
    assertThat(view.timestamp()).isEqualTo("flight_ts");
    assertThat(view.label().name()).isEqualTo("delayed");
    assertThat(view.label().expr()).isEqualTo("CAST(delay > 15 AS INT)");
    assertThat(view.label().columns()).containsOnlyKeys("delay");
    assertThat(view.neverFeatures()).containsExactly("delay");
    assertThat(view.tables())
        .isEqualTo(
            new FeatureView.Tables(
                "features-flights",
                "labels-flights",
                "features-daily-stats",
                "quality-features-flights"));
    Lookup airports = view.catalog().lookups().get(0);
    assertThat(airports.table()).isEqualTo("bronze-airports");
    assertThat(airports.key()).isEqualTo("iata");
    assertThat(airports.validFrom()).isEqualTo("updated_at");
    assertThat(airports.roles())
        .extracting(Lookup.Role::on, Lookup.Role::prefix)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("origin", "origin"),
            org.assertj.core.groups.Tuple.tuple("destination", "destination"));
    assertThat(view.entityColumns())
        .containsExactly("flight_ts", "origin", "destination", "distance", "delay");
  }

  @Test
  void theThresholdStaysOneSettingForLabelAndHistory() {
    FeatureView view = flights(Map.of("lakepipe.features.delay-threshold-minutes", 30));

    assertThat(view.label().expr()).isEqualTo("CAST(delay > 30 AS INT)");
    assertThat(view.label().description()).contains("above 30 minutes");
  }

  @Test
  void aFeatureReadingTheLabelOrANeverFeatureIsALabelLeak() {
    for (String expr : List.of("delay > 15", "delayed", "coalesce(DELAY, 0)")) {
      assertThatThrownBy(
              () ->
                  flights(
                      Map.of(
                          "lakepipe.features.row",
                          List.of(
                              Map.of(
                                  "name",
                                  "late",
                                  "type",
                                  "numeric",
                                  "expr",
                                  expr,
                                  "description",
                                  "The label itself")))))
          .hasMessageContaining("lakepipe.features.row[0].expr")
          .hasMessageContaining("label leak: feature 'late' reads ")
          .hasMessageContaining("lakepipe.views.flights.never-features")
          .hasMessageNotContaining("\n");
    }
  }

  @Test
  void aLookupToAnUndeclaredTableNamesTheKeyAndTheDeclaredTables() {
    assertThatThrownBy(
            () ->
                flights(
                    Map.of(
                        "lakepipe.views.flights.lookups",
                        List.of(airportLookup("bronze-airport")))))
        .hasMessageContaining("lakepipe.views.flights.lookups[0].table")
        .hasMessageContaining("'bronze-airport' is not declared in lakepipe.tables")
        .hasMessageContaining("bronze-airports")
        .hasMessageNotContaining("\n");
  }

  @Test
  void aLookupDeclaredInConfigAddsItsFeaturesWithoutCode() {
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("lakepipe.views.flights.lookups", List.of(airportLookup("bronze-airports")));
    overrides.put(
        "lakepipe.features.airport",
        List.of(Map.of("column", "city", "type", "categorical", "description", "City")));

    FeatureView view = flights(overrides);

    assertThat(view.catalog().names())
        .contains("origin_city")
        .doesNotContain("destination_city", "origin_latitude");
  }

  @Test
  void expressionsThatDoNotParseNameTheirKey() {
    assertThatThrownBy(
            () -> flights(Map.of("lakepipe.views.flights.label.expr", "CAST(delay > AS INT")))
        .hasMessageContaining("lakepipe.views.flights.label.expr")
        .hasMessageContaining("does not parse as Spark SQL")
        .hasMessageNotContaining("\n");
    assertThatThrownBy(() -> flights(Map.of("lakepipe.views.flights.entity.id.expr", "sha2(")))
        .hasMessageContaining("lakepipe.views.flights.entity.id.expr");
  }

  @Test
  void anUnknownViewOrKeyIsRefusedWithWhatIsDeclared() {
    assertThatThrownBy(() -> FeatureViewReader.read(TestConfigs.flights(Map.of()), "flight"))
        .hasMessageContaining("no view 'flight' is declared")
        .hasMessageContaining("flights");
    assertThatThrownBy(() -> flights(Map.of("lakepipe.views.flights.never-feature", List.of())))
        .hasMessageContaining("lakepipe.views.flights.never-feature")
        .hasMessageContaining("never-features");
  }

  @Test
  void aSecondViewIsADeclarationOnly() {
    Map<String, Object> overrides = new HashMap<>();
    overrides.put(
        "lakepipe.views.late-flights",
        Map.of(
            "entity",
                Map.of(
                    "table",
                    "bronze-flights",
                    "id",
                    Map.of("name", "flight_id", "expr", "sha2(origin, 256)", "description", "Key"),
                    "timestamp",
                    Map.of("column", "flight_ts", "description", "Departure"),
                    "ds-description",
                    "Day"),
            "label",
                Map.of(
                    "name",
                    "very_late",
                    "expr",
                    "CAST(delay > 120 AS INT)",
                    "description",
                    "Over two hours late",
                    "columns",
                    List.of()),
            "never-features", List.of("delay"),
            "features", "features",
            "lookups", List.of(),
            "tables",
                Map.of(
                    "features",
                    "features-flights",
                    "labels",
                    "labels-flights",
                    "daily-stats",
                    "features-daily-stats",
                    "feature-quality",
                    "quality-features-flights")));

    FeatureView view = FeatureViewReader.read(TestConfigs.flights(overrides), "late-flights");

    assertThat(view.label().name()).isEqualTo("very_late");
    assertThat(view.catalog().names()).doesNotContain("origin_state").contains("origin_flights_7d");
  }
}
