// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.tools.kafka;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.spark.SparkSessions;
import io.lakepipe.ingest.kafka.KafkaTopics;
import io.lakepipe.ingest.source.KafkaSource;
import io.lakepipe.ingest.source.SourceDeclarations;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Replays the flights of a range of days from {@code lakepipe.demo.flights-data} to the flight
 * events topic, in flight-time order, at a chosen rate: {@code ./lakepipe replay <from> <to>
 * [--rate N]}. The topic is created if needed. Replaying the same days again sends the same event
 * ids, which the ingest writes once.
 */
@Command(name = "replay")
public final class ReplayFlightsToKafka {
  @Option(names = "--config", required = true, description = "lakepipe HOCON config file")
  private Path configFile;

  @Option(names = "--from", required = true, description = "first day, YYYY-MM-DD")
  private String from;

  @Option(names = "--to", required = true, description = "last day, YYYY-MM-DD")
  private String to;

  @Option(
      names = "--rate",
      defaultValue = "1000",
      description = "events per second, 0 for no limit")
  private double rate;

  private ReplayFlightsToKafka() {}

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  static int execute(String... args) {
    try {
      ReplayFlightsToKafka replay = new ReplayFlightsToKafka();
      try {
        new CommandLine(replay).parseArgs(args);
      } catch (CommandLine.ParameterException e) {
        throw LakepipeErrors.badArguments(
            e.getMessage(), "--config <file> --from <YYYY-MM-DD> --to <YYYY-MM-DD> [--rate N]");
      }
      LakepipeConfig config = LakepipeConfig.load(replay.configFile);
      try (SparkSession spark = SparkSessions.create("lakepipe-replay", config)) {
        replay(spark, config, day(replay.from), day(replay.to), replay.rate);
      }
      return 0;
    } catch (LakepipeException e) {
      System.err.println("lakepipe replay failed: " + e.getMessage());
      return e.exitCode();
    }
  }

  /** Publishes the flights of {@code [from, to]}; returns how many events were sent. */
  public static long replay(
      SparkSession spark, LakepipeConfig config, LocalDate from, LocalDate to, double rate) {
    KafkaSource settings = SourceDeclarations.kafka(config, FlightEvents.SOURCE);
    String flightsPath = config.string("demo.flights-data");
    if (!flightsPath.contains("://") && !Files.exists(Path.of(flightsPath))) {
      throw LakepipeErrors.inputMissing("flights", flightsPath);
    }
    if (KafkaTopics.ensureExists(
        settings.bootstrapServers(), settings.topic(), settings.partitions())) {
      System.out.println(
          "created topic " + settings.topic() + " with " + settings.partitions() + " partitions");
    }
    Dataset<Row> events =
        FlightEvents.fromFlights(
                FlightEvents.filterDays(spark.read().parquet(flightsPath), from, to))
            .orderBy("event_id")
            .cache();
    long total = events.count();
    System.out.printf(
        "replaying %d flights of %s..%s to %s on %s at %s%n",
        total,
        from,
        to,
        settings.topic(),
        settings.bootstrapServers(),
        rate > 0 ? rate + " events/s" : "full speed");
    Iterator<Row> rows = events.toLocalIterator();
    Iterator<FlightEventPublisher.Message> messages =
        new Iterator<>() {
          @Override
          public boolean hasNext() {
            return rows.hasNext();
          }

          @Override
          public FlightEventPublisher.Message next() {
            Row row = rows.next();
            return new FlightEventPublisher.Message(
                row.getString(0), row.getString(1).getBytes(StandardCharsets.UTF_8));
          }
        };
    try (FlightEventPublisher publisher =
        new FlightEventPublisher(settings.bootstrapServers(), settings.topic())) {
      return publisher.publish(messages, total, rate, System.out);
    } finally {
      events.unpersist();
    }
  }

  private static LocalDate day(String value) {
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw LakepipeErrors.badLogicalDate(value);
    }
  }
}
