package io.lakepipe.ingest.kafka;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.ingest.source.Expectation;
import io.lakepipe.ingest.source.SourceDeclarations;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The settings of the flight-events source and its ingest, read from {@code lakepipe.sources.flight-events},
 * {@code lakepipe.ingest.flight-events}, with the source's declared expectations, and checked before
 * Spark starts.
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
    List<Expectation> expectations,
    String bronzePath,
    String quarantinePath) {

  /** The allowed quarantined share, under {@code lakepipe.}. */
  public static final String MAX_BAD_SHARE_KEY = "ingest.flight-events.max-bad-share";

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
        config.number(MAX_BAD_SHARE_KEY),
        expectations(config),
        config.tablePath("bronze-flight-events"),
        config.tablePath("quarantine-flight-events"));
  }

  /**
   * The declared expectations of the events. A stream has no run to fail half-way through a
   * micro-batch, so every breach is quarantined: {@code action = fail} is refused.
   */
  private static List<Expectation> expectations(LakepipeConfig config) {
    List<Expectation> expectations = SourceDeclarations.expectations(
        config.section("sources").section("flight-events"),
        new LinkedHashSet<>(FlightEvents.COLUMNS));
    for (Expectation expectation : expectations) {
      if (expectation.action() == Expectation.Action.FAIL) {
        throw LakepipeErrors.sourceDeclarationInvalid(expectation.at().key().replaceFirst(
                "\\.sql$", ".action"), expectation.at().origin(), "the Kafka ingest quarantines"
                + " every event that breaks an expectation and fails only on the bad share",
            "Use action = quarantine, and lakepipe.ingest.flight-events.max-bad-share");
      }
    }
    return expectations;
  }

  /** The source as the audit table names it. */
  public String source() {
    return "kafka://" + bootstrapServers + "/" + topic;
  }
}
