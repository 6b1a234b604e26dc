// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.maintenance;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The retention of one table's VACUUM, chosen so that it keeps every protected version readable,
 * and the log retention that keeps their commits.
 *
 * <p>VACUUM works by age, not by version: it deletes a file once the file is gone from the latest
 * version and was removed longer ago than the retention. Every file a version needs was removed (if
 * at all) after that version's commit, so a retention of at least the age of the commit keeps the
 * version whole; the margin covers a writer whose removal was stamped a little before the commit it
 * landed in, and the time between choosing and vacuuming. The retention is never below the
 * configured one. It is a whole number of hours, rounded up, as VACUUM takes it.
 *
 * <p>Time travel also needs the version's commit in the log, which Delta deletes by itself (at a
 * checkpoint, any writer's) once it is older than the table's {@code delta.logRetentionDuration}.
 * The commit must therefore stay until the next maintenance run, one interval later, can look
 * again: when the log retention is shorter than the oldest protected version's age plus the margin
 * plus the interval, it is to be raised to that age plus the margin plus two intervals, so that it
 * is not raised again at every run.
 *
 * @param retention how far back VACUUM keeps files
 * @param setBy the protected version whose age set it, or empty when the configured retention did
 * @param setByCommit when that version was committed
 * @param notInLog protected versions the table's log no longer holds (cleaned up): time travel to
 *     them is impossible already, and they set nothing
 * @param raiseLogRetentionTo the log retention the table needs, when its own is too short
 */
public record RetentionChoice(
    Duration retention,
    Optional<ProtectedVersion> setBy,
    Optional<Instant> setByCommit,
    List<ProtectedVersion> notInLog,
    Optional<Duration> raiseLogRetentionTo) {

  private static final long HOUR_MILLIS = Duration.ofHours(1).toMillis();

  /**
   * Chooses the retention of a table, in whole hours.
   *
   * @param configured the least retention ({@code lakepipe.maintenance.retention})
   * @param margin added to the age of a protected version
   * @param interval how long until the next maintenance run
   * @param now when VACUUM runs
   * @param protectedVersions the versions of this table that registered model versions need
   * @param commits when each version still in the table's log was committed
   * @param logRetention how long the table's log keeps commits
   */
  public static RetentionChoice choose(
      Duration configured,
      Duration margin,
      Duration interval,
      Instant now,
      List<ProtectedVersion> protectedVersions,
      Map<Long, Instant> commits,
      Duration logRetention) {
    ProtectedVersion oldest = null;
    Instant oldestCommit = null;
    Duration oldestNeeds = Duration.ZERO;
    List<ProtectedVersion> notInLog = new ArrayList<>();
    List<ProtectedVersion> sorted = new ArrayList<>(protectedVersions);
    sorted.sort(Comparator.comparingLong(ProtectedVersion::version));
    for (ProtectedVersion version : sorted) {
      Instant committed = commits.get(version.version());
      if (committed == null) {
        notInLog.add(version);
        continue;
      }
      // A commit stamped after now (another host's clock) is as young as can be.
      Duration age = committed.isAfter(now) ? Duration.ZERO : Duration.between(committed, now);
      Duration needs = age.plus(margin);
      if (oldest == null || needs.compareTo(oldestNeeds) > 0) {
        oldest = version;
        oldestCommit = committed;
        oldestNeeds = needs;
      }
    }
    boolean protectedSets = oldest != null && oldestNeeds.compareTo(configured) > 0;
    Optional<Duration> raiseLog =
        oldest != null && logRetention.compareTo(oldestNeeds.plus(interval)) < 0
            ? Optional.of(wholeHours(oldestNeeds.plus(interval).plus(interval)))
            : Optional.empty();
    return new RetentionChoice(
        wholeHours(protectedSets ? oldestNeeds : configured),
        protectedSets ? Optional.of(oldest) : Optional.empty(),
        protectedSets ? Optional.of(oldestCommit) : Optional.empty(),
        List.copyOf(notInLog),
        raiseLog);
  }

  /**
   * Whole hours, rounded up: Delta's VACUUM takes hours and rounds them to the nearest whole hour,
   * so 1.4 hours would keep only one.
   */
  private static Duration wholeHours(Duration duration) {
    return Duration.ofHours((duration.toMillis() + HOUR_MILLIS - 1) / HOUR_MILLIS);
  }

  /** The retention in whole hours, as Delta's VACUUM takes it. */
  public long hours() {
    return retention.toHours();
  }

  /** Why the retention is what it is, for the log and the audit row. */
  public String reason(String table) {
    String hours = hours() + " h";
    return setBy
        .map(
            v ->
                hours
                    + ", set by "
                    + table
                    + " "
                    + v.describe()
                    + " committed "
                    + setByCommit.orElseThrow())
        .orElse(hours + ", the configured retention");
  }
}
