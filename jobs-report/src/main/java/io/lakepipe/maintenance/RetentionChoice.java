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
 * The retention of one table's VACUUM, chosen so that it keeps every protected version readable.
 *
 * <p>VACUUM works by age, not by version: it deletes a file once the file is gone from the latest
 * version and was removed longer ago than the retention. Every file a version needs was removed (if
 * at all) after that version's commit, so a retention of at least the age of the commit keeps the
 * version whole; the margin covers a writer whose removal was stamped a little before the commit it
 * landed in, and the time between choosing and vacuuming. The retention is never below the
 * configured one. It is a whole number of hours, rounded up, as VACUUM takes it.
 *
 * @param retention how far back VACUUM keeps files
 * @param setBy the protected version whose age set it, or empty when the configured retention did
 * @param setByCommit when that version was committed
 * @param notInLog protected versions the table's log no longer holds (cleaned up): time travel to
 *     them is impossible already, and they set nothing
 * @param logRetentionShort whether the table's log keeps commits for less than the retention, so
 *     that Delta would delete a protected commit from the log before VACUUM frees its files
 */
public record RetentionChoice(
    Duration retention,
    Optional<ProtectedVersion> setBy,
    Optional<Instant> setByCommit,
    List<ProtectedVersion> notInLog,
    boolean logRetentionShort) {

  private static final long HOUR_MILLIS = Duration.ofHours(1).toMillis();

  /**
   * Chooses the retention of a table, in whole hours.
   *
   * @param configured the least retention ({@code lakepipe.maintenance.retention})
   * @param margin added to the age of a protected version
   * @param now when VACUUM runs
   * @param protectedVersions the versions of this table that registered model versions need
   * @param commits when each version still in the table's log was committed
   * @param logRetention how long the table's log keeps commits
   */
  public static RetentionChoice choose(
      Duration configured,
      Duration margin,
      Instant now,
      List<ProtectedVersion> protectedVersions,
      Map<Long, Instant> commits,
      Duration logRetention) {
    Duration retention = configured;

    ProtectedVersion oldest = null;
    Instant oldestCommit = null;
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
      Duration needed = age.plus(margin);
      if (needed.compareTo(retention) > 0) {
        retention = needed;
        oldest = version;
        oldestCommit = committed;
      }
    }
    // Whole hours, rounded up: Delta's VACUUM takes hours and rounds them to the nearest whole
    // hour, so 1.4 hours would keep only one.
    long hours = (retention.toMillis() + HOUR_MILLIS - 1) / HOUR_MILLIS;
    retention = Duration.ofHours(Math.max(hours, retention.isZero() ? 0 : 1));
    return new RetentionChoice(
        retention,
        Optional.ofNullable(oldest),
        Optional.ofNullable(oldestCommit),
        List.copyOf(notInLog),
        logRetention.compareTo(retention) < 0);
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
