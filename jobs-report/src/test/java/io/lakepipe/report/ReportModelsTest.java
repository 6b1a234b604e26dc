// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.lakepipe.core.tracking.LoggedRun;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReportModelsTest extends ReportFixtures {

  @Test
  void keepsTheLastRunOfEachJobAndDayAndEveryFailedRunOfTheWindow() {
    var auditRows =
        rows(
            AUDIT,
            audit(
                "r1",
                "ingest-files",
                "2001-01-15",
                "FAILED",
                0,
                0,
                0,
                "2001-01-16T01:00:00Z",
                5_000,
                "Cannot read landing"),
            audit(
                "r2",
                "ingest-files",
                "2001-01-15",
                "SUCCEEDED",
                16_784,
                16_781,
                3,
                "2001-01-16T01:10:00Z",
                41_311,
                ""),
            audit(
                "r3",
                "build-features",
                "2001-01-15",
                "FAILED",
                0,
                0,
                0,
                "2001-01-16T01:20:00Z",
                9_000,
                "Table bronze-flights has no rows"),
            audit(
                "r4",
                "ingest-files",
                "2001-01-14",
                "SUCCEEDED",
                100,
                90,
                10,
                "2001-01-15T01:00:00Z",
                1_000,
                ""),
            // Outside a 2-day window ending on ds, and after ds: left out.
            audit(
                "r5",
                "ingest-files",
                "2001-01-13",
                "FAILED",
                1,
                1,
                0,
                "2001-01-14T01:00:00Z",
                1,
                ""),
            audit(
                "r6",
                "ingest-files",
                "2001-01-16",
                "SUCCEEDED",
                1,
                1,
                0,
                "2001-01-17T01:00:00Z",
                1,
                ""));

    ReportModel model =
        ReportModels.build(
            DS, 2, 0.05, Optional.of(auditRows), Optional.empty(), Optional.empty(), List.of());

    assertThat(model.from()).isEqualTo(LocalDate.parse("2001-01-14"));
    assertThat(model.latestRuns())
        .extracting(
            JobDay::ds,
            JobDay::job,
            JobDay::status,
            JobDay::rowsRead,
            JobDay::rowsQuarantined,
            JobDay::durationMs)
        .containsExactly(
            tuple(LocalDate.parse("2001-01-14"), "ingest-files", "SUCCEEDED", 100L, 10L, 1_000L),
            tuple(DS, "build-features", "FAILED", 0L, 0L, 9_000L),
            tuple(DS, "ingest-files", "SUCCEEDED", 16_784L, 3L, 41_311L));
    assertThat(model.summary())
        .extracting(JobDay::job)
        .containsExactly("build-features", "ingest-files");
    assertThat(model.failedRuns())
        .extracting(JobDay::job, JobDay::message)
        .containsExactly(
            tuple("ingest-files", "Cannot read landing"),
            tuple("build-features", "Table bronze-flights has no rows"));
    assertThat(model.summary().get(1).badShare()).isEqualTo(3.0 / 16_784);
  }

  @Test
  void countsTheQualityVerdictsOfEachDay() {
    var bronze =
        rows(
            BRONZE_QUALITY,
            constraint("CompletenessConstraint(delay)", "Success", "2001-01-15"),
            constraint("ComplianceConstraint(delay range)", "Failure", "2001-01-15"),
            metric("Completeness", 1.0, "2001-01-15"),
            constraint("CompletenessConstraint(delay)", "Success", "2001-01-14"));
    var features =
        rows(
            FEATURE_QUALITY,
            feature("distance", 0.01, "pass", null, "2001-01-15"),
            feature("origin", 0.40, "fail", "psi 0.400 > 0.25", "2001-01-15"),
            feature("hour", 0.02, "pass", null, "2001-01-14"),
            feature("month", 7.5, "exempt", "drift exempt", "2001-01-14"),
            feature("distance", null, "no-reference", null, "2001-01-14"));

    ReportModel model =
        ReportModels.build(
            DS, 14, 0.05, Optional.empty(), Optional.of(bronze), Optional.of(features), List.of());

    assertThat(model.quality())
        .extracting(
            QualityDay::ds,
            QualityDay::table,
            QualityDay::checks,
            QualityDay::failed,
            QualityDay::detail)
        .containsExactly(
            tuple(LocalDate.parse("2001-01-14"), ReportModels.BRONZE, 1L, 0L, ""),
            tuple(
                LocalDate.parse("2001-01-14"),
                ReportModels.FEATURES,
                3L,
                0L,
                "largest PSI 7.500 (month)"),
            tuple(DS, ReportModels.BRONZE, 2L, 1L, "ComplianceConstraint(delay range)"),
            tuple(DS, ReportModels.FEATURES, 2L, 1L, "origin (psi 0.400 > 0.25)"));
  }

  @Test
  void takesTheNewestTrainingRunOfEachDayInTheWindow() {
    List<LoggedRun> newestFirst =
        List.of(
            checked(run("new", "2001-01-15", 0.62, 0.59), "passed: 2000 rows replayed"),
            run("old", "2001-01-15", 0.50, 0.59),
            run("before", "2001-01-14", 0.61, 0.58),
            run("untagged", "", 0.9, 0.9),
            run("long-ago", "2000-12-01", 0.7, 0.6));

    List<TrainingScore> scores = ReportModels.trainingScores(newestFirst, id -> "http://m/" + id);
    ReportModel model =
        ReportModels.build(
            DS, 14, 0.05, Optional.empty(), Optional.empty(), Optional.empty(), scores);

    assertThat(scores)
        .extracting(TrainingScore::runId)
        .containsExactly("long-ago", "before", "new");
    assertThat(model.trainings()).extracting(TrainingScore::runId).containsExactly("before", "new");
    TrainingScore latest = model.latestTraining();
    assertThat(latest.rocAuc()).isEqualTo(0.62);
    assertThat(latest.baselineRocAuc()).isEqualTo(0.59);
    assertThat(latest.model()).isEqualTo("logistic_regression-1");
    assertThat(latest.url()).isEqualTo("http://m/new");
    assertThat(latest.prAuc()).isNaN();
    assertThat(latest.servingCheck()).isEqualTo("passed: 2000 rows replayed");
    assertThat(scores.get(1).servingCheck()).isEmpty();
  }

  @Test
  void readsEachTestDayOfTheGateFromItsTag() {
    assertThat(TrainingScore.GateDay.parse("2001-01-14 0.71234/0.70100; 2001-01-15 NaN/0.69000"))
        .containsExactly(
            new TrainingScore.GateDay(LocalDate.of(2001, 1, 14), 0.71234, 0.70100),
            new TrainingScore.GateDay(LocalDate.of(2001, 1, 15), Double.NaN, 0.69000));
    assertThat(TrainingScore.GateDay.parse("")).isEmpty();
  }

  @Test
  void missingInputsGiveAnEmptyModel() {
    ReportModel model =
        ReportModels.build(
            DS, 14, 0.05, Optional.empty(), Optional.empty(), Optional.empty(), List.of());

    assertThat(model.latestRuns()).isEmpty();
    assertThat(model.failedRuns()).isEmpty();
    assertThat(model.quality()).isEmpty();
    assertThat(model.latestTraining()).isNull();
  }

  private static LoggedRun checked(LoggedRun run, String servingCheck) {
    Map<String, String> tags = new HashMap<>(run.tags());
    tags.put("lakepipe.serving_check", servingCheck);
    return new LoggedRun(run.runId(), run.artifactUri(), run.metrics(), run.params(), tags);
  }

  private static LoggedRun run(String id, String ds, double roc, double baseline) {
    return new LoggedRun(
        id,
        "mlflow-artifacts:/1/" + id,
        Map.of("test_roc_auc", roc, "baseline_test_roc_auc", baseline),
        Map.of(),
        ds.isEmpty()
            ? Map.of()
            : Map.of("lakepipe.ds", ds, "lakepipe.chosen_candidate", "logistic_regression-1"));
  }
}
