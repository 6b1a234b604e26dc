// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.shadow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ShadowTallyTest {
  private static final long SECOND = 1_000_000_000L;

  private static Comparison compared(double[] champion, double[] shadow) {
    return Comparison.of(champion, 0.5, shadow, 0.5);
  }

  @Test
  void aSummaryIsDueOnceTheIntervalHasPassedAndCoversTheWholeWindow() {
    ShadowTally tally = new ShadowTally(Duration.ofSeconds(60), 0);
    tally.scored("1", "2", compared(new double[] {0.9, 0.1}, new double[] {0.8, 0.7}), SECOND);
    tally.scored("1", "2", compared(new double[] {0.3}, new double[] {0.2}), 2 * SECOND);
    tally.dropped();
    tally.failed();
    tally.noModel();

    assertThat(tally.due(59 * SECOND)).isEmpty();
    ShadowSummary summary = tally.due(60 * SECOND).orElseThrow();

    assertThat(summary.championVersion()).isEqualTo("1");
    assertThat(summary.shadowVersion()).isEqualTo("2");
    assertThat(summary.seconds()).isEqualTo(60);
    assertThat(summary.requests()).isEqualTo(2);
    assertThat(summary.records()).isEqualTo(3);
    assertThat(summary.agreeing()).isEqualTo(2);
    assertThat(summary.differenceSum()).isCloseTo(0.1 + 0.6 + 0.1, within(1e-12));
    assertThat(summary.maxDifference()).isCloseTo(0.6, within(1e-12));
    assertThat(summary.dropped()).isEqualTo(1);
    assertThat(summary.failed()).isEqualTo(1);
    assertThat(summary.noModel()).isEqualTo(1);
  }

  @Test
  void theNextWindowStartsEmpty() {
    ShadowTally tally = new ShadowTally(Duration.ofSeconds(60), 0);
    tally.scored("1", "2", compared(new double[] {0.9}, new double[] {0.8}), SECOND);
    tally.dropped();
    tally.due(60 * SECOND).orElseThrow();

    assertThat(tally.due(120 * SECOND)).isEmpty();
    tally.failed();
    ShadowSummary next = tally.due(180 * SECOND).orElseThrow();
    assertThat(next.requests()).isZero();
    assertThat(next.dropped()).isZero();
    assertThat(next.failed()).isEqualTo(1);
    assertThat(next.seconds()).isEqualTo(60);
    assertThat(next.shadowVersion()).isNull();
  }

  @Test
  void aNewPairOfVersionsClosesTheWindowOfThePreviousPair() {
    ShadowTally tally = new ShadowTally(Duration.ofSeconds(60), 0);
    assertThat(tally.scored("1", "2", compared(new double[] {0.9}, new double[] {0.1}), SECOND))
        .isEmpty();

    Optional<ShadowSummary> previous =
        tally.scored("2", "3", compared(new double[] {0.9}, new double[] {0.8}), 10 * SECOND);

    assertThat(previous).isPresent();
    assertThat(previous.get().championVersion()).isEqualTo("1");
    assertThat(previous.get().shadowVersion()).isEqualTo("2");
    assertThat(previous.get().agreeing()).isZero();
    assertThat(previous.get().records()).isEqualTo(1);
    ShadowSummary current = tally.due(70 * SECOND).orElseThrow();
    assertThat(current.championVersion()).isEqualTo("2");
    assertThat(current.shadowVersion()).isEqualTo("3");
    assertThat(current.agreeing()).isEqualTo(1);
    assertThat(current.seconds()).isEqualTo(60);
  }

  @Test
  void theLogLineSaysWhatWasComparedAndWhatWasNot() {
    ShadowSummary summary = new ShadowSummary("1", "2", 60, 1200, 3000, 2950, 63.9, 0.31, 4, 2, 0);

    assertThat(summary.line())
        .isEqualTo(
            "Shadow version 2 against champion version 1 over the last 60 s: 1,200 request(s),"
                + " 3,000 record(s), 2,950 agreeing (98.3%), 50 disagreeing; |difference| mean"
                + " 0.0213, max 0.3100; 4 dropped (queue full), 2 failed, 0 without a shadow"
                + " model");
  }

  @Test
  void aWindowWithoutComparisonSaysSo() {
    ShadowSummary summary = new ShadowSummary(null, null, 60, 0, 0, 0, 0, 0, 0, 7, 0);

    assertThat(summary.line())
        .isEqualTo(
            "Shadow over the last 60 s: no record compared; 0 dropped (queue full), 7 failed, 0"
                + " without a shadow model");
  }
}
