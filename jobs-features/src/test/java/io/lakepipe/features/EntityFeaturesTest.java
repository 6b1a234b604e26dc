// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features;

import static io.lakepipe.features.FeatureTestRows.airport;
import static io.lakepipe.features.FeatureTestRows.bronzeAirports;
import static io.lakepipe.features.FeatureTestRows.bronzeFlights;
import static io.lakepipe.features.FeatureTestRows.dailyStats;
import static io.lakepipe.features.FeatureTestRows.flight;
import static io.lakepipe.features.FeatureTestRows.stats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.lakepipe.core.SparkTestBase;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class EntityFeaturesTest extends SparkTestBase {
  static final FeatureView VIEW = FeatureViewReaderTest.flights(Map.of());
  static final LocalDate DS = LocalDate.parse("2001-01-29");

  Dataset<Row> noAirports() {
    return rows(bronzeAirports());
  }

  static Map<String, Dataset<Row>> lookups(Dataset<Row> airports) {
    return Map.of("bronze-airports", airports);
  }

  Dataset<Row> noStats() {
    return rows(dailyStats());
  }

  static Row only(Dataset<Row> rows) {
    List<Row> all = rows.collectAsList();
    assertThat(all).hasSize(1);
    return all.get(0);
  }

  @Test
  void flightFeaturesFollowTheCatalogAndLeaveTheLabelOut() {
    // 2001-01-29 was a Monday: Spark's dayofweek counts Sunday as 1, so Monday is 2.
    Dataset<Row> bronze = rows(bronzeFlights(), flight("2001-01-29T07:05", 16, 2176, "LAS", "PHL"));

    Dataset<Row> features =
        EntityFeatures.build(bronze, lookups(noAirports()), noStats(), VIEW, DS);
    Row row = only(features);

    List<String> expected = new ArrayList<>(List.of("flight_id", "flight_ts"));
    expected.addAll(VIEW.catalog().names());
    assertThat(features.columns()).containsExactlyElementsOf(expected);
    assertThat(row.<Integer>getAs("hour")).isEqualTo(7);
    assertThat(row.<Integer>getAs("day_of_week")).isEqualTo(2);
    assertThat(row.<Integer>getAs("month")).isEqualTo(1);
    assertThat(row.<Integer>getAs("distance")).isEqualTo(2176);
    assertThat(row.<String>getAs("origin")).isEqualTo("LAS");
    assertThat(row.<String>getAs("destination")).isEqualTo("PHL");
    assertThat(row.<String>getAs("flight_id")).matches("[0-9a-f]{32}");
  }

  @Test
  void flightIdsAreStableAndTellApartFlightsThatDifferOnlyInDelay() {
    Dataset<Row> bronze =
        rows(
            bronzeFlights(),
            flight("2001-01-29T07:05", 16, 2176, "LAS", "PHL"),
            flight("2001-01-29T07:05", 3, 2176, "LAS", "PHL"));

    List<String> first =
        EntityFeatures.labels(bronze, VIEW)
            .select("flight_id")
            .as(org.apache.spark.sql.Encoders.STRING())
            .collectAsList();
    List<String> again =
        EntityFeatures.build(bronze, lookups(noAirports()), noStats(), VIEW, DS)
            .select("flight_id")
            .as(org.apache.spark.sql.Encoders.STRING())
            .collectAsList();

    assertThat(first).doesNotHaveDuplicates().hasSize(2);
    assertThat(again).containsExactlyInAnyOrderElementsOf(first);
  }

  @Test
  void labelsAreDelayAboveTheThreshold() {
    Dataset<Row> bronze =
        rows(
            bronzeFlights(),
            flight("2001-01-29T07:00", 15, 100, "AAA", "BBB"),
            flight("2001-01-29T08:00", 16, 100, "AAA", "BBB"),
            flight("2001-01-29T09:00", -5, 100, "AAA", "BBB"));

    Dataset<Row> labels = EntityFeatures.labels(bronze, VIEW);

    assertThat(labels.columns()).containsExactly("flight_id", "flight_ts", "delay", "delayed");
    assertThat(
            labels.orderBy("flight_ts").select("delay", "delayed").collectAsList().stream()
                .map(Row::toString))
        .containsExactly("[15,0]", "[16,1]", "[-5,0]");
  }

  @Test
  void airportAttributesAreTheVersionValidAtDeparture() {
    Dataset<Row> airports =
        rows(
            bronzeAirports(),
            airport("ATL", "GA", 33.6, "2000-12-31T00:00:00Z"),
            airport("ATL", "XX", 40.0, "2001-01-29T12:00:00Z"),
            airport("SAV", "GA", 32.1, "2000-12-31T00:00:00Z"),
            // Valid only after these flights: they must not see it.
            airport("NEW", "NY", 41.0, "2001-02-01T00:00:00Z"));
    Dataset<Row> bronze =
        rows(
            bronzeFlights(),
            flight("2001-01-29T11:59", 0, 215, "ATL", "SAV"),
            flight("2001-01-29T12:00", 0, 215, "SAV", "ATL"),
            flight("2001-01-29T23:00", 0, 215, "ATL", "NEW"),
            flight("2001-01-29T23:30", 0, 999, "ZZZ", "SAV"));

    List<String> rows =
        EntityFeatures.build(bronze, lookups(airports), noStats(), VIEW, DS)
            .orderBy("flight_ts")
            .select(
                "origin",
                "origin_state",
                "origin_latitude",
                "origin_longitude",
                "destination",
                "destination_state",
                "destination_latitude")
            .collectAsList()
            .stream()
            .map(Row::toString)
            .toList();

    assertThat(rows)
        .containsExactly(
            "[ATL,GA,33.6,-33.6,SAV,GA,32.1]",
            "[SAV,GA,32.1,-32.1,ATL,XX,40.0]",
            "[ATL,XX,40.0,-40.0,NEW,null,null]",
            "[ZZZ,null,null,null,SAV,GA,32.1]");
  }

  @Test
  void aLookupWithoutValidFromIsAnExactJoinOnItsKey() {
    FeatureView view =
        FeatureViewReaderTest.flights(
            Map.of(
                "lakepipe.views.flights.lookups",
                List.of(
                    Map.of(
                        "table",
                        "bronze-airports",
                        "key",
                        "iata",
                        "features",
                        "airport",
                        "roles",
                        List.of(
                            Map.of(
                                "on",
                                "destination",
                                "prefix",
                                "dest",
                                "description",
                                "the destination airport"))))));
    // Valid only after the flight: an as-of lookup would not see it, an exact one does.
    Dataset<Row> airports =
        rows(bronzeAirports(), airport("SAV", "GA", 32.1, "2002-01-01T00:00:00Z"));
    Dataset<Row> bronze =
        rows(
            bronzeFlights(),
            flight("2001-01-29T06:00", 45, 215, "ATL", "SAV"),
            flight("2001-01-29T07:00", 45, 215, "SAV", "ATL"));

    Dataset<Row> features = EntityFeatures.build(bronze, lookups(airports), noStats(), view, DS);

    assertThat(features.columns())
        .contains("dest_state", "dest_latitude")
        .doesNotContain("origin_state", "destination_state");
    assertThat(
            features.orderBy("flight_ts").select("dest_state").collectAsList().stream()
                .map(Row::toString))
        .containsExactly("[GA]", "[null]");
  }

  @Test
  void historyCountsOnlyWholeDaysBeforeTheFlightsDay() {
    Dataset<Row> stats =
        rows(
            dailyStats(),
            stats("origin", "ATL", 10, 2, 100, "2001-01-28"),
            // ds - 7: the first day of the 7-day window.
            stats("origin", "ATL", 5, 5, 250, "2001-01-22"),
            stats("origin", "ATL", 4, 0, -20, "2001-01-21"),
            // ds - 28: the first day of the 28-day window.
            stats("origin", "ATL", 1, 1, 60, "2001-01-01"),
            // Outside every window, the flight's own day and a later day: never counted.
            stats("origin", "ATL", 1000, 1000, 99000, "2000-12-31"),
            stats("origin", "ATL", 1000, 1000, 99000, "2001-01-29"),
            stats("origin", "ATL", 1000, 1000, 99000, "2001-01-30"),
            stats("destination", "SAV", 3, 3, 90, "2001-01-28"),
            // Another entity's key that happens to equal the route's: kept apart by entity.
            stats("route", "SAV|ATL", 7, 0, 0, "2001-01-28"));
    Dataset<Row> bronze = rows(bronzeFlights(), flight("2001-01-29T06:00", 45, 215, "ATL", "SAV"));

    Row row = only(EntityFeatures.build(bronze, lookups(noAirports()), stats, VIEW, DS));

    assertThat(row.<Long>getAs("origin_flights_1d")).isEqualTo(10);
    assertThat(row.<Double>getAs("origin_delay_mean_1d")).isEqualTo(10.0);
    assertThat(row.<Double>getAs("origin_delayed_share_1d")).isEqualTo(0.2);
    assertThat(row.<Long>getAs("origin_flights_7d")).isEqualTo(15);
    assertThat(row.<Double>getAs("origin_delay_mean_7d")).isCloseTo(350.0 / 15, within(1e-12));
    assertThat(row.<Double>getAs("origin_delayed_share_7d")).isCloseTo(7.0 / 15, within(1e-12));
    assertThat(row.<Long>getAs("origin_flights_28d")).isEqualTo(20);
    assertThat(row.<Double>getAs("origin_delay_mean_28d")).isEqualTo(19.5);
    assertThat(row.<Double>getAs("origin_delayed_share_28d")).isEqualTo(0.4);
    assertThat(row.<Long>getAs("destination_flights_1d")).isEqualTo(3);
    assertThat(row.<Double>getAs("destination_delayed_share_28d")).isEqualTo(1.0);
    // No flight of the route before: zero flights, and no mean or share of nothing.
    assertThat(row.<Long>getAs("route_flights_28d")).isEqualTo(0);
    assertThat(row.<Double>getAs("route_delay_mean_28d")).isNull();
    assertThat(row.<Double>getAs("route_delayed_share_1d")).isNull();
  }

  @Test
  void aFeatureAddedInConfigIsComputedWithoutCode() {
    List<Map<String, Object>> flight = new ArrayList<>();
    flight.add(
        Map.of(
            "name",
            "minute",
            "type",
            "numeric",
            "expr",
            "minute(flight_ts)",
            "description",
            "Minute of the departure"));
    flight.add(
        Map.of(
            "name",
            "long_haul",
            "type",
            "categorical",
            "expr",
            "CASE WHEN distance > 1500 THEN 'yes' ELSE 'no' END",
            "description",
            "Long haul"));
    FeatureView added =
        FeatureViewReaderTest.flights(
            Map.of(
                "lakepipe.features.row", flight,
                "lakepipe.features.airport",
                    List.of(
                        Map.of("column", "state", "type", "categorical", "description", "State")),
                "lakepipe.features.history.window-days", List.of(2)));
    Dataset<Row> airports =
        rows(bronzeAirports(), airport("LAS", "NV", 36.1, "2000-12-31T00:00:00Z"));
    Dataset<Row> stats =
        rows(
            dailyStats(),
            stats("route", "LAS|PHL", 4, 1, 80, "2001-01-27"),
            stats("route", "LAS|PHL", 9, 9, 900, "2001-01-26"));
    Dataset<Row> bronze = rows(bronzeFlights(), flight("2001-01-29T07:05", 16, 2176, "LAS", "PHL"));

    Row row = only(EntityFeatures.build(bronze, lookups(airports), stats, added, DS));

    assertThat(row.<Integer>getAs("minute")).isEqualTo(5);
    assertThat(row.<String>getAs("long_haul")).isEqualTo("yes");
    assertThat(row.<String>getAs("origin_state")).isEqualTo("NV");
    assertThat(row.<String>getAs("destination_state")).isNull();
    // The 2-day window holds 2001-01-27 and 2001-01-28, not 2001-01-26.
    assertThat(row.<Long>getAs("route_flights_2d")).isEqualTo(4);
    assertThat(row.<Double>getAs("route_delay_mean_2d")).isEqualTo(20.0);
    assertThat(row.schema().fieldNames()).hasSize(2 + 2 + 2 + 3 * 3);
  }

  @Test
  void aBadExpressionNamesTheFeatureBeforeAnyJobRuns() {
    FeatureView bad =
        FeatureViewReaderTest.flights(
            Map.of(
                "lakepipe.features.row",
                List.of(
                    Map.of(
                        "name",
                        "departure_hour",
                        "type",
                        "numeric",
                        "expr",
                        "hour(departure)",
                        "description",
                        "Hour"))));
    Dataset<Row> bronze = rows(bronzeFlights(), flight("2001-01-29T06:00", 45, 215, "ATL", "SAV"));

    assertThatThrownBy(
            () -> EntityFeatures.build(bronze, lookups(noAirports()), noStats(), bad, DS))
        .hasMessageContaining("Feature 'departure_hour'")
        .hasMessageContaining("hour(departure)");
  }

  @Test
  void missingBronzeColumnIsAnError() {
    Dataset<Row> bronze =
        rows(bronzeFlights(), flight("2001-01-29T06:00", 45, 215, "ATL", "SAV")).drop("distance");

    assertThatThrownBy(
            () -> EntityFeatures.build(bronze, lookups(noAirports()), noStats(), VIEW, DS))
        .hasMessageContaining("[distance]");
  }
}
