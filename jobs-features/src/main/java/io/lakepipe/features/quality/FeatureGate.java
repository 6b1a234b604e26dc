// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features.quality;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.config.LakepipeConfig;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The gate on feature metrics, from {@code lakepipe.quality.features}: enough rows, a null share at
 * most {@code max-null-share} and a PSI at most {@code max-psi} per feature. Features that match a
 * {@code null-share-exempt} or {@code drift-exempt} glob are not failed by that check. Pure:
 * metrics and settings in, verdicts out.
 *
 * <p>Apart from passing or failing, a verdict says whether the feature drifted beyond {@code
 * retrain-psi} (at most {@code max-psi}): a day with such drift is still usable, but a model
 * trained before it has not seen it, so it is a reason to retrain ({@link Verdict#retrain}).
 * Drift-exempt and warming-up features never count: their drift is the calendar, the weather or a
 * history still being built, which retraining would not teach the model anything new about.
 *
 * <p>A verdict is {@link #FAIL} when a check failed; else {@link #EXEMPT} when a check would have
 * failed but the feature is exempt from it; else {@link #NO_REFERENCE} when there was no reference
 * to measure drift against; else {@link #PASS}. Its reason lists every such finding (null on pass).
 *
 * <p>A history feature whose window reaches before the first day with daily stats is warming up:
 * its values grow with the history built so far, so its drift and null share are waived (EXEMPT,
 * with that reason) until the history covers the window for the reference days and ds.
 */
public final class FeatureGate {
  public static final String PASS = "pass";
  public static final String FAIL = "fail";
  public static final String EXEMPT = "exempt";
  public static final String NO_REFERENCE = "no-reference";

  private FeatureGate() {}

  /**
   * The settings of {@code lakepipe.quality.features}, validated when read.
   *
   * @param referenceDays days before ds that form the reference
   * @param psiBins bins of numeric features for the PSI
   * @param minRows fewest rows a day may have
   * @param maxNullShare largest null share of a feature
   * @param maxPsi largest PSI of a feature against the reference
   * @param retrainPsi PSI above which a feature's drift calls for a retraining, at most maxPsi
   * @param nullShareExempt globs of features whose null share is not gated
   * @param driftExempt globs of features whose PSI is not gated
   */
  public record Settings(
      int referenceDays,
      int psiBins,
      long minRows,
      double maxNullShare,
      double maxPsi,
      double retrainPsi,
      List<String> nullShareExempt,
      List<String> driftExempt) {
    /** The config section, under {@code lakepipe}. */
    public static final String CONFIG_SECTION = "quality.features";

    private static final String SECTION = CONFIG_SECTION + ".";

    public Settings {
      check(referenceDays >= 0, "reference-days", referenceDays, "a whole number of days >= 0");
      check(psiBins >= 2, "psi-bins", psiBins, "a whole number >= 2");
      check(minRows >= 1, "min-rows", minRows, "a whole number >= 1");
      check(
          maxNullShare >= 0 && maxNullShare <= 1,
          "max-null-share",
          maxNullShare,
          "a share from 0 to 1");
      check(maxPsi >= 0, "max-psi", maxPsi, "a number >= 0");
      // Above max-psi a feature fails the day, so a larger retrain-psi could never trigger
      // anything.
      check(
          retrainPsi >= 0 && retrainPsi <= maxPsi,
          "retrain-psi",
          retrainPsi,
          "a number from 0 to max-psi (" + formatLimit(maxPsi) + ")");
      nullShareExempt = List.copyOf(nullShareExempt);
      driftExempt = List.copyOf(driftExempt);
    }

    public static Settings fromConfig(LakepipeConfig config) {
      return new Settings(
          config.integer(SECTION + "reference-days"),
          config.integer(SECTION + "psi-bins"),
          config.longValue(SECTION + "min-rows"),
          config.number(SECTION + "max-null-share"),
          config.number(SECTION + "max-psi"),
          config.number(SECTION + "retrain-psi"),
          config.strings(SECTION + "null-share-exempt"),
          config.strings(SECTION + "drift-exempt"));
    }

    private static void check(boolean valid, String key, Object value, String allowed) {
      if (!valid) {
        throw LakepipeErrors.configValueInvalid(SECTION + key, String.valueOf(value), allowed);
      }
    }
  }

  /** A failed check: the feature, what was measured, its value and the limit it broke. */
  public record Failure(String feature, String measure, double value, double limit) {
    @Override
    public String toString() {
      return feature + ": " + describe(measure, value, limit);
    }
  }

  /**
   * The gate's outcome for one feature; {@code reason} is null on pass. {@code retrain}: its PSI is
   * above {@code retrain-psi} and it is neither drift-exempt nor warming up.
   */
  public record Verdict(
      String feature, String gate, String reason, List<Failure> failures, boolean retrain) {
    public Verdict {
      failures = List.copyOf(failures);
    }
  }

  /** The failed checks of every feature, in feature order; empty when the gate passes. */
  public static List<Failure> failures(List<FeatureMetric> metrics, Settings settings) {
    return judge(metrics, settings).stream().flatMap(v -> v.failures().stream()).toList();
  }

  /** One verdict per metrics row, in the same order. */
  public static List<Verdict> judge(List<FeatureMetric> metrics, Settings settings) {
    return judge(metrics, settings, Map.of());
  }

  /**
   * One verdict per metrics row, in the same order; {@code warmingUp} maps the history features
   * whose window reaches before the first built day to the reason, which waives their drift and
   * null share.
   */
  public static List<Verdict> judge(
      List<FeatureMetric> metrics, Settings settings, Map<String, String> warmingUp) {
    return metrics.stream().map(m -> judge(m, settings, warmingUp.get(m.feature()))).toList();
  }

  /** The verdict on one feature. */
  public static Verdict judge(FeatureMetric metric, Settings settings) {
    return judge(metric, settings, null);
  }

  /**
   * Which history features are warming up for ds: those whose window, for the earliest reference
   * day, reaches before {@code firstHistoryDay} (the first day with daily stats), with the reason.
   */
  public static Map<String, String> warmingUp(
      Map<String, Integer> historyWindows,
      LocalDate ds,
      int referenceDays,
      LocalDate firstHistoryDay) {
    Map<String, String> warming = new java.util.LinkedHashMap<>();
    if (firstHistoryDay == null) {
      return warming;
    }
    historyWindows.forEach(
        (feature, days) -> {
          LocalDate needed = ds.minusDays((long) referenceDays + days);
          if (needed.isBefore(firstHistoryDay)) {
            warming.put(
                feature,
                "warming up: its "
                    + days
                    + "-day window reaches before the first"
                    + " day with history, "
                    + firstHistoryDay);
          }
        });
    return warming;
  }

  private static Verdict judge(FeatureMetric metric, Settings settings, String warmingUp) {
    String feature = metric.feature();
    List<Failure> failures = new ArrayList<>();
    List<String> exempt = new ArrayList<>();
    if (metric.rows() < settings.minRows()) {
      failures.add(new Failure(feature, "rows", metric.rows(), settings.minRows()));
    }
    if (metric.nullShare() != null && metric.nullShare() > settings.maxNullShare()) {
      Failure failure =
          new Failure(feature, "null share", metric.nullShare(), settings.maxNullShare());
      Optional<String> pattern = firstMatch(settings.nullShareExempt(), feature);
      if (pattern.isPresent()) {
        exempt.add(waived(failure, "null-share-exempt", pattern.get()));
      } else if (warmingUp != null) {
        exempt.add(
            describe(failure.measure(), failure.value(), failure.limit()) + ", " + warmingUp);
      } else {
        failures.add(failure);
      }
    }
    if (metric.psi() != null && metric.psi() > settings.maxPsi()) {
      Failure failure = new Failure(feature, "psi", metric.psi(), settings.maxPsi());
      Optional<String> pattern = firstMatch(settings.driftExempt(), feature);
      if (pattern.isPresent()) {
        exempt.add(waived(failure, "drift-exempt", pattern.get()));
      } else if (warmingUp != null) {
        exempt.add(
            describe(failure.measure(), failure.value(), failure.limit()) + ", " + warmingUp);
      } else {
        failures.add(failure);
      }
    }
    boolean noReference = metric.psi() == null && metric.rows() > 0;
    boolean retrain =
        metric.psi() != null
            && metric.psi() > settings.retrainPsi()
            && firstMatch(settings.driftExempt(), feature).isEmpty()
            && warmingUp == null;

    List<String> reasons = new ArrayList<>();
    failures.forEach(f -> reasons.add(describe(f.measure(), f.value(), f.limit())));
    reasons.addAll(exempt);
    if (noReference) {
      reasons.add(
          metric.referenceRows() == 0
              ? "no reference rows, drift not measured"
              : "feature absent from the reference, drift not measured");
    }
    String gate =
        !failures.isEmpty() ? FAIL : !exempt.isEmpty() ? EXEMPT : noReference ? NO_REFERENCE : PASS;
    return new Verdict(
        feature, gate, reasons.isEmpty() ? null : String.join("; ", reasons), failures, retrain);
  }

  /**
   * The features whose drift calls for a retraining, with their PSI, in feature order: empty when
   * the day needs none. {@code metrics} and {@code verdicts} are in the same order, as {@link
   * #judge(List, Settings, Map)} returns them.
   */
  public static Map<String, Double> retrainDrift(
      List<FeatureMetric> metrics, List<Verdict> verdicts) {
    Map<String, Double> drifted = new java.util.LinkedHashMap<>();
    for (int i = 0; i < metrics.size(); i++) {
      if (verdicts.get(i).retrain()) {
        drifted.put(metrics.get(i).feature(), metrics.get(i).psi());
      }
    }
    return drifted;
  }

  /** Whether a feature name matches a glob: {@code *} is any run of characters, {@code ?} one. */
  public static boolean matches(String glob, String feature) {
    StringBuilder regex = new StringBuilder();
    for (char c : glob.toCharArray()) {
      switch (c) {
        case '*' -> regex.append(".*");
        case '?' -> regex.append('.');
        default -> regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.matches(regex.toString(), feature);
  }

  private static Optional<String> firstMatch(List<String> globs, String feature) {
    return globs.stream().filter(glob -> matches(glob, feature)).findFirst();
  }

  private static String waived(Failure failure, String list, String pattern) {
    return describe(failure.measure(), failure.value(), failure.limit())
        + ", exempt by "
        + list
        + " '"
        + pattern
        + "'";
  }

  private static String describe(String measure, double value, double limit) {
    if ("rows".equals(measure)) {
      return String.format(Locale.ROOT, "rows %d below the minimum %d", (long) value, (long) limit);
    }
    return String.format(
        Locale.ROOT, "%s %.4f above the limit %s", measure, value, formatLimit(limit));
  }

  private static String formatLimit(double limit) {
    return java.math.BigDecimal.valueOf(limit).stripTrailingZeros().toPlainString();
  }
}
