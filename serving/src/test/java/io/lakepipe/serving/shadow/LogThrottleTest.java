// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.shadow;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class LogThrottleTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void oneLineAPeriodGoesThroughAndTellsHowManyWereHeldBack() {
    LogThrottle throttle = new LogThrottle(Duration.ofSeconds(60));

    assertThat(throttle.allow(5 * SECOND)).isEqualTo(OptionalLong.of(0));
    assertThat(throttle.allow(6 * SECOND)).isEmpty();
    assertThat(throttle.allow(64 * SECOND)).isEmpty();
    assertThat(throttle.allow(65 * SECOND)).isEqualTo(OptionalLong.of(2));
    assertThat(throttle.allow(66 * SECOND)).isEmpty();
  }

  @Test
  void theFirstLineGoesThroughWhateverTheClockSays() {
    // System.nanoTime() may be negative.
    assertThat(new LogThrottle(Duration.ofSeconds(60)).allow(-100 * SECOND))
        .isEqualTo(OptionalLong.of(0));
  }
}
