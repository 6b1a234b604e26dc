// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.tools.kafka;

import io.lakepipe.core.cli.Commands;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.ingest.kafka.KafkaTopics;
import io.lakepipe.ingest.source.KafkaSource;
import io.lakepipe.ingest.source.SourceDeclarations;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Entry point of {@code ./lakepipe airflow start}'s set-up: creates the flight-events topic when
 * the broker does not have it yet, with the configured partitions. The ingest job never creates it
 * (a mistyped topic name must fail, not be ingested empty forever), so whoever provisions the
 * broker does; on a real cluster, that is its administrator.
 */
@Command(
    name = "create-flight-events-topic",
    mixinStandardHelpOptions = true,
    description = "Create the Kafka topic of flight events unless it exists.")
public final class CreateFlightEventsTopicCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, description = "lakepipe HOCON config file")
  private Path configFile;

  @Override
  public Integer call() {
    KafkaSource settings =
        SourceDeclarations.kafka(LakepipeConfig.load(configFile), FlightEvents.SOURCE);
    boolean created =
        KafkaTopics.ensureExists(
            settings.bootstrapServers(), settings.topic(), settings.partitions());
    System.out.printf(
        "topic %s on %s: %s%n",
        settings.topic(),
        settings.bootstrapServers(),
        created ? "created with " + settings.partitions() + " partitions" : "already there");
    return 0;
  }

  public static void main(String[] args) {
    Commands.exit("create-flight-events-topic", new CreateFlightEventsTopicCommand(), args);
  }
}
