// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.http;

import io.lakepipe.serving.RequestRefusedException;
import io.lakepipe.serving.ServingErrors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Bounds the heap that request bodies being read, parsed and scored may take at once. Each request
 * is charged its body size (the declared length, or the limit when it is sent chunked) times what a
 * body becomes in memory: the bytes themselves, then its records as maps of boxed values (about 10
 * times the JSON of a flat record). A request waits, its body unread in the socket, until its share
 * is free; one that does not get it within 10 s gets 503 with Retry-After, instead of many large
 * bodies at once running the service out of memory.
 */
final class BodyBudget {
  /**
   * Heap per body byte while a request is in flight: the body, plus its records at ~10 times its
   * size.
   */
  static final int HEAP_PER_BODY_BYTE = 16;

  private static final long WAIT_MILLIS = 10_000;
  private static final int UNIT_BYTES = 1024;

  private final Semaphore units;
  private final int maxBodyBytes;

  /** A budget of {@code heapBytes}, never less than one largest request. */
  BodyBudget(long heapBytes, int maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
    long floor = units(maxBodyBytes);
    this.units =
        new Semaphore((int) Math.min(Integer.MAX_VALUE, Math.max(floor, heapBytes / UNIT_BYTES)));
  }

  /** Half the heap the JVM may grow to: the rest is for the model, Jetty and everything else. */
  static BodyBudget ofHeap(int maxBodyBytes) {
    return new BodyBudget(Runtime.getRuntime().maxMemory() / 2, maxBodyBytes);
  }

  /**
   * Takes the share of a request whose body declares {@code contentLength} bytes (-1 when unknown).
   *
   * @return the units to give back with {@link #release}
   * @throws RequestRefusedException 503 when the share does not free up within the wait
   */
  int acquire(long contentLength) throws InterruptedException {
    long bytes = contentLength < 0 || contentLength > maxBodyBytes ? maxBodyBytes : contentLength;
    int share = units(bytes);
    if (!units.tryAcquire(share, WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
      throw ServingErrors.busy();
    }
    return share;
  }

  void release(int share) {
    units.release(share);
  }

  private static int units(long bodyBytes) {
    return (int) Math.max(1, (bodyBytes * HEAP_PER_BODY_BYTE + UNIT_BYTES - 1) / UNIT_BYTES);
  }
}
