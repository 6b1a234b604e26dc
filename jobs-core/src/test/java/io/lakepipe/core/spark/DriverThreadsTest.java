// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class DriverThreadsTest {
  @Test
  void runsWorkAtOnceAndGivesEachResult() {
    // Each waits for the other: they finish only if both run at the same time.
    CountDownLatch bothStarted = new CountDownLatch(2);
    try (DriverThreads threads = DriverThreads.of("test", 2)) {
      Future<String> first = threads.submit(() -> meet(bothStarted, "first"));
      Future<String> second = threads.submit(() -> meet(bothStarted, "second"));

      assertThat(DriverThreads.get(first)).isEqualTo("first");
      assertThat(DriverThreads.get(second)).isEqualTo("second");
    }
  }

  @Test
  void aFailureIsThrownAsTheWorkThrewIt() {
    try (DriverThreads threads = DriverThreads.of("lakepipe-test", 1)) {
      Future<Object> failing =
          threads.submit(
              () -> {
                throw new IllegalArgumentException("no such table");
              });

      assertThatThrownBy(() -> DriverThreads.get(failing))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("no such table");
    }
  }

  @Test
  void theThreadsAreNamedAndDoNotKeepTheJvmAlive() {
    try (DriverThreads threads = DriverThreads.of("lakepipe-test", 1)) {
      Thread thread = DriverThreads.get(threads.submit(Thread::currentThread));

      assertThat(thread.getName()).isEqualTo("lakepipe-test-1");
      assertThat(thread.isDaemon()).isTrue();
    }
  }

  @Test
  void bothWaitsForTheThreadsWorkWhenTheCallersFailsAndThrowsTheCallersFailureFirst() {
    AtomicBoolean threadFinished = new AtomicBoolean();
    IllegalStateException callerFailure = new IllegalStateException("features write failed");

    assertThatThrownBy(
            () ->
                DriverThreads.both(
                    "lakepipe-test",
                    () -> {
                      Thread.sleep(200);
                      threadFinished.set(true);
                      throw new IllegalArgumentException("labels write failed");
                    },
                    () -> {
                      throw callerFailure;
                    }))
        .isSameAs(callerFailure)
        .satisfies(
            e ->
                assertThat(e.getSuppressed())
                    .singleElement()
                    .hasFieldOrPropertyWithValue("message", "labels write failed"));
    assertThat(threadFinished).isTrue();
  }

  @Test
  void bothGivesTheTwoResults() {
    DriverThreads.Both<String, Integer> both =
        DriverThreads.both("lakepipe-test", () -> Thread.currentThread().getName(), () -> 7);

    assertThat(both).isEqualTo(new DriverThreads.Both<>("lakepipe-test-1", 7));
  }

  private static String meet(CountDownLatch latch, String result) throws InterruptedException {
    latch.countDown();
    if (!latch.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the other work never started");
    }
    return result;
  }
}
