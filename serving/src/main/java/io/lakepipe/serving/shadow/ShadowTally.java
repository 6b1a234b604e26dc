// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.shadow;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the shadow did since its last summary line, and when the next one is due. The clock is
 * passed in (nanoseconds, as {@link System#nanoTime()}), so the bookkeeping is tested without
 * waiting. Thread-safe: the shadow's worker adds to it, and request threads count the drops.
 */
final class ShadowTally {
  private final long intervalNanos;
  // Counted by request threads, which must never wait for the worker's lock.
  private final LongAdder dropped = new LongAdder();
  private long windowStart;
  private String championVersion;
  private String shadowVersion;
  private long requests;
  private long records;
  private long agreeing;
  private double differenceSum;
  private double maxDifference;
  private long failed;
  private long noModel;

  ShadowTally(Duration interval, long nowNanos) {
    this.intervalNanos = interval.toNanos();
    this.windowStart = nowNanos;
  }

  void dropped() {
    dropped.increment();
  }

  synchronized void failed() {
    failed++;
  }

  synchronized void noModel() {
    noModel++;
  }

  /**
   * Adds a request both models scored. When its versions are not the window's (an alias moved), the
   * window so far is summarised first, and returned, so that no summary mixes two pairs of models.
   */
  synchronized Optional<ShadowSummary> scored(
      String champion, String shadow, Comparison comparison, long nowNanos) {
    Optional<ShadowSummary> previous = Optional.empty();
    if (requests > 0
        && (!Objects.equals(champion, championVersion) || !Objects.equals(shadow, shadowVersion))) {
      previous = Optional.of(summariseAndReset(nowNanos));
    }
    championVersion = champion;
    shadowVersion = shadow;
    requests++;
    records += comparison.records();
    agreeing += comparison.agreeing();
    differenceSum += comparison.differenceSum();
    maxDifference = Math.max(maxDifference, comparison.maxDifference());
    return previous;
  }

  /**
   * The summary of the window once the interval has passed since it began, if anything happened in
   * it; a new window begins then.
   */
  synchronized Optional<ShadowSummary> due(long nowNanos) {
    if (nowNanos - windowStart < intervalNanos) {
      return Optional.empty();
    }
    if (requests == 0 && failed == 0 && noModel == 0 && dropped.sum() == 0) {
      windowStart = nowNanos;
      return Optional.empty();
    }
    return Optional.of(summariseAndReset(nowNanos));
  }

  private ShadowSummary summariseAndReset(long nowNanos) {
    ShadowSummary summary =
        new ShadowSummary(
            requests > 0 ? championVersion : null,
            requests > 0 ? shadowVersion : null,
            Math.round((nowNanos - windowStart) / 1e9),
            requests,
            records,
            agreeing,
            differenceSum,
            maxDifference,
            dropped.sumThenReset(),
            failed,
            noModel);
    windowStart = nowNanos;
    requests = 0;
    records = 0;
    agreeing = 0;
    differenceSum = 0;
    maxDifference = 0;
    failed = 0;
    noModel = 0;
    return summary;
  }
}
