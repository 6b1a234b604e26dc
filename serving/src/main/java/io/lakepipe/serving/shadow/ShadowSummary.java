// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.shadow;

import java.util.Locale;

/**
 * The shadow's record over one window of time, for the periodic INFO line.
 *
 * @param championVersion the served model's version in the window, or null if nothing was scored
 * @param shadowVersion the shadow's version in the window, or null if nothing was scored
 * @param seconds the window's length
 * @param requests requests the shadow scored
 * @param records records the shadow scored
 * @param agreeing records both models labelled alike
 * @param differenceSum sum of |champion - shadow| over the records
 * @param maxDifference the largest |champion - shadow|
 * @param dropped requests not shadowed because the queue was full
 * @param failed requests on which the shadow threw
 * @param noModel requests that came while no shadow model was loaded
 */
public record ShadowSummary(
    String championVersion,
    String shadowVersion,
    long seconds,
    long requests,
    long records,
    long agreeing,
    double differenceSum,
    double maxDifference,
    long dropped,
    long failed,
    long noModel) {

  /** The summary as one log line. */
  public String line() {
    StringBuilder line = new StringBuilder("Shadow");
    if (shadowVersion != null) {
      line.append(" version ")
          .append(shadowVersion)
          .append(" against champion version ")
          .append(championVersion);
    }
    line.append(" over the last ").append(seconds).append(" s: ");
    if (records == 0) {
      line.append("no record compared");
    } else {
      line.append(
          String.format(
              Locale.ROOT,
              "%,d request(s), %,d record(s), %,d agreeing (%.1f%%), %,d disagreeing;"
                  + " |difference| mean %.4f, max %.4f",
              requests,
              records,
              agreeing,
              100.0 * agreeing / records,
              records - agreeing,
              differenceSum / records,
              maxDifference));
    }
    return line.append(
            String.format(
                Locale.ROOT,
                "; %,d dropped (queue full), %,d failed, %,d without a shadow model",
                dropped,
                failed,
                noModel))
        .toString();
  }
}
