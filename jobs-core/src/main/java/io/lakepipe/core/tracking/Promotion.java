// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.tracking;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A version the training gate promoted that waits for the serving check (export-pmml replays rows
 * through the real scorer) before the champion alias moves to it, and that move. The state is the
 * version tag {@value #TAG}.
 */
public final class Promotion {
  private static final Logger LOG = LoggerFactory.getLogger(Promotion.class);

  /** The version tag that holds where a promotion stands. */
  public static final String TAG = "lakepipe.promotion";

  /** Promoted by the gate; the serving check has not run yet. */
  public static final String AWAITING = "awaiting_serving_check";

  /** The serving check passed and the champion alias moved to the version. */
  public static final String PROMOTED = "promoted";

  /** The serving check failed: the version stays a challenger (the reason is tagged beside). */
  public static final String FAILED = "serving_check_failed";

  /** The check passed, but another version became champion after the gate decided. */
  public static final String CHAMPION_MOVED = "champion_moved";

  /** The version tag with the serving check's verdict in a line. */
  public static final String CHECK_TAG = "lakepipe.serving_check";

  /** The run tag naming the champion the gate compared with; none when there was none. */
  public static final String GATE_CHAMPION_TAG = "lakepipe.gate.champion_version";

  private Promotion() {}

  /**
   * Moves the champion alias to {@code version} if the champion is still {@code gatedAgainst} (the
   * version the gate compared with, empty for none), under the model's {@link PromotionLock}.
   *
   * @return whether the alias moved
   */
  public static boolean moveChampion(
      MlflowTracking tracking,
      String modelName,
      String championAlias,
      ModelVersion version,
      Optional<String> gatedAgainst,
      String holder) {
    try (PromotionLock.Held lock = new PromotionLock(tracking, modelName).acquire(holder)) {
      Optional<String> now =
          tracking.findByAlias(modelName, championAlias).map(ModelVersion::version);
      if (!now.equals(gatedAgainst)) {
        LOG.warn(
            "{} version {} is not promoted: the champion is {} now, not {} as when the gate"
                + " decided; the next training decides against it",
            modelName,
            version.version(),
            now.orElse("none"),
            gatedAgainst.orElse("none"));
        return false;
      }
      lock.verify();
      tracking.setAlias(modelName, championAlias, version.version());
      return true;
    }
  }
}
