package io.lakepipe.core.cli;

import io.lakepipe.core.LakepipeErrors;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The command line every job accepts: {@code --config <file> --ds <YYYY-MM-DD>}. */
@Command(name = "lakepipe-job", mixinStandardHelpOptions = false)
public final class JobOptions {
  @Option(names = "--config", required = true, description = "lakepipe HOCON config file")
  private Path configFile;

  @Option(names = "--ds", required = true, description = "logical date, YYYY-MM-DD")
  private String ds;

  private LocalDate logicalDate;

  private JobOptions() {}

  /** Parses and validates the arguments, or throws a {@code LakepipeException} saying what is wrong. */
  public static JobOptions parse(String... args) {
    JobOptions options = new JobOptions();
    try {
      new CommandLine(options).parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      throw LakepipeErrors.badArguments(e.getMessage());
    }
    try {
      options.logicalDate = LocalDate.parse(options.ds);
    } catch (DateTimeParseException e) {
      throw LakepipeErrors.badLogicalDate(options.ds);
    }
    return options;
  }

  public Path configFile() {
    return configFile;
  }

  public LocalDate ds() {
    return logicalDate;
  }
}
