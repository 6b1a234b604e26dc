// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The days of one run of a job, oldest first, and where it is among them: a progress line before
 * each day of a range run (day, elapsed, an estimate of what is left) and, when a day fails, which
 * one and how to resume. A daily run is a range of one day and logs nothing extra.
 */
final class RangeRun {
  private static final Logger LOG = LoggerFactory.getLogger(RangeRun.class);

  private final String runName;
  private final List<LocalDate> days;
  private final Instant started = Instant.now();
  private int current = -1;

  RangeRun(String runName, List<LocalDate> days) {
    if (days.isEmpty()) {
      throw new IllegalArgumentException("A run has at least one day");
    }
    this.runName = runName;
    this.days = List.copyOf(days);
  }

  String runName() {
    return runName;
  }

  List<LocalDate> days() {
    return days;
  }

  LocalDate last() {
    return days.get(days.size() - 1);
  }

  /** Marks {@code day} as the one being written and logs the range's progress. */
  void starting(LocalDate day) {
    current = days.indexOf(day);
    if (days.size() == 1) {
      return;
    }
    Duration elapsed = Duration.between(started, Instant.now());
    String left =
        current == 0
            ? ""
            : ", about "
                + minutes(elapsed.multipliedBy(days.size() - current).dividedBy(current))
                + " to go";
    LOG.info(
        "{}: day {} of {}, {} ({} since the range {} started{})",
        runName,
        current + 1,
        days.size(),
        day,
        minutes(elapsed),
        span(),
        left);
  }

  /** Logs the range's total when every day is written. */
  void finished() {
    if (days.size() > 1) {
      LOG.info(
          "{}: all {} days of {} written in {}",
          runName,
          days.size(),
          span(),
          minutes(Duration.between(started, Instant.now())));
    }
  }

  /**
   * Where a failed range run stopped, to follow "failed" in its one error line: the day, what is
   * written, and the command line's range that resumes it; empty for a daily run.
   */
  String failedAt() {
    if (days.size() == 1 || current < 0) {
      return "";
    }
    LocalDate day = days.get(current);
    LocalDate last = last();
    return " on "
        + day
        + ", day "
        + (current + 1)
        + " of "
        + days.size()
        + " of the range "
        + span()
        + " ("
        + (current == 0
            ? "no day of it is written"
            : "the " + current + " day" + (current == 1 ? "" : "s") + " before it are written")
        + "; resume with --ds "
        + day
        + " --until "
        + last
        + ")";
  }

  private String span() {
    return days.get(0) + ".." + days.get(days.size() - 1);
  }

  private static String minutes(Duration duration) {
    long seconds = duration.toSeconds();
    return String.format("%dm%02ds", seconds / 60, seconds % 60);
  }
}
