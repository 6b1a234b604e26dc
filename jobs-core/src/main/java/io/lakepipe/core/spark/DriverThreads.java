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

  /** The results of two pieces of work run at once by {@link #both}. */
  public record Both<A, B>(A first, B second) {}

  /**
   * Runs {@code first} on a thread named {@code name} while the calling thread runs {@code second}
   * (two writes to different tables, say), and waits for both even when one fails, so that no
   * commit is still going when this returns. Throws the first failure, the other's suppressed.
   */
  public static <A, B> Both<A, B> both(String name, Callable<A> first, Callable<B> second) {
    try (DriverThreads thread = of(name, 1)) {
      Future<A> onThread = thread.submit(first);
      RuntimeException failure = null;
      B secondResult = null;
      try {
        secondResult = second.call();
      } catch (RuntimeException e) {
        failure = e;
      } catch (Exception e) {
        failure = new IllegalStateException(e.getMessage(), e);
      }
      A firstResult = null;
      try {
        firstResult = get(onThread);
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
      if (failure != null) {
        throw failure;
      }
      return new Both<>(firstResult, secondResult);
    }
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
