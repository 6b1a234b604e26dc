// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.reload;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls a watchable source (the registry alias) on a background thread and reloads when it moves.
 * Failures, errors included, are logged and counted by the reloader, and the next poll tries again:
 * a registry that is down for a while, or a version that cannot be loaded, never stops the
 * watching.
 */
public final class AliasWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AliasWatcher.class);

  private final ScheduledExecutorService scheduler;

  private AliasWatcher(ScheduledExecutorService scheduler) {
    this.scheduler = scheduler;
  }

  /** Starts polling every {@code interval}, the first poll one interval from now. */
  public static AliasWatcher start(Reloader reloader, Duration interval) {
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "lakepipe-alias-watcher");
              thread.setDaemon(true);
              return thread;
            });
    long millis = interval.toMillis();
    scheduler.scheduleWithFixedDelay(
        () -> {
          try {
            reloader.reloadIfMoved();
          } catch (RuntimeException e) {
            LOG.warn(
                "Polling {} failed, will retry in {}: {}",
                reloader.source().location(),
                interval,
                e.getMessage());
          } catch (Error e) {
            // A scheduled task that throws anything is never run again, and an Error (a bundle
            // whose model
            // overflows the stack when parsed, a class missing from it) would stop the watcher for
            // good.
            LOG.error(
                "Polling {} failed with {}, will retry in {}",
                reloader.source().location(),
                e,
                interval);
          }
        },
        millis,
        millis,
        TimeUnit.MILLISECONDS);
    return new AliasWatcher(scheduler);
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
