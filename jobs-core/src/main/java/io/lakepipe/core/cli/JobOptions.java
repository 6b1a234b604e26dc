// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.cli;

import io.lakepipe.core.LakepipeErrors;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * The command line of a job: {@code --config <file> --ds <YYYY-MM-DD>}, which every job accepts,
 * optionally {@code --until <YYYY-MM-DD>} (a range run: every day from ds to it, see {@link
 * JobRunner}), then the {@link JobOption}s of the job itself.
 */
@Command(name = "lakepipe-job", mixinStandardHelpOptions = false)
public final class JobOptions {
  @Option(names = "--config", required = true, description = "lakepipe HOCON config file")
  private Path configFile;

  @Option(names = "--ds", required = true, description = "logical date, YYYY-MM-DD")
  private String ds;

  @Option(
      names = "--until",
      description =
          "last logical date of a range run, YYYY-MM-DD: each day from --ds to it, oldest first,"
              + " as its own daily run in one Spark session")
  private String until;

  private LocalDate logicalDate;
  private LocalDate lastDate;
  private List<JobOption> declared = List.of();
  private Map<String, String> values = Map.of();

  private JobOptions() {}

  /** Parses the arguments of a job without options of its own. */
  public static JobOptions parse(String... args) {
    return parse(List.of(), args);
  }

  /**
   * Parses and validates the arguments of a job that takes {@code declared} options, or throws a
   * {@code LakepipeException} saying what is wrong and which options the job takes.
   */
  public static JobOptions parse(List<JobOption> declared, String... args) {
    JobOptions options = new JobOptions();
    options.declared = List.copyOf(declared);
    CommandLine commandLine = new CommandLine(options);
    for (JobOption option : declared) {
      commandLine
          .getCommandSpec()
          .addOption(
              OptionSpec.builder(option.flag())
                  .paramLabel("<" + option.name() + ">")
                  .type(String.class)
                  .required(option.required())
                  .description(option.description())
                  .build());
    }
    CommandLine.ParseResult parsed;
    try {
      parsed = commandLine.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      throw LakepipeErrors.badArguments(e.getMessage(), usage(declared));
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (JobOption option : declared) {
      values.put(option.name(), parsed.matchedOptionValue(option.flag(), option.defaultValue()));
    }
    options.values = Collections.unmodifiableMap(values);
    try {
      options.logicalDate = LocalDate.parse(options.ds);
    } catch (DateTimeParseException e) {
      throw LakepipeErrors.badLogicalDate(options.ds);
    }
    options.lastDate = options.logicalDate;
    if (options.until != null) {
      try {
        options.lastDate = LocalDate.parse(options.until);
      } catch (DateTimeParseException e) {
        throw LakepipeErrors.badRange(options.ds, options.until);
      }
      if (options.lastDate.isBefore(options.logicalDate)) {
        throw LakepipeErrors.badRange(options.ds, options.until);
      }
    }
    return options;
  }

  /**
   * The options a job takes, as one line: {@code --config <file> --ds <YYYY-MM-DD> --table <table>
   * (the declared table to check)}.
   */
  static String usage(List<JobOption> declared) {
    StringBuilder usage =
        new StringBuilder("--config <file> --ds <YYYY-MM-DD> [--until <YYYY-MM-DD>]");
    for (JobOption option : declared) {
      usage.append(' ').append(option.usage());
    }
    if (!declared.isEmpty()) {
      usage.append(
          declared.stream()
              .map(
                  o ->
                      o.flag()
                          + ": "
                          + o.description()
                          + (o.required() ? "" : " (default " + o.defaultValue() + ")"))
              .collect(Collectors.joining("; ", " (", ")")));
    }
    return usage.toString();
  }

  public Path configFile() {
    return configFile;
  }

  /** The logical date, or the first day of a range run. */
  public LocalDate ds() {
    return logicalDate;
  }

  /** The days this run writes, oldest first: ds alone, or ds to {@code --until}. */
  public List<LocalDate> days() {
    return logicalDate.datesUntil(lastDate.plusDays(1)).toList();
  }

  /** The job's own options by name (without dashes), in declared order, defaults filled in. */
  public Map<String, String> values() {
    return values;
  }

  /**
   * The job's name as the audit table and the metrics know this run: the name, then {@code
   * :<value>} for each option declared {@link JobOption#inAuditName()}.
   */
  public String runName(String jobName) {
    StringBuilder name = new StringBuilder(jobName);
    for (JobOption option : declared) {
      if (option.partOfAuditName()) {
        name.append(':').append(values.get(option.name()));
      }
    }
    return name.toString();
  }
}
