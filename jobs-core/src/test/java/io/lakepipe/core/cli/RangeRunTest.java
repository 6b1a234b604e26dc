// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.tables.DeltaTable;
import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.Job;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.spark.QueryCompilation;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A range run: each day as its own audited daily run, in order, in one session. */
class RangeRunTest extends SparkTestBase {
  private static final LocalDate FIRST = LocalDate.of(2001, 1, 30);
  private static final List<LocalDate> FOUR_DAYS = FIRST.datesUntil(FIRST.plusDays(4)).toList();

  @TempDir Path home;

  @Test
  void everyDayRunsOnceInOrderWithItsOwnAuditRowAndRunIdAndNothingCachedAfterIt() {
    LakepipeConfig config = testConfig(home, Map.of());
    List<LocalDate> seen = new ArrayList<>();
    List<String> runIds = new ArrayList<>();

    JobRunner.runDays(
        new RangeRun("ranged:flights", FOUR_DAYS),
        context -> {
          seen.add(context.ds());
          runIds.add(context.runId());
          assertThat(context.option("source")).isEqualTo("flights");
          spark.range(10).cache().count();
          return JobResult.builder().rowsWritten(context.ds().getDayOfMonth()).build();
        },
        spark,
        config,
        Map.of("source", "flights"));

    assertThat(seen).containsExactlyElementsOf(FOUR_DAYS);
    assertThat(runIds).doesNotHaveDuplicates().hasSize(4);
    List<Row> audit = auditRows(config);
    assertThat(audit)
        .extracting(r -> r.<java.sql.Date>getAs("ds").toLocalDate())
        .containsExactlyElementsOf(FOUR_DAYS);
    assertThat(audit).extracting(r -> r.<String>getAs("job")).containsOnly("ranged:flights");
    assertThat(audit)
        .extracting(r -> r.<Long>getAs("rows_written"))
        .containsExactly(30L, 31L, 1L, 2L);
    assertThat(spark.sharedState().cacheManager().isEmpty()).isTrue();
  }

  @Test
  void onlyAOneDayRunOfAJobDeclaredSoStartsWithItsQueriesInterpreted() {
    LakepipeConfig config = testConfig(home, Map.of());
    List<Boolean> interpreted = new ArrayList<>();
    Job plain =
        context -> {
          interpreted.add(QueryCompilation.isInterpreted(context.spark()));
          return JobResult.builder().build();
        };
    Job interpreting = Job.startingInterpreted(plain);
    try {
      QueryCompilation.compile(spark);
      JobRunner.runDays(new RangeRun("plain", List.of(FIRST)), plain, spark, config, Map.of());
      JobRunner.runDays(
          new RangeRun("interpreting", FOUR_DAYS.subList(0, 2)),
          interpreting,
          spark,
          config,
          Map.of());
      JobRunner.runDays(
          new RangeRun("interpreting", List.of(FIRST)),
          interpreting,
          spark,
          testConfig(home, Map.of("lakepipe.spark.interpreted.max-rows", 0)),
          Map.of());
      JobRunner.runDays(
          new RangeRun("interpreting", List.of(FIRST)), interpreting, spark, config, Map.of());
    } finally {
      // The test session's own mode.
      QueryCompilation.interpret(spark);
    }

    // A daily run of another job, each day of a range, and max-rows = 0 compile; then the daily
    // run.
    assertThat(interpreted).containsExactly(false, false, false, false, true);
  }

  @Test
  void aRangeAppendsItsDaysAuditRowsTogetherAndWritesThemBeforeAJobReadsTheAuditTable() {
    LakepipeConfig config = testConfig(home, Map.of());
    String audit = config.tablePath("audit-runs");
    List<Long> rowsSeenOnTheLastDay = new ArrayList<>();

    JobRunner.runDays(
        new RangeRun("ranged", FOUR_DAYS),
        context -> {
          if (context.ds().equals(FOUR_DAYS.get(3))) {
            // As the report does: the days before are in the table once it flushed them.
            context.audit().flush();
            rowsSeenOnTheLastDay.add(spark.read().format("delta").load(audit).count());
          }
          return JobResult.builder().build();
        },
        spark,
        config,
        Map.of());

    assertThat(rowsSeenOnTheLastDay).containsExactly(3L);
    assertThat(auditRows(config)).hasSize(4);
    // Two commits for four days: the flush on the last day, and the end of the range.
    assertThat(DeltaTable.forPath(spark, audit).history().count()).isEqualTo(2);

    // A daily run still appends its row at once, one commit.
    JobRunner.runDays(
        new RangeRun("daily", List.of(FIRST)),
        context -> JobResult.builder().build(),
        spark,
        config,
        Map.of());
    assertThat(DeltaTable.forPath(spark, audit).history().count()).isEqualTo(3);
  }

  @Test
  void aFailedDayStopsTheRangeAndSaysWhereToResume() {
    LakepipeConfig config = testConfig(home, Map.of());
    List<LocalDate> seen = new ArrayList<>();
    RangeRun range = new RangeRun("ranged", FOUR_DAYS);

    assertThatThrownBy(
            () ->
                JobRunner.runDays(
                    range,
                    context -> {
                      seen.add(context.ds());
                      if (context.ds().equals(FIRST.plusDays(2))) {
                        throw new IllegalStateException("gate failed");
                      }
                      return JobResult.builder().build();
                    },
                    spark,
                    config,
                    Map.of()))
        .hasMessage("gate failed");

    assertThat(seen).containsExactlyElementsOf(FOUR_DAYS.subList(0, 3));
    assertThat(auditRows(config))
        .extracting(r -> r.<String>getAs("status"))
        .containsExactly("SUCCEEDED", "SUCCEEDED", "FAILED");
    assertThat(range.failedAt())
        .isEqualTo(
            " on 2001-02-01, day 3 of 4 of the range 2001-01-30..2001-02-02 (the 2 days before it"
                + " are written; resume with --ds 2001-02-01 --until 2001-02-02)");
  }

  @Test
  void aDailyRunAddsNothingToItsErrorLine() {
    RangeRun daily = new RangeRun("daily", List.of(FIRST));
    daily.starting(FIRST);
    assertThat(daily.failedAt()).isEmpty();
    RangeRun firstDayFailed = new RangeRun("ranged", FOUR_DAYS);
    assertThat(firstDayFailed.failedAt()).as("before its first day").isEmpty();
    firstDayFailed.starting(FIRST);
    assertThat(firstDayFailed.failedAt())
        .contains("(no day of it is written; resume with --ds 2001-01-30 --until 2001-02-02)");
  }

  private List<Row> auditRows(LakepipeConfig config) {
    return spark
        .read()
        .format("delta")
        .load(config.tablePath("audit-runs"))
        .orderBy("started_at")
        .collectAsList();
  }
}
