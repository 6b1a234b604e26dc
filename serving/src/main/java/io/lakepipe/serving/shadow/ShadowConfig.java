// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.shadow;

import io.lakepipe.serving.bundle.BundleSource;
import java.time.Duration;

/**
 * A shadow model: scored in the background on the requests the served model answers, compared with
 * it, never answering. Off unless configured ({@code --shadow-alias} or {@code --shadow-bundle}).
 *
 * @param source where the shadow's bundle is read; loaded and reloaded as the served model's is (a
 *     registry alias is polled at the same interval, a folder or S3 prefix reloaded by POST
 *     /admin/reload)
 * @param maxQueuedRecords most records waiting for the shadow; a request that would pass it is not
 *     shadowed (counted as dropped), so a slow shadow never holds more memory or time than this
 * @param summaryInterval how often the agreement is summarised in one INFO line
 */
public record ShadowConfig(BundleSource source, int maxQueuedRecords, Duration summaryInterval) {
  public static final int DEFAULT_MAX_QUEUED_RECORDS = 10_000;
  public static final int DEFAULT_SUMMARY_SECONDS = 60;

  public ShadowConfig {
    if (maxQueuedRecords < 1) {
      throw new IllegalArgumentException(
          "shadow queue must hold at least 1 record, not " + maxQueuedRecords);
    }
    if (summaryInterval.isNegative() || summaryInterval.isZero()) {
      throw new IllegalArgumentException(
          "shadow summary interval must be positive, not " + summaryInterval);
    }
  }

  /** The shadow read from {@code source}, with the default queue and summary interval. */
  public static ShadowConfig of(BundleSource source) {
    return new ShadowConfig(
        source, DEFAULT_MAX_QUEUED_RECORDS, Duration.ofSeconds(DEFAULT_SUMMARY_SECONDS));
  }

  public ShadowConfig withMaxQueuedRecords(int newMax) {
    return new ShadowConfig(source, newMax, summaryInterval);
  }

  public ShadowConfig withSummaryInterval(Duration newInterval) {
    return new ShadowConfig(source, maxQueuedRecords, newInterval);
  }
}
