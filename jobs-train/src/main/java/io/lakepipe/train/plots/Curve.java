// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.plots;

import java.util.Arrays;
import java.util.Objects;

/**
 * One line of an XY plot: its legend label and its points, {@code x[i]} paired with {@code y[i]}.
 * Non-finite coordinates are allowed (an empty calibration bin has a NaN share); {@link Plots}
 * leaves those points out. The arrays are copied in and out, so a curve cannot change after it is
 * made.
 */
public record Curve(String label, double[] x, double[] y) {

  /** Checks that every point has both coordinates. */
  public Curve {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(y, "y");
    if (x.length != y.length) {
      throw new IllegalArgumentException(
          "Curve '"
              + label
              + "' has "
              + x.length
              + " x values but "
              + y.length
              + " y values: pass one x and one y per point.");
    }
    x = x.clone();
    y = y.clone();
  }

  @Override
  public double[] x() {
    return x.clone();
  }

  @Override
  public double[] y() {
    return y.clone();
  }

  // A record compares arrays by reference; curves are values, so compare the points.
  @Override
  public boolean equals(Object other) {
    return other instanceof Curve c
        && label.equals(c.label)
        && Arrays.equals(x, c.x)
        && Arrays.equals(y, c.y);
  }

  @Override
  public int hashCode() {
    return Objects.hash(label, Arrays.hashCode(x), Arrays.hashCode(y));
  }

  @Override
  public String toString() {
    return "Curve[" + label + ", " + x.length + " points]";
  }
}
