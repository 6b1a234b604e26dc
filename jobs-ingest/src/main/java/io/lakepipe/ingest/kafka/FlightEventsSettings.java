package io.lakepipe.ingest.kafka;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.config.LakepipeConfig;

/**
 * The settings of the flight-events source and its ingest, read from {@code lakepipe.sources.flight-events},
 * {@code lakepipe.ingest.flight-events} and the flight rules of {@code lakepipe.ingest.flights}, and
 * checked before Spark starts.
 */
public record FlightEventsSettings(
    String bootstrapServers,
    String topic,
    int partitions,
    String startingOffsets,
    long maxOffsetsPerTrigger,
    boolean failOnDataLoss,
    Trigger trigger,
    String triggerInterval,
    String checkpoint,
    double maxBadShare,
    int delayMinMinutes,
    int delayMaxMinutes,
    String bronzePath,
    String quarantinePath) {

  /** How a run reads the topic. */
  public enum Trigger {
    /** Everything the topic holds when the run starts, in micro-batches, then stop. */
    AVAILABLE_NOW,
    /** A micro-batch every trigger interval until the process is stopped. */
    CONTINUOUS
  }

  public static FlightEventsSettings from(LakepipeConfig config) {
    String trigger = config.string("ingest.flight-events.trigger");
    Trigger mode = switch (trigger) {
      case "available-now" -> Trigger.AVAILABLE_NOW;
      case "continuous" -> Trigger.CONTINUOUS;
      default -> throw LakepipeErrors.configInvalid(config.origin(),
          "lakepipe.ingest.flight-events.trigger is '" + trigger
              + "' but must be \"available-now\" or \"continuous\"", null);
    };
    return new FlightEventsSettings(
        config.string("sources.flight-events.bootstrap-servers"),
        config.string("sources.flight-events.topic"),
        config.integer("sources.flight-events.partitions"),
        config.string("sources.flight-events.starting-offsets"),
        config.longValue("sources.flight-events.max-offsets-per-trigger"),
        Boolean.parseBoolean(config.string("sources.flight-events.fail-on-data-loss")),
        mode,
        config.string("ingest.flight-events.trigger-interval"),
        config.string("ingest.flight-events.checkpoint"),
        config.number("ingest.flight-events.max-bad-share"),
        config.integer("ingest.flights.delay-min-minutes"),
        config.integer("ingest.flights.delay-max-minutes"),
        config.tablePath("bronze-flight-events"),
        config.tablePath("quarantine-flight-events"));
  }

  /** The source as the audit table names it. */
  public String source() {
    return "kafka://" + bootstrapServers + "/" + topic;
  }
}
