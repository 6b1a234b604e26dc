// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.shadow;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * Lets one log line through per period and counts those it holds back, so that a shadow failing on
 * every request logs once a period, not once a request (the metrics count every failure). The clock
 * is passed in, as {@link System#nanoTime()}. The prediction log uses it too.
 */
public final class LogThrottle {
  private final long periodNanos;
  private boolean started;
  private long nextNanos;
  private long heldBack;

  public LogThrottle(Duration period) {
    this.periodNanos = period.toNanos();
  }

  /**
   * Whether a line may be logged now: when it may, how many were held back since the last one let
   * through; empty when it is to be held back.
   */
  public synchronized OptionalLong allow(long nowNanos) {
    if (started && nowNanos - nextNanos < 0) {
      heldBack++;
      return OptionalLong.empty();
    }
    started = true;
    nextNanos = nowNanos + periodNanos;
    long before = heldBack;
    heldBack = 0;
    return OptionalLong.of(before);
  }
}
