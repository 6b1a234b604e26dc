// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.tools.files;

import io.lakepipe.core.cli.Commands;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.spark.SparkSessions;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * spark-submit entry point of {@code ./lakepipe land [from] [to] [--source <source>]}: lands the
 * demo data of a declared file source for a date range. Not a pipeline job (it writes no table and
 * no audit row): it stands in for the upstream delivery.
 */
@Command(
    name = "land-demo-files",
    mixinStandardHelpOptions = true,
    description = "Cut a source's demo data file into daily files in its landing area.")
public final class LandDemoFilesCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, description = "lakepipe HOCON config file")
  private Path configFile;

  @Option(
      names = "--source",
      defaultValue = "flights",
      description = "the file source, a key of lakepipe.demo.files (default: flights)")
  private String source;

  @Option(names = "--from", required = true, description = "first day, YYYY-MM-DD")
  private LocalDate from;

  @Option(names = "--to", description = "last day, YYYY-MM-DD (default: --from)")
  private LocalDate to;

  @Override
  public Integer call() {
    LakepipeConfig config = LakepipeConfig.load(configFile);
    try (SparkSession spark = SparkSessions.create("lakepipe-land", config)) {
      LandDemoFiles.land(spark, config, source, from, to == null ? from : to);
    }
    return 0;
  }

  public static void main(String[] args) {
    Commands.exit("land", new LandDemoFilesCommand(), args);
  }
}
