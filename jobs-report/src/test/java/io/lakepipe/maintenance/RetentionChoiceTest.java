// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetentionChoiceTest {
  private static final Instant NOW = Instant.parse("2001-03-01T00:00:00Z");
  private static final Duration WEEK = Duration.ofDays(7);
  private static final Duration DAY = Duration.ofDays(1);
  private static final Duration LOG = Duration.ofDays(30);

  private static ProtectedVersion version(long version, String modelVersion) {
    return new ProtectedVersion(
        "/lake/features/flights", version, "m", modelVersion, "run" + version);
  }

  @Test
  void theConfiguredRetentionHoldsWhenNoVersionIsProtected() {
    RetentionChoice choice = RetentionChoice.choose(WEEK, DAY, WEEK, NOW, List.of(), Map.of(), LOG);

    assertThat(choice.retention()).isEqualTo(WEEK);
    assertThat(choice.setBy()).isEmpty();
    assertThat(choice.reason("features-flights")).isEqualTo("168 h, the configured retention");
  }

  @Test
  void aProtectedVersionYoungerThanTheRetentionChangesNothing() {
    Map<Long, Instant> commits = Map.of(3L, NOW.minus(Duration.ofDays(2)));

    RetentionChoice choice =
        RetentionChoice.choose(WEEK, DAY, WEEK, NOW, List.of(version(3, "1")), commits, LOG);

    assertThat(choice.retention()).isEqualTo(WEEK);
    assertThat(choice.setBy()).isEmpty();
  }

  @Test
  void theOldestProtectedVersionSetsTheRetentionItsAgePlusTheMargin() {
    Map<Long, Instant> commits =
        Map.of(
            2L, NOW.minus(Duration.ofDays(20)),
            9L, NOW.minus(Duration.ofDays(10)),
            12L, NOW.minus(Duration.ofDays(1)));

    RetentionChoice choice =
        RetentionChoice.choose(
            WEEK,
            DAY,
            WEEK,
            NOW,
            List.of(version(9, "2"), version(2, "1"), version(12, "3")),
            commits,
            LOG);

    assertThat(choice.retention()).isEqualTo(Duration.ofDays(21));
    assertThat(choice.setBy()).contains(version(2, "1"));
    assertThat(choice.reason("features-flights"))
        .isEqualTo(
            "504 h, set by features-flights v2 (m version 1, run run2) committed"
                + " 2001-02-09T00:00:00Z");
    assertThat(choice.raiseLogRetentionTo()).isEmpty();
  }

  @Test
  void theRetentionIsRoundedUpToWholeHoursAsVacuumRoundsToTheNearest() {
    Map<Long, Instant> commits =
        Map.of(1L, NOW.minusSeconds(2), 2L, NOW.minus(Duration.ofMinutes(61)));

    RetentionChoice young =
        RetentionChoice.choose(
            Duration.ZERO, Duration.ZERO, WEEK, NOW, List.of(version(1, "1")), commits, LOG);
    RetentionChoice older =
        RetentionChoice.choose(
            Duration.ZERO, Duration.ZERO, WEEK, NOW, List.of(version(2, "1")), commits, LOG);
    RetentionChoice none =
        RetentionChoice.choose(Duration.ZERO, Duration.ZERO, WEEK, NOW, List.of(), commits, LOG);

    assertThat(young.retention()).isEqualTo(Duration.ofHours(1));
    assertThat(older.retention()).isEqualTo(Duration.ofHours(2));
    assertThat(none.retention()).isEqualTo(Duration.ZERO);
  }

  @Test
  void aCommitStampedInTheFutureCountsAsNewAndAVersionGoneFromTheLogSetsNothing() {
    Map<Long, Instant> commits = Map.of(5L, NOW.plusSeconds(60));

    RetentionChoice choice =
        RetentionChoice.choose(
            WEEK, DAY, WEEK, NOW, List.of(version(5, "2"), version(1, "1")), commits, LOG);

    assertThat(choice.retention()).isEqualTo(WEEK);
    assertThat(choice.notInLog()).containsExactly(version(1, "1"));
  }

  @Test
  void aProtectedCommitThatWouldLeaveTheLogBeforeTheNextRunRaisesTheLogRetention() {
    // 20 days + 1 day margin + a week to the next run: 28 days, within the log's 30.
    Map<Long, Instant> commits =
        Map.of(
            2L, NOW.minus(Duration.ofDays(20)),
            3L, NOW.minus(Duration.ofDays(23)),
            4L, NOW.minus(Duration.ofDays(3)));

    RetentionChoice kept =
        RetentionChoice.choose(WEEK, DAY, WEEK, NOW, List.of(version(2, "1")), commits, LOG);
    RetentionChoice raised =
        RetentionChoice.choose(WEEK, DAY, WEEK, NOW, List.of(version(3, "1")), commits, LOG);
    RetentionChoice young =
        RetentionChoice.choose(
            WEEK, DAY, WEEK, NOW, List.of(version(4, "1")), commits, Duration.ofDays(10));

    assertThat(kept.raiseLogRetentionTo()).isEmpty();
    // 23 + 1 + 7 = 31 days: raised to 23 + 1 + 2 * 7, so not again at the next run.
    assertThat(raised.retention()).isEqualTo(Duration.ofDays(24));
    assertThat(raised.raiseLogRetentionTo()).contains(Duration.ofDays(38));
    // Also when the protected version is younger than the least retention.
    assertThat(young.setBy()).isEmpty();
    assertThat(
            RetentionChoice.choose(
                    Duration.ofDays(60), DAY, WEEK, NOW, List.of(version(2, "1")), commits, LOG)
                .raiseLogRetentionTo())
        .isEmpty();
    // 3 + 1 + 7 = 11 days against a log of 10: raised to 3 + 1 + 2 * 7.
    assertThat(young.raiseLogRetentionTo()).contains(Duration.ofDays(18));
  }
}
