// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.report;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The test scores of the latest training run of a ds, next to the route baseline's on the same test
 * days, and the registry gate's decision with its evidence. A metric the run did not log is NaN, a
 * tag it did not set "".
 *
 * @param gateDays each test day's gate metric of the new model and the champion, when the gate
 *     compared them on rows
 */
public record TrainingScore(
    LocalDate ds,
    String runId,
    String model,
    double rocAuc,
    double prAuc,
    double logLoss,
    double baselineRocAuc,
    double baselinePrAuc,
    double baselineLogLoss,
    String url,
    String gateDecision,
    String gateExplanation,
    List<GateDay> gateDays,
    String servingCheck) {

  public TrainingScore {
    gateDays = List.copyOf(gateDays);
  }

  /** One test day's gate metric of the new model and of the champion. */
  public record GateDay(LocalDate day, double challenger, double champion) {
    private static final Pattern DAY =
        Pattern.compile("(\\d{4}-\\d{2}-\\d{2}) ([-0-9.NaE]+)/([-0-9.NaE]+)");

    /**
     * The days of the training's {@code lakepipe.gate.per_day} tag: "2001-01-15 0.71/0.70; ...".
     */
    public static List<GateDay> parse(String tag) {
      List<GateDay> days = new ArrayList<>();
      Matcher day = DAY.matcher(tag);
      while (day.find()) {
        days.add(
            new GateDay(
                LocalDate.parse(day.group(1)),
                Double.parseDouble(day.group(2)),
                Double.parseDouble(day.group(3))));
      }
      return days;
    }
  }
}
