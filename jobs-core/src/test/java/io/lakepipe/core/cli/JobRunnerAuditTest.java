// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.audit.AuditLog;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobRunnerAuditTest extends SparkTestBase {
  @TempDir Path home;

  @Test
  void everyRunAppendsOneAuditRowSuccessOrFailure() {
    LakepipeConfig config = testConfig(home, Map.of());
    JobContext context = JobContext.of(spark, config, LocalDate.of(2001, 1, 5), "run-1");

    JobRunner.runAudited(
        "demo",
        c ->
            JobResult.builder()
                .rowsRead(10)
                .rowsWritten(8)
                .rowsQuarantined(2)
                .wrote("/t", 3L)
                .build(),
        context);
    assertThatThrownBy(
            () ->
                JobRunner.runAudited(
                    "demo",
                    c -> {
                      throw new IllegalStateException("boom");
                    },
                    context))
        .hasMessage("boom");

    List<Row> audit =
        spark
            .read()
            .format("delta")
            .load(config.tablePath("audit-runs"))
            .orderBy("started_at")
            .collectAsList();
    assertThat(audit).hasSize(2);
    Row ok = audit.get(0);
    assertThat(ok.<String>getAs("status")).isEqualTo("SUCCEEDED");
    assertThat(ok.<Long>getAs("rows_read"))
        .isEqualTo(ok.<Long>getAs("rows_written") + ok.<Long>getAs("rows_quarantined"));
    assertThat(ok.getJavaMap(ok.fieldIndex("versions_written"))).containsEntry("/t", 3L);
    Row failed = audit.get(1);
    assertThat(failed.<String>getAs("status")).isEqualTo("FAILED");
    assertThat(failed.<String>getAs("message")).isEqualTo("boom");
    assertThat(failed.<java.sql.Date>getAs("ds").toString()).isEqualTo("2001-01-05");
  }

  @Test
  void aFailedRunsAuditRowHoldsWhatItWroteAndCountsUntilTheNextSuccess() {
    LakepipeConfig config = testConfig(home, Map.of());
    LocalDate ds = LocalDate.of(2001, 1, 6);
    JobContext context = JobContext.of(spark, config, ds, "run-3");
    AuditLog audit = new AuditLog(spark, config.tablePath("audit-runs"));

    // A gate that fails after the job wrote its quarantine rows, twice.
    for (int attempt = 0; attempt < 2; attempt++) {
      assertThatThrownBy(
              () ->
                  JobRunner.runAudited(
                      "gated",
                      c -> {
                        assertThat(c.job()).isEqualTo("gated");
                        c.progress()
                            .source("kafka://b/t")
                            .rows(40, 30, 10)
                            .wrote("/quarantine", 7L);
                        throw new IllegalStateException("gate failed");
                      },
                      context))
          .hasMessage("gate failed");
    }
    assertThat(audit.failedSinceLastSuccess("gated", ds))
        .isEqualTo(new AuditLog.FailedRuns(2, 80, 20));
    assertThat(audit.failedSinceLastSuccess("gated", ds.plusDays(1)))
        .isEqualTo(AuditLog.FailedRuns.NONE);
    assertThat(audit.failedSinceLastSuccess("other", ds)).isEqualTo(AuditLog.FailedRuns.NONE);

    Row failed =
        spark
            .read()
            .format("delta")
            .load(config.tablePath("audit-runs"))
            .orderBy("started_at")
            .head();
    assertThat(failed.<String>getAs("status")).isEqualTo("FAILED");
    assertThat(failed.<String>getAs("source")).isEqualTo("kafka://b/t");
    assertThat(
            List.of(
                failed.<Long>getAs("rows_read"),
                failed.<Long>getAs("rows_written"),
                failed.<Long>getAs("rows_quarantined")))
        .containsExactly(40L, 30L, 10L);
    assertThat(failed.getJavaMap(failed.fieldIndex("versions_written")))
        .containsEntry("/quarantine", 7L);

    JobRunner.runAudited("gated", c -> JobResult.builder().build(), context);
    assertThat(audit.failedSinceLastSuccess("gated", ds)).isEqualTo(AuditLog.FailedRuns.NONE);
  }

  @Test
  void aBatchedLogWritesTheRowsKeptForAJobAndDateBeforeItCountsThatDatesFailedRuns() {
    LakepipeConfig config = testConfig(home, Map.of());
    String path = config.tablePath("audit-runs");
    LocalDate ds = LocalDate.of(2001, 1, 7);
    AuditLog audit = AuditLog.batched(spark, path, java.time.Duration.ofHours(1));
    JobContext context = JobContext.of(spark, config, ds, "run-4").auditedIn(audit);

    // A failed run is written at once; the success after it is kept.
    assertThatThrownBy(
            () ->
                JobRunner.runAudited(
                    "gated",
                    c -> {
                      c.progress().rows(5, 0, 5);
                      throw new IllegalStateException("gate failed");
                    },
                    context))
        .hasMessage("gate failed");
    JobRunner.runAudited("gated", c -> JobResult.builder().build(), context);
    assertThat(spark.read().format("delta").load(path).count()).isEqualTo(1);

    // Another date's count leaves the kept row kept; this date's writes it first, so the
    // failure before the success no longer counts.
    assertThat(audit.failedSinceLastSuccess("gated", ds.plusDays(1)))
        .isEqualTo(AuditLog.FailedRuns.NONE);
    assertThat(spark.read().format("delta").load(path).count()).isEqualTo(1);
    assertThat(audit.failedSinceLastSuccess("gated", ds)).isEqualTo(AuditLog.FailedRuns.NONE);
    assertThat(spark.read().format("delta").load(path).count()).isEqualTo(2);
  }

  @Test
  void twoJobsFinishingAtOnceInALakehouseWithoutTheAuditTableBothWriteTheirRow() throws Exception {
    // Three fresh lakehouses: each time both first appends race to create the table.
    for (int attempt = 1; attempt <= 3; attempt++) {
      LakepipeConfig config = testConfig(home.resolve("lakehouse-" + attempt), Map.of());
      CyclicBarrier bothDone = new CyclicBarrier(2);
      ExecutorService jobs = Executors.newFixedThreadPool(2);
      try {
        List<Future<JobResult>> runs =
            jobs.invokeAll(
                List.of(
                    () -> runWhenBothAreDone("ingest-files", config, bothDone),
                    () -> runWhenBothAreDone("ingest-jdbc", config, bothDone)));
        for (Future<JobResult> run : runs) {
          run.get();
        }
      } finally {
        jobs.shutdownNow();
      }
      assertThat(
              spark
                  .read()
                  .format("delta")
                  .load(config.tablePath("audit-runs"))
                  .select("job")
                  .as(Encoders.STRING())
                  .collectAsList())
          .as("attempt %d", attempt)
          .containsExactlyInAnyOrder("ingest-files", "ingest-jdbc");
    }
  }

  private JobResult runWhenBothAreDone(String job, LakepipeConfig config, CyclicBarrier bothDone) {
    return JobRunner.runAudited(
        job,
        c -> {
          try {
            bothDone.await(1, TimeUnit.MINUTES);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          return JobResult.builder().build();
        },
        JobContext.of(spark, config, LocalDate.of(2001, 1, 8), "run-" + job));
  }

  @Test
  void aPushgatewayThatDoesNotAnswerNeverFailsTheRun() throws Exception {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    LakepipeConfig config =
        testConfig(
            home,
            Map.of(
                "lakepipe.monitoring.pushgateway-url",
                "http://127.0.0.1:" + closedPort,
                "lakepipe.monitoring.push-timeout-seconds",
                2));
    JobContext context = JobContext.of(spark, config, LocalDate.of(2001, 1, 5), "run-2");

    JobResult result =
        JobRunner.runAudited(
            "demo", c -> JobResult.builder().rowsRead(3).rowsWritten(3).build(), context);

    assertThat(result.rowsWritten()).isEqualTo(3);
    assertThat(spark.read().format("delta").load(config.tablePath("audit-runs")).count())
        .isEqualTo(1);
  }
}
