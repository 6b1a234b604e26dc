// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.cli;

import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An option one job takes beyond {@code --config} and {@code --ds}, such as check-table's {@code
 * --table bronze-flights}. A job's main declares its options and passes them to {@link
 * JobRunner#execute(String, String[], java.util.List, io.lakepipe.core.job.JobPlan)}; the values
 * reach the job through {@link io.lakepipe.core.job.JobContext#option(String)}.
 *
 * @param name the option without its dashes: {@code table} is given as {@code --table <table>}
 * @param description what the value means, shown when the arguments are wrong
 * @param required whether the job refuses to start without it
 * @param defaultValue the value of an optional option that was not given; null for a required one
 * @param partOfAuditName whether the value is part of the run's name in the audit table and metrics
 */
public record JobOption(
    String name,
    String description,
    boolean required,
    String defaultValue,
    boolean partOfAuditName) {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*");

  /** Every job takes these; a job cannot declare them again. */
  private static final Set<String> COMMON = Set.of("config", "ds");

  public JobOption {
    if (!NAME.matcher(name).matches() || COMMON.contains(name)) {
      throw new IllegalArgumentException(
          "A job option is named in lower-case words joined by '-',"
              + " other than config and ds; got '"
              + name
              + "'");
    }
    Objects.requireNonNull(description, "description");
    if (required == (defaultValue != null)) {
      throw new IllegalArgumentException(
          "Option --"
              + name
              + ": a required option has no default"
              + " and an optional one needs one");
    }
  }

  /** An option the job cannot run without. */
  public static JobOption required(String name, String description) {
    return new JobOption(name, description, true, null, false);
  }

  /** An option that takes {@code defaultValue} when not given. */
  public static JobOption optional(String name, String description, String defaultValue) {
    return new JobOption(name, description, false, Objects.requireNonNull(defaultValue), false);
  }

  /**
   * This option, with its value appended to the job's name in the audit table and the metrics
   * ({@code check-table:bronze-flights}): runs of one job on different inputs for the same ds are
   * different runs, and a success of one must not hide a failure of the other.
   */
  public JobOption inAuditName() {
    return new JobOption(name, description, required, defaultValue, true);
  }

  /** How the option is written on the command line, e.g. {@code --table}. */
  public String flag() {
    return "--" + name;
  }

  /** The option in a usage line: {@code --table <table>}, in brackets when optional. */
  String usage() {
    String option = flag() + " <" + name + ">";
    return required ? option : "[" + option + "]";
  }
}
