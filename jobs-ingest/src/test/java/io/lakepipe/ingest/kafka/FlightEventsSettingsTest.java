package io.lakepipe.ingest.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.ingest.source.Expectation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlightEventsSettingsTest {
  @Test
  void defaultsReadEverythingOnTheLocalBroker() {
    FlightEventsSettings settings = FlightEventsSettings.from(LakepipeConfig.fromMap(Map.of(
        "lakepipe.lakehouse", "/lake",
        "lakepipe.sources.flight-events.bootstrap-servers", "broker:9092")));

    assertThat(settings.trigger()).isEqualTo(FlightEventsSettings.Trigger.AVAILABLE_NOW);
    assertThat(settings.startingOffsets()).isEqualTo("earliest");
    assertThat(settings.failOnDataLoss()).isTrue();
    assertThat(settings.checkpoint()).isEqualTo("/lake/_checkpoints/ingest-flight-events");
    assertThat(settings.bronzePath()).isEqualTo("/lake/bronze/flight_events");
    assertThat(settings.quarantinePath()).isEqualTo("/lake/quarantine/flight_events");
    assertThat(settings.source()).isEqualTo("kafka://broker:9092/lakepipe.flight-events");
    assertThat(settings.maxBadShare()).isEqualTo(0.05);
  }

  @Test
  void continuousTriggerIsAccepted() {
    FlightEventsSettings settings = FlightEventsSettings.from(LakepipeConfig.fromMap(Map.of(
        "lakepipe.ingest.flight-events.trigger", "continuous",
        "lakepipe.ingest.flight-events.trigger-interval", "30 seconds")));

    assertThat(settings.trigger()).isEqualTo(FlightEventsSettings.Trigger.CONTINUOUS);
    assertThat(settings.triggerInterval()).isEqualTo("30 seconds");
  }

  @Test
  void anUnknownTriggerStopsTheJobBeforeSparkStarts() {
    LakepipeConfig config = LakepipeConfig.fromMap(Map.of(
        "lakepipe.ingest.flight-events.trigger", "once"));

    assertThatThrownBy(() -> FlightEventsSettings.from(config))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("trigger is 'once' but must be \"available-now\" or \"continuous\"");
  }

  @Test
  void theEventsShareTheDeclaredFlightRulesAndAnEventColumnMayBeChecked() {
    FlightEventsSettings settings = FlightEventsSettings.from(LakepipeConfig.fromMap(Map.of()));
    assertThat(settings.expectations()).extracting(Expectation::sql).containsExactly(
        "origin RLIKE '^[A-Z0-9]{3}$'", "destination RLIKE '^[A-Z0-9]{3}$'",
        "origin <> destination", "delay BETWEEN -180 AND 1800", "distance > 0");

    FlightEventsSettings own = FlightEventsSettings.from(LakepipeConfig.fromMap(Map.of(
        "lakepipe.sources.flight-events.expectations",
        List.of(Map.of("name", "event_id is not from 2001", "sql", "event_id LIKE '2001-%'")))));
    assertThat(own.expectations()).extracting(Expectation::name)
        .containsExactly("event_id is not from 2001");
  }

  @Test
  void aFailingExpectationIsRefusedForAStream() {
    LakepipeConfig config = LakepipeConfig.fromMap(Map.of(
        "lakepipe.sources.flight-events.expectations",
        List.of(Map.of("name", "x", "sql", "delay > 0", "action", "fail"))));

    assertThatThrownBy(() -> FlightEventsSettings.from(config))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("lakepipe.sources.flight-events.expectations[0].action")
        .hasMessageContaining("Use action = quarantine");
  }
}
