// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.bench;

import java.time.Duration;
import java.util.Locale;

/**
 * Where a long benchmark is, on standard output: the step it starts (k of n), the time since it
 * began, and an estimate of what is left from the steps done so far, such as {@code [file-ingest
 * 12/181, 1m40s, about 23m30s left] day 2001-01-12}. Compiled into every benchmark (bench/lib.sh).
 */
public final class Progress {
  private final String bench;
  private final int steps;
  private final int printEvery;
  private final long started = System.nanoTime();
  private int step;

  /** A benchmark of {@code steps} steps, printing every step. */
  public Progress(String bench, int steps) {
    this(bench, steps, 1);
  }

  /**
   * A benchmark of {@code steps} steps, printing the first, every {@code printEvery}-th, the last.
   */
  public Progress(String bench, int steps, int printEvery) {
    this.bench = bench;
    this.steps = steps;
    this.printEvery = Math.max(1, printEvery);
  }

  /** Step {@code what} starts. */
  public void step(String what) {
    step++;
    if (step == 1 || step == steps || step % printEvery == 0) {
      System.out.printf(
          Locale.ROOT, "[%s %d/%d, %s%s] %s%n", bench, step, steps, elapsed(), left(), what);
      System.out.flush();
    }
  }

  /** The time since the benchmark began, as 3m05s. */
  public String elapsed() {
    return format(Duration.ofNanos(System.nanoTime() - started));
  }

  private String left() {
    int done = step - 1;
    if (done == 0) {
      return "";
    }
    long perStep = (System.nanoTime() - started) / done;
    return ", about " + format(Duration.ofNanos(perStep * (steps - done))) + " left";
  }

  private static String format(Duration duration) {
    return String.format(Locale.ROOT, "%dm%02ds", duration.toMinutes(), duration.toSecondsPart());
  }
}
