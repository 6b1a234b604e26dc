// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.audit.AuditLog;
import io.lakepipe.core.audit.AuditRecord;
import io.lakepipe.core.cli.JobRunner;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.table.DeltaTables;
import io.lakepipe.core.tracking.LoggedRun;
import io.lakepipe.core.tracking.MlflowTracking;
import io.lakepipe.monitoring.PredictionMonitoring;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report job on real Delta tables in a temporary lakehouse and the real MLflow tracking server:
 * the page on disk, the same page as the artifact of a run tagged with ds, the audit row, a rerun,
 * and a lakehouse with no tables and no training at all.
 */
class DailyReportIT extends ReportFixtures {
  private static final String MLFLOW =
      System.getProperty("mlflow.tracking.uri", "http://127.0.0.1:5000");

  @TempDir Path home;

  private LakepipeConfig config(String trainingExperiment, String reportExperiment) {
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("lakepipe.mlflow.tracking-uri", MLFLOW);
    overrides.put("lakepipe.mlflow.experiment", trainingExperiment);
    overrides.put("lakepipe.report.experiment", reportExperiment);
    overrides.put("lakepipe.report.window-days", 3);
    return testConfig(home, overrides);
  }

  private static LakepipeConfig withTrackingUri(Path home, String uri, String reports) {
    return testConfig(
        home, Map.of("lakepipe.mlflow.tracking-uri", uri, "lakepipe.report.experiment", reports));
  }

  private static void audit(
      AuditLog log,
      String job,
      String ds,
      String status,
      long read,
      long quarantined,
      String startedAt,
      long millis,
      String message) {
    log.record(
        new AuditRecord(
            UUID.randomUUID().toString(),
            job,
            null,
            LocalDate.parse(ds),
            status,
            read,
            read - quarantined,
            quarantined,
            Map.of(),
            Map.of(),
            Instant.parse(startedAt),
            millis,
            message));
  }

  private void writeInputs(LakepipeConfig config, String trainingExperiment) {
    AuditLog log = new AuditLog(spark, config.tablePath("audit-runs"));
    audit(
        log,
        "ingest-files",
        "2001-01-13",
        "SUCCEEDED",
        14_961,
        0,
        "2001-01-14T01:00:00Z",
        21_425,
        "bronze v0");
    audit(
        log,
        "ingest-files",
        "2001-01-14",
        "SUCCEEDED",
        16_267,
        0,
        "2001-01-15T01:00:00Z",
        33_146,
        "bronze v1");
    audit(
        log,
        "ingest-files",
        "2001-01-15",
        "SUCCEEDED",
        16_784,
        3,
        "2001-01-16T01:00:00Z",
        41_311,
        "bronze v2");
    audit(
        log,
        "build-features",
        "2001-01-15",
        "FAILED",
        0,
        0,
        "2001-01-16T01:10:00Z",
        9_500,
        "Table <bronze-flights> has no rows for ds=2001-01-15");
    DeltaTables tables = new DeltaTables(spark);
    tables.replaceDs(
        rows(
            BRONZE_QUALITY,
            constraint("CompletenessConstraint(Completeness(delay,None))", "Success", "2001-01-15"),
            constraint(
                "ComplianceConstraint(delay between -180 and 1800)", "Failure", "2001-01-15")),
        config.tablePath("quality-bronze-flights"),
        DS);
    tables.replaceDs(
        rows(
            FEATURE_QUALITY,
            feature("distance", 0.02, "pass", null, "2001-01-15"),
            feature("route_flights_7d", 4.896, "exempt", "drift exempt", "2001-01-15")),
        config.tablePath("quality-features-flights"),
        DS);
    // The realised quality of the predictions of the 14th, as monitor-predictions writes it.
    tables.replaceDs(
        rows(
            PredictionMonitoring.SCHEMA,
            new Object[] {
              "batch",
              "lakepipe_flights_delay",
              "2",
              16_267L,
              16_260L,
              0.6012,
              0.49,
              0.018,
              0.21,
              0.2,
              java.sql.Timestamp.from(Instant.parse("2001-01-15T03:00:00Z"))
            }),
        config.tablePath("prediction-quality-flights"),
        LocalDate.parse("2001-01-14"));
    try (MlflowTracking tracking = MlflowTracking.connect(config)) {
      String id = tracking.experimentId(trainingExperiment);
      for (String ds : List.of("2001-01-14", "2001-01-15")) {
        double roc = ds.endsWith("15") ? 0.6249 : 0.6101;
        tracking.withRun(
            id,
            "train-" + ds,
            Map.of("lakepipe.ds", ds),
            run -> {
              run.log(
                  Map.of(),
                  Map.of(
                      "test_roc_auc",
                      roc,
                      "test_pr_auc",
                      0.3109,
                      "test_log_loss",
                      0.5244,
                      "baseline_test_roc_auc",
                      0.5892,
                      "baseline_test_pr_auc",
                      0.2809,
                      "baseline_test_log_loss",
                      1.8975),
                  Map.of("lakepipe.chosen_candidate", "gradient_boosted_trees-1"));
              return null;
            });
      }
    }
  }

  private static void runReport(LakepipeConfig config) {
    JobRunner.runAudited(
        DailyReportJob.NAME,
        DailyReport::run,
        JobContext.of(spark, config, DS, UUID.randomUUID().toString()));
  }

  private static String artifact(LoggedRun run) throws Exception {
    String relative = run.artifactUri().replaceFirst("^mlflow-artifacts:/+", "");
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            MLFLOW
                                + "/api/2.0/mlflow-artifacts/artifacts/"
                                + relative
                                + "/report/index.html"))
                    .timeout(Duration.ofSeconds(30))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(response.statusCode()).as("artifact download").isEqualTo(200);
    return response.body();
  }

  private static List<LoggedRun> reportRuns(LakepipeConfig config, String reportExperiment) {
    try (MlflowTracking tracking = MlflowTracking.connect(config)) {
      String id = tracking.findExperimentId(reportExperiment).orElseThrow();
      return tracking.searchRuns(id, "tags.`lakepipe.ds` = '2001-01-15'", 10);
    }
  }

  private Path folder() {
    return home.resolve("lakehouse/reports/daily/ds=2001-01-15");
  }

  private List<String> filesOf(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void writesThePageAndLogsTheSamePageToMlflowThenRewritesItOnARerun() throws Exception {
    String suffix = UUID.randomUUID().toString();
    String training = "lakepipe-report-it-train-" + suffix;
    String reports = "lakepipe-report-it-" + suffix;
    LakepipeConfig config = config(training, reports);
    writeInputs(config, training);

    runReport(config);

    Path page = folder().resolve("index.html");
    String html = Files.readString(page);
    assertThat(filesOf(folder())).containsExactly("index.html");
    assertThat(html)
        .contains(
            "<td>ingest-files</td><td>SUCCEEDED</td><td class=\"n\">16,784</td>"
                + "<td class=\"n\">16,781</td><td class=\"n\">3</td>")
        .contains("<tr class=\"failed\"><td>build-features</td><td>FAILED</td>")
        .contains("Table &lt;bronze-flights&gt; has no rows")
        .contains("1 of 2 jobs failed in their last run for 2001-01-15: build-features.")
        .contains(
            "<td>quality-bronze-flights</td><td class=\"n\">2</td><td class=\"n\">1</td>"
                + "<td>ComplianceConstraint(delay between -180 and 1800)</td>")
        .contains("largest PSI 4.896 (route_flights_7d)")
        .contains("<td>ROC AUC</td><td class=\"n\">0.6249</td><td class=\"n\">0.5892</td>")
        .contains("Window 2001-01-13 to 2001-01-15")
        .contains("id=\"plot-rows\"")
        .contains("id=\"plot-quarantine\"")
        .contains("id=\"plot-durations\"")
        .contains("id=\"plot-roc-auc\"")
        // The realised ROC AUC of the 14th beside the test ROC AUC of that day's training.
        .contains(
            "<tr><td>2001-01-14</td><td>lakepipe_flights_delay v2</td><td class=\"n\">16,267</td>"
                + "<td class=\"n\">16,260</td><td class=\"n\">0.6012</td>"
                + "<td class=\"n\">0.6101</td>")
        .contains("id=\"plot-realised-roc-auc\"");

    List<LoggedRun> runs = reportRuns(config, reports);
    assertThat(runs).hasSize(1);
    assertThat(runs.get(0).tags())
        .containsEntry("lakepipe.ds", "2001-01-15")
        .containsEntry("lakepipe.report.page", "file:" + page.toAbsolutePath());
    assertThat(runs.get(0).metrics())
        .containsEntry("jobs_failed", 1.0)
        .containsEntry("failed_runs_in_window", 1.0);
    assertThat(artifact(runs.get(0))).isEqualTo(html);

    List<Row> audited =
        spark
            .read()
            .format("delta")
            .load(config.tablePath("audit-runs"))
            .where("job = 'report'")
            .collectAsList();
    assertThat(audited).hasSize(1);
    assertThat(audited.get(0).<String>getAs("status")).isEqualTo("SUCCEEDED");
    assertThat(audited.get(0).<Long>getAs("rows_read")).isEqualTo(1L);

    runReport(config);

    String rerun = Files.readString(page);
    assertThat(filesOf(folder())).containsExactly("index.html");
    // The first report's own audit row is on the second page.
    assertThat(rerun).contains("<td>report</td><td>SUCCEEDED</td>").isNotEqualTo(html);
    List<LoggedRun> after = reportRuns(config, reports);
    assertThat(after).hasSize(2);
    assertThat(artifact(after.get(0))).isEqualTo(rerun);
  }

  @Test
  void aLakehouseWithoutTablesOrTrainingGivesAPageThatSaysSo() throws Exception {
    String suffix = UUID.randomUUID().toString();
    String reports = "lakepipe-report-it-empty-" + suffix;
    LakepipeConfig config = config("lakepipe-report-it-never-trained-" + suffix, reports);

    runReport(config);

    String html = Files.readString(folder().resolve("index.html"));
    assertThat(html)
        .contains("No audit rows for 2001-01-15: no job has run for this date yet.")
        .contains("No quality results for 2001-01-15.")
        .contains("No training run from 2001-01-13 to 2001-01-15.")
        .contains("No monitored predictions from 2001-01-13 to 2001-01-15")
        .doesNotContain("<img");
    List<LoggedRun> runs = reportRuns(config, reports);
    assertThat(runs).hasSize(1);
    assertThat(artifact(runs.get(0))).isEqualTo(html);
  }

  @Test
  void anUnreachableTrackingServerFailsWithOneClearLineAndAFailedAuditRow() {
    LakepipeConfig config = withTrackingUri(home, "http://127.0.0.1:9", "unused");

    assertThatThrownBy(() -> runReport(config))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("MLflow tracking server http://127.0.0.1:9 is unreachable");
    List<Row> audited =
        spark.read().format("delta").load(config.tablePath("audit-runs")).collectAsList();
    assertThat(audited)
        .extracting(r -> r.<String>getAs("job") + " " + r.<String>getAs("status"))
        .containsExactly("report FAILED");
  }
}
