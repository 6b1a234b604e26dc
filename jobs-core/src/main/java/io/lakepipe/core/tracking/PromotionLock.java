// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.tracking;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.LakepipeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One promotion of a registered model at a time, across processes and hosts. MLflow has no
 * compare-and-set on aliases, so two trainings that each check the champion and then move it could
 * both move it, the last one winning. The lock is a registered model of its own, {@code
 * <model>.promotion-lock}: the server creates a name for one caller only, and the holder and the
 * lease's end are tags set in the same call. A lock whose holder died (a killed training) is taken
 * over once its lease has ended; a promotion holds it for a few registry calls only.
 */
public final class PromotionLock {
  private static final Logger LOG = LoggerFactory.getLogger(PromotionLock.class);

  public static final String HOLDER_TAG = "lakepipe.lock.holder";
  public static final String SINCE_TAG = "lakepipe.lock.since";
  public static final String EXPIRES_TAG = "lakepipe.lock.expires-millis";
  private static final Duration LEASE = Duration.ofMinutes(2);
  private static final Duration WAIT = Duration.ofMinutes(5);
  private static final Duration POLL = Duration.ofMillis(250);

  /** Failed calls in a row (the create's answer lost, a 503) before giving up. */
  private static final int MAX_FAILED_CALLS = 3;

  private final MlflowTracking tracking;
  private final String modelName;
  private final String lockName;
  private final Duration lease;
  private final Duration wait;

  public PromotionLock(MlflowTracking tracking, String modelName) {
    this(tracking, modelName, LEASE, WAIT);
  }

  public PromotionLock(MlflowTracking tracking, String modelName, Duration lease, Duration wait) {
    this.tracking = tracking;
    this.modelName = modelName;
    this.lockName = lockName(modelName);
    this.lease = lease;
    this.wait = wait;
  }

  public static String lockName(String modelName) {
    return modelName + ".promotion-lock";
  }

  /**
   * Takes the lock for {@code holder} (a run id, for the messages), waiting while another holds it.
   *
   * @throws LakepipeException if another holder keeps it past the wait
   */
  public Held acquire(String holder) {
    String token = holder + "/" + UUID.randomUUID();
    Instant started = Instant.now();
    boolean toldWaiting = false;
    int failedCalls = 0;
    AtomicReference<Instant> untaggedSince = new AtomicReference<>();
    while (true) {
      Optional<Map<String, String>> other;
      try {
        other = tryOnce(token, untaggedSince);
        failedCalls = 0;
      } catch (LakepipeException e) {
        // The create may have gone through with its answer lost: the next try finds out.
        if (++failedCalls > MAX_FAILED_CALLS) {
          throw e;
        }
        LOG.warn("Taking the promotion lock {}: {}; trying again", lockName, e.getMessage());
        sleep(POLL);
        continue;
      }
      if (other.isEmpty()) {
        return new Held(token);
      }
      String otherHolder = other.get().getOrDefault(HOLDER_TAG, "");
      Duration waited = Duration.between(started, Instant.now());
      if (waited.compareTo(wait) > 0) {
        throw LakepipeErrors.promotionLockBusy(
            modelName,
            otherHolder,
            other.get().getOrDefault(SINCE_TAG, "an unknown time"),
            waited.toSeconds());
      }
      if (!toldWaiting) {
        LOG.info(
            "Another training ({}) is promoting {}; waiting for it (at most {} s)",
            otherHolder,
            modelName,
            wait.toSeconds());
        toldWaiting = true;
      }
      sleep(POLL);
    }
  }

  /**
   * One try: empty if the lock is now {@code token}'s, else the tags of another's lock. A lock seen
   * without its lease's end is being taken: MLflow makes the name visible before the tags it was
   * created with (a concurrent try saw this). It counts as held until it has been seen so for a
   * whole lease ({@code untaggedSince}), after which it is not one of this class and is taken over.
   */
  private Optional<Map<String, String>> tryOnce(
      String token, AtomicReference<Instant> untaggedSince) {
    while (true) {
      Instant now = Instant.now();
      Map<String, String> tags =
          Map.of(
              HOLDER_TAG, token,
              SINCE_TAG, now.toString(),
              EXPIRES_TAG, String.valueOf(now.plus(lease).toEpochMilli()));
      if (tracking.createRegisteredModel(lockName, description(), tags)) {
        return Optional.empty();
      }
      Optional<Map<String, String>> current = tracking.registeredModelTags(lockName);
      if (current.isEmpty()) {
        continue; // released between the two calls
      }
      String currentHolder = current.get().getOrDefault(HOLDER_TAG, "");
      if (currentHolder.equals(token)) {
        return Optional.empty(); // an earlier create went through; its answer was lost
      }
      if (!current.get().containsKey(EXPIRES_TAG)) {
        Instant since = untaggedSince.updateAndGet(seen -> seen == null ? now : seen);
        if (Duration.between(since, now).compareTo(lease) < 0) {
          return current;
        }
      } else if (expiresMillis(current.get()) >= now.toEpochMilli()) {
        return current;
      }
      LOG.warn(
          "The promotion lock {} of {} held since {} has expired; taking it over",
          lockName,
          currentHolder,
          current.get().get(SINCE_TAG));
      tracking.deleteRegisteredModel(lockName);
    }
  }

  private String description() {
    return "Held by a lakepipe training while it promotes "
        + modelName
        + "; removed when it is done. Not a model.";
  }

  private static long expiresMillis(Map<String, String> tags) {
    try {
      return Long.parseLong(tags.getOrDefault(EXPIRES_TAG, "0"));
    } catch (NumberFormatException e) {
      return 0L; // not a lock this class wrote: treated as expired
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the promotion lock", e);
    }
  }

  /** The lock as held; closing it releases it. */
  public final class Held implements AutoCloseable {
    private final String token;

    private Held(String token) {
      this.token = token;
    }

    /**
     * Fails unless the lock is still this holder's: a holder slower than its lease may have lost it
     * to another training, and must not move the alias then.
     */
    public void verify() {
      String holder =
          tracking.registeredModelTags(lockName).map(t -> t.get(HOLDER_TAG)).orElse("nobody");
      if (!token.equals(holder)) {
        throw new IllegalStateException(
            "The promotion lock "
                + lockName
                + " was taken over by "
                + holder
                + " after its lease of "
                + lease.toSeconds()
                + " s ended; this training does not move the champion");
      }
    }

    /** Releases the lock if it is still this holder's; a failure only shortens nothing. */
    @Override
    public void close() {
      try {
        Optional<String> holder =
            tracking.registeredModelTags(lockName).map(t -> t.get(HOLDER_TAG));
        if (holder.isPresent() && holder.get().equals(token)) {
          tracking.deleteRegisteredModel(lockName);
        }
      } catch (RuntimeException e) {
        LOG.warn(
            "The promotion lock {} was not released ({}); it expires within {} s",
            lockName,
            e.getMessage(),
            lease.toSeconds());
      }
    }
  }
}
