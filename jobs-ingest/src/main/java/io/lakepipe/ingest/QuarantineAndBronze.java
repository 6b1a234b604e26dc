// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest;

import io.lakepipe.core.job.RunProgress;
import io.lakepipe.core.spark.DriverThreads;
import java.util.function.LongSupplier;

/**
 * The two commits of an ingest's checked rows. The quarantine is committed whatever the gates say,
 * so that the rows a failed gate stopped stay on record; bronze only when the gates pass. With the
 * gates passed, the two commits run at once: they write different tables, and most of a Delta
 * commit is the driver planning over the table's log and waiting on storage, so on two cores they
 * overlap (with the raw records of valid rows dropped as well, 10 days of the file ingest took 33 s
 * instead of 45 s, bench/file-ingest). Every version committed is added to the run's progress as
 * soon as it is known, for the audit row of a run that fails half-way.
 */
public final class QuarantineAndBronze {
  /** The table versions after the two commits. */
  public record Versions(long quarantine, long bronze) {}

  private QuarantineAndBronze() {}

  /**
   * Runs {@code gates} (throwing when the day must not reach bronze); commits {@code quarantine}
   * and, if the gates passed, {@code bronze}, each returning its table's version afterwards.
   */
  public static Versions commit(
      RunProgress progress,
      Runnable gates,
      String quarantinePath,
      LongSupplier quarantine,
      String bronzePath,
      LongSupplier bronze) {
    try {
      gates.run();
    } catch (RuntimeException gateFailed) {
      try {
        progress.wrote(quarantinePath, quarantine.getAsLong());
      } catch (RuntimeException quarantineFailed) {
        quarantineFailed.addSuppressed(gateFailed);
        throw quarantineFailed;
      }
      throw gateFailed;
    }
    DriverThreads.Both<Long, Long> versions =
        DriverThreads.both(
            "lakepipe-quarantine-commit",
            () -> {
              long version = quarantine.getAsLong();
              progress.wrote(quarantinePath, version);
              return version;
            },
            () -> {
              long version = bronze.getAsLong();
              progress.wrote(bronzePath, version);
              return version;
            });
    return new Versions(versions.first(), versions.second());
  }
}
