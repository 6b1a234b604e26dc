// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.tracking.MlflowTracking;
import io.lakepipe.core.tracking.PromotionLock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The promotion lock against the real tracking server that {@code ./lakepipe services start} runs:
 * one holder at a time, a lost answer, a dead holder's lock, a holder that keeps it too long.
 */
class PromotionLockIT {
  private static final String MLFLOW =
      System.getProperty("mlflow.tracking.uri", "http://127.0.0.1:5000");

  private final String modelName =
      "lakepipe_promotion_lock_it_" + UUID.randomUUID().toString().replace("-", "");
  private final String lockName = PromotionLock.lockName(modelName);
  private MlflowTracking tracking;

  @BeforeEach
  void connect() {
    tracking = MlflowTracking.connect(MLFLOW, Duration.ofSeconds(10));
  }

  @AfterEach
  void removeLock() {
    tracking.deleteRegisteredModel(lockName);
  }

  private PromotionLock lock(Duration lease, Duration wait) {
    return new PromotionLock(tracking, modelName, lease, wait);
  }

  @Test
  void twoContendersNeverHoldTheLockAtOnce() throws Exception {
    PromotionLock lock = lock(Duration.ofMinutes(1), Duration.ofMinutes(1));
    AtomicInteger holders = new AtomicInteger();
    AtomicInteger mostHolders = new AtomicInteger();
    AtomicInteger acquired = new AtomicInteger();
    ExecutorService contenders = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (String contender : List.of("a", "b")) {
        runs.add(
            contenders.submit(
                () -> {
                  for (int i = 0; i < 8; i++) {
                    try (PromotionLock.Held held = lock.acquire(contender + i)) {
                      mostHolders.accumulateAndGet(holders.incrementAndGet(), Math::max);
                      acquired.incrementAndGet();
                      held.verify();
                      holders.decrementAndGet();
                    }
                  }
                }));
      }
      for (Future<?> run : runs) {
        run.get(2, TimeUnit.MINUTES);
      }
    } finally {
      contenders.shutdownNow();
    }
    assertThat(acquired).as("locks taken").hasValue(16);
    assertThat(mostHolders).as("most holders at once").hasValue(1);
    assertThat(tracking.registeredModelTags(lockName))
        .as("the lock after the last release")
        .isEmpty();
  }

  @Test
  void aLostAnswerToTheCreateStillTakesTheLock() {
    try (FaultyMlflowProxy proxy =
            new FaultyMlflowProxy(
                MLFLOW,
                "POST",
                "registered-models/create",
                1,
                FaultyMlflowProxy.Fault.LOST_RESPONSE,
                Duration.ofSeconds(4));
        MlflowTracking throughProxy = MlflowTracking.connect(proxy.uri(), Duration.ofSeconds(2))) {
      PromotionLock lock =
          new PromotionLock(throughProxy, modelName, Duration.ofMinutes(1), Duration.ofSeconds(10));
      try (PromotionLock.Held held = lock.acquire("run-with-lost-answer")) {
        assertThat(proxy.faultsApplied()).as("the fault was injected").isEqualTo(1);
        assertThat(tracking.registeredModelTags(lockName).orElseThrow())
            .hasEntrySatisfying(
                PromotionLock.HOLDER_TAG, holder -> assertThat(holder).startsWith("run-with-"));
        held.verify();
      }
    }
    assertThat(tracking.registeredModelTags(lockName)).as("released").isEmpty();
  }

  @Test
  void aLockLeftByADeadHolderIsTakenOverWhenItsLeaseHasEnded() {
    long ended = Instant.now().minusSeconds(1).toEpochMilli();
    assertThat(
            tracking.createRegisteredModel(
                lockName,
                "left by a killed training",
                Map.of(
                    PromotionLock.HOLDER_TAG,
                    "killed-run",
                    PromotionLock.EXPIRES_TAG,
                    String.valueOf(ended))))
        .isTrue();

    try (PromotionLock.Held held =
        lock(Duration.ofMinutes(1), Duration.ofSeconds(5)).acquire("next-run")) {
      assertThat(tracking.registeredModelTags(lockName).orElseThrow().get(PromotionLock.HOLDER_TAG))
          .startsWith("next-run/");
      held.verify();
    }
  }

  @Test
  void aLockSeenWithoutItsTagsIsBeingTakenAndIsTakenOverOnlyAfterALease() {
    // MLflow shows a created name before its tags: a concurrent try once took such a lock for one
    // whose lease had ended, and two trainings held it at once.
    assertThat(tracking.createRegisteredModel(lockName, "being taken", Map.of())).isTrue();

    assertThatThrownBy(() -> lock(Duration.ofMinutes(1), Duration.ofSeconds(1)).acquire("eager"))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("has been promoting " + modelName);
    assertThat(tracking.registeredModelTags(lockName)).as("left in place").hasValue(Map.of());

    try (PromotionLock.Held held =
        lock(Duration.ofSeconds(1), Duration.ofSeconds(10)).acquire("patient")) {
      assertThat(tracking.registeredModelTags(lockName).orElseThrow().get(PromotionLock.HOLDER_TAG))
          .startsWith("patient/");
      held.verify();
    }
  }

  @Test
  void aLockHeldPastTheWaitFailsNamingItsHolderAndALostLeaseStopsTheHolder() {
    PromotionLock.Held first =
        lock(Duration.ofSeconds(3), Duration.ofSeconds(1)).acquire("first-run");

    assertThatThrownBy(() -> lock(Duration.ofMinutes(1), Duration.ofSeconds(1)).acquire("second"))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("Another training (first-run/")
        .hasMessageContaining("has been promoting " + modelName);

    // The first holder outlives its 3 s lease: a third training takes the lock over, and the first
    // may no longer move the alias.
    try (PromotionLock.Held third =
        lock(Duration.ofMinutes(1), Duration.ofSeconds(10)).acquire("third-run")) {
      assertThatThrownBy(first::verify)
          .hasMessageContaining("was taken over by third-run/")
          .hasMessageContaining("does not move the champion");
      first.close(); // no longer its lock: left in place
      third.verify();
    }
  }
}
