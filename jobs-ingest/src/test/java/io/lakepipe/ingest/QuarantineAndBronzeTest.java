// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.job.RunProgress;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The two commits of checked rows, with commits that record what they did instead of Delta. */
class QuarantineAndBronzeTest {
  private static final String QUARANTINE = "/lake/quarantine/flights";
  private static final String BRONZE = "/lake/bronze/flights";

  private final RunProgress progress = new RunProgress();

  private Map<String, Long> written() {
    return progress.snapshot("").versionsWritten();
  }

  @Test
  void passedGatesCommitBothTablesAtOnce() {
    // Bronze's commit waits for the quarantine's to start: it returns only if the two overlap.
    CountDownLatch quarantineStarted = new CountDownLatch(1);
    AtomicReference<String> quarantineThread = new AtomicReference<>();
    QuarantineAndBronze.Versions versions =
        QuarantineAndBronze.commit(
            progress,
            () -> {},
            QUARANTINE,
            () -> {
              quarantineThread.set(Thread.currentThread().getName());
              quarantineStarted.countDown();
              return 4;
            },
            BRONZE,
            () -> {
              try {
                assertThat(quarantineStarted.await(60, TimeUnit.SECONDS)).isTrue();
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
              return 9;
            });

    assertThat(versions).isEqualTo(new QuarantineAndBronze.Versions(4, 9));
    assertThat(quarantineThread.get()).isEqualTo("lakepipe-quarantine-commit-1");
    assertThat(written()).containsExactlyInAnyOrderEntriesOf(Map.of(QUARANTINE, 4L, BRONZE, 9L));
  }

  @Test
  void aFailedGateCommitsTheQuarantineOnlyAndThrowsTheGatesError() {
    AtomicBoolean bronzeCommitted = new AtomicBoolean();
    IllegalStateException gate = new IllegalStateException("too many bad rows");

    assertThatThrownBy(
            () ->
                QuarantineAndBronze.commit(
                    progress,
                    () -> {
                      throw gate;
                    },
                    QUARANTINE,
                    () -> 3,
                    BRONZE,
                    () -> {
                      bronzeCommitted.set(true);
                      return 7;
                    }))
        .isSameAs(gate);

    assertThat(bronzeCommitted).isFalse();
    assertThat(written()).containsExactlyEntriesOf(Map.of(QUARANTINE, 3L));
  }

  @Test
  void aQuarantineThatFailsAfterAFailedGateIsTheErrorWithTheGateBeside() {
    IllegalStateException gate = new IllegalStateException("an expectation failed");
    IllegalStateException storage = new IllegalStateException("storage unreachable");

    assertThatThrownBy(
            () ->
                QuarantineAndBronze.commit(
                    progress,
                    () -> {
                      throw gate;
                    },
                    QUARANTINE,
                    () -> {
                      throw storage;
                    },
                    BRONZE,
                    () -> 7))
        .isSameAs(storage)
        .hasSuppressedException(gate);
    assertThat(written()).isEmpty();
  }

  @Test
  void aFailedBronzeCommitStillWaitsForTheQuarantineAndRecordsIt() {
    IllegalStateException concurrent = new IllegalStateException("concurrent write of ds");
    CountDownLatch bronzeFailed = new CountDownLatch(1);

    assertThatThrownBy(
            () ->
                QuarantineAndBronze.commit(
                    progress,
                    () -> {},
                    QUARANTINE,
                    () -> {
                      // Ends only after bronze failed: the caller must wait for it.
                      try {
                        assertThat(bronzeFailed.await(60, TimeUnit.SECONDS)).isTrue();
                      } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                      }
                      return 5;
                    },
                    BRONZE,
                    () -> {
                      bronzeFailed.countDown();
                      throw concurrent;
                    }))
        .isSameAs(concurrent);

    assertThat(written()).containsExactlyEntriesOf(Map.of(QUARANTINE, 5L));
  }

  @Test
  void aFailedQuarantineCommitIsTheErrorAndBronzeStaysRecorded() {
    IllegalStateException storage = new IllegalStateException("storage unreachable");

    assertThatThrownBy(
            () ->
                QuarantineAndBronze.commit(
                    progress,
                    () -> {},
                    QUARANTINE,
                    () -> {
                      throw storage;
                    },
                    BRONZE,
                    () -> 8))
        .isSameAs(storage);

    assertThat(written()).containsExactlyEntriesOf(Map.of(BRONZE, 8L));
  }

  @Test
  void whenBothFailBronzesErrorCarriesTheQuarantines() {
    IllegalStateException bronze = new IllegalStateException("bronze failed");
    IllegalStateException quarantine = new IllegalStateException("quarantine failed");

    assertThatThrownBy(
            () ->
                QuarantineAndBronze.commit(
                    progress,
                    () -> {},
                    QUARANTINE,
                    () -> {
                      throw quarantine;
                    },
                    BRONZE,
                    () -> {
                      throw bronze;
                    }))
        .isSameAs(bronze)
        .hasSuppressedException(quarantine);
    assertThat(written()).isEmpty();
  }
}
