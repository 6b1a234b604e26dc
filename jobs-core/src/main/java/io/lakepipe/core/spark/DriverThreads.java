// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.spark;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A few driver threads for a job's independent Spark queries. Most of a small query's time is the
 * driver's own (Delta's file listing, planning, code generation), on one thread: two queries at
 * once share the driver's cores. The threads are created by the job's thread, so they inherit its
 * Spark session and local properties.
 */
public final class DriverThreads implements AutoCloseable {
  private final ExecutorService pool;

  private DriverThreads(ExecutorService pool) {
    this.pool = pool;
  }

  /** At most {@code threads} queries at once, on threads named {@code name-1}, {@code name-2}... */
  public static DriverThreads of(String name, int threads) {
    AtomicInteger count = new AtomicInteger();
    return new DriverThreads(
        Executors.newFixedThreadPool(
            threads,
            task -> {
              Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            }));
  }

  public <T> Future<T> submit(Callable<T> work) {
    return pool.submit(work);
  }

  /** The result of {@code work}, or its failure as it was thrown. */
  public static <T> T get(Future<T> work) {
    try {
      return work.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException("A driver thread failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for a driver thread", e);
    }
  }

  /** Stops the threads; work not yet got is cancelled. */
  @Override
  public void close() {
    pool.shutdownNow();
  }
}
