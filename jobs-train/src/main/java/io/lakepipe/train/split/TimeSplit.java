// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.split;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a training window by time, as production sees it: the model is fit on the earliest days,
 * candidates are compared on the validation days after them, and the final model is scored on the
 * last (test) days, which no fit or choice has seen.
 */
public record TimeSplit(DayRange train, DayRange validation, DayRange test) {

  /**
   * The window of {@code windowDays} ending at {@code ds}: the last {@code testDays} are the test,
   * the {@code validationDays} before them the validation, the rest the training days.
   */
  public static TimeSplit ending(LocalDate ds, int windowDays, int validationDays, int testDays) {
    if (validationDays < 1 || testDays < 1 || windowDays < validationDays + testDays + 1) {
      throw new IllegalArgumentException(
          "A window of "
              + windowDays
              + " days cannot hold "
              + validationDays
              + " validation and "
              + testDays
              + " test days and at least one training"
              + " day: set lakepipe.train.window-days above validation-days + test-days");
    }
    LocalDate testFrom = ds.minusDays(testDays - 1L);
    LocalDate validationFrom = testFrom.minusDays(validationDays);
    return new TimeSplit(
        new DayRange(ds.minusDays(windowDays - 1L), validationFrom.minusDays(1)),
        new DayRange(validationFrom, testFrom.minusDays(1)),
        new DayRange(testFrom, ds));
  }

  /** The whole window. */
  public DayRange window() {
    return new DayRange(train.from(), test.to());
  }

  /** Training and validation days together: what the chosen model is refit on before its test. */
  public DayRange fit() {
    return new DayRange(train.from(), validation.to());
  }

  /** The holdout search: one fold, fit on the training days and scored on the validation days. */
  public List<Fold> holdout() {
    return List.of(new Fold(1, train, validation));
  }

  /**
   * Forward-chaining cross-validation over the training and validation days: they are cut into
   * {@code folds + 1} consecutive blocks, and fold i fits on blocks 1..i and scores block i+1, so
   * that no fold scores days before the ones it was fit on.
   */
  public List<Fold> forwardChaining(int folds) {
    long days = fit().days();
    if (folds < 1 || days < folds + 1) {
      throw new IllegalArgumentException(
          folds
              + " folds need at least "
              + (folds + 1)
              + " training and validation days, the window has "
              + days
              + ": lower lakepipe.train.search.folds or widen lakepipe.train.window-days");
    }
    List<LocalDate> blockStarts = new ArrayList<>();
    for (int block = 0; block <= folds; block++) {
      blockStarts.add(train.from().plusDays(block * days / (folds + 1)));
    }
    List<Fold> result = new ArrayList<>();
    for (int fold = 1; fold <= folds; fold++) {
      LocalDate validationFrom = blockStarts.get(fold);
      LocalDate validationTo =
          fold == folds ? validation.to() : blockStarts.get(fold + 1).minusDays(1);
      result.add(
          new Fold(
              fold,
              new DayRange(train.from(), validationFrom.minusDays(1)),
              new DayRange(validationFrom, validationTo)));
    }
    return result;
  }
}
