// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.split;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimeSplitTest {
  private static final LocalDate DS = LocalDate.of(2001, 1, 15);

  private static DayRange days(String from, String to) {
    return new DayRange(LocalDate.parse(from), LocalDate.parse(to));
  }

  @Test
  void testDaysEndAtDsAndValidationComesRightBeforeThem() {
    TimeSplit split = TimeSplit.ending(DS, 7, 1, 2);

    assertThat(split.train()).isEqualTo(days("2001-01-09", "2001-01-12"));
    assertThat(split.validation()).isEqualTo(days("2001-01-13", "2001-01-13"));
    assertThat(split.test()).isEqualTo(days("2001-01-14", "2001-01-15"));
    assertThat(split.fit()).isEqualTo(days("2001-01-09", "2001-01-13"));
    assertThat(split.window().days()).isEqualTo(7);
  }

  @Test
  void holdoutFitsOnTrainingDaysAndScoresValidationDays() {
    TimeSplit split = TimeSplit.ending(DS, 3, 1, 1);

    assertThat(split.holdout())
        .containsExactly(
            new Fold(1, days("2001-01-13", "2001-01-13"), days("2001-01-14", "2001-01-14")));
  }

  @Test
  void forwardChainingNeverScoresDaysBeforeThoseItFitOn() {
    TimeSplit split = TimeSplit.ending(DS, 10, 2, 1);

    List<Fold> folds = split.forwardChaining(3);

    // Training and validation days 2001-01-06..14 (9 days) in 4 blocks of 2, 2, 2 and 3 days.
    assertThat(folds)
        .containsExactly(
            new Fold(1, days("2001-01-06", "2001-01-07"), days("2001-01-08", "2001-01-09")),
            new Fold(2, days("2001-01-06", "2001-01-09"), days("2001-01-10", "2001-01-11")),
            new Fold(3, days("2001-01-06", "2001-01-11"), days("2001-01-12", "2001-01-14")));
    assertThat(folds)
        .allSatisfy(
            f -> {
              assertThat(f.validation().from()).isEqualTo(f.train().to().plusDays(1));
              assertThat(f.validation().to()).isBefore(split.test().from());
            });
  }

  @Test
  void aWindowTooShortForItsPartsIsRefusedWithTheFix() {
    assertThatThrownBy(() -> TimeSplit.ending(DS, 2, 1, 1))
        .hasMessageContaining("set lakepipe.train.window-days above validation-days + test-days");
    assertThatThrownBy(() -> TimeSplit.ending(DS, 4, 1, 1).forwardChaining(3))
        .hasMessageContaining(
            "3 folds need at least 4 training and validation days, the window has 3");
  }
}
