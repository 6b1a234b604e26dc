// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.report;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

import io.lakepipe.core.spark.DriverThreads;
import io.lakepipe.core.tracking.LoggedRun;
import io.lakepipe.core.tracking.Promotion;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Turns the window's rows of the audit and quality tables, and the training runs, into a {@link
 * ReportModel}. No I/O: an input that does not exist is passed as an empty Optional, and the page
 * then says so.
 */
public final class ReportModels {
  static final String BRONZE = "quality-bronze-flights";
  static final String FEATURES = "quality-features-flights";
  static final String PREDICTIONS = "prediction-quality-flights";

  private ReportModels() {}

  /**
   * Builds the model for {@code ds} and the {@code windowDays - 1} days before it; rows outside the
   * window are ignored.
   */
  public static ReportModel build(
      LocalDate ds,
      int windowDays,
      double maxBadShare,
      Optional<Dataset<Row>> audit,
      Optional<Dataset<Row>> bronzeQuality,
      Optional<Dataset<Row>> featureQuality,
      List<TrainingScore> trainings) {
    LocalDate from = ds.minusDays(windowDays - 1L);
    List<JobDay> latest;
    List<JobDay> failed;
    List<QualityDay> quality;
    Optional<Dataset<Row>> auditWindow = audit.map(rows -> window(rows, from, ds));
    // Each list is a small query whose time is the driver's (Delta's file listing, planning, code
    // generation): run at once, they share the driver's cores.
    try (DriverThreads threads = DriverThreads.of("lakepipe-report-query", 2)) {
      Future<List<JobDay>> latestRuns =
          threads.submit(
              () ->
                  auditWindow
                      .map(
                          rows ->
                              jobDays(
                                  rows.withColumn(
                                          "_n",
                                          row_number()
                                              .over(
                                                  Window.partitionBy("job", "ds")
                                                      .orderBy(desc("started_at"), desc("run_id"))))
                                      .where(col("_n").equalTo(1))))
                      .orElse(List.of()));
      Future<List<JobDay>> failedRuns =
          threads.submit(
              () ->
                  auditWindow
                      .map(rows -> jobDays(rows.where(col("status").equalTo(JobDay.FAILED))))
                      .orElse(List.of()));
      Future<List<QualityDay>> bronzeDays =
          threads.submit(
              () ->
                  bronzeQuality
                      .map(rows -> bronzeVerdicts(window(rows, from, ds)))
                      .orElse(List.of()));
      Future<List<QualityDay>> featureDays =
          threads.submit(
              () ->
                  featureQuality
                      .map(rows -> featureVerdicts(window(rows, from, ds)))
                      .orElse(List.of()));
      latest = new ArrayList<>(DriverThreads.get(latestRuns));
      failed = new ArrayList<>(DriverThreads.get(failedRuns));
      quality = new ArrayList<>(DriverThreads.get(bronzeDays));
      quality.addAll(DriverThreads.get(featureDays));
    }
    latest.sort(Comparator.comparing(JobDay::ds).thenComparing(JobDay::job));
    failed.sort(
        Comparator.comparing(JobDay::ds)
            .thenComparing(JobDay::startedAt, Comparator.nullsFirst(Comparator.naturalOrder())));
    quality.sort(Comparator.comparing(QualityDay::ds).thenComparing(QualityDay::table));
    List<TrainingScore> scores =
        trainings.stream()
            .filter(t -> !t.ds().isBefore(from) && !t.ds().isAfter(ds))
            .sorted(Comparator.comparing(TrainingScore::ds))
            .toList();
    return new ReportModel(
        ds, from, maxBadShare, latest, failed, quality, scores, List.of(), List.of());
  }

  /**
   * The latest training run of each ds of the runs given (newest first, as MLflow's search returns
   * them), with its test metrics and the baseline's.
   */
  public static List<TrainingScore> trainingScores(
      List<LoggedRun> runsNewestFirst, Function<String, String> runUrl) {
    Map<LocalDate, TrainingScore> byDay = new TreeMap<>();
    for (LoggedRun run : runsNewestFirst) {
      LocalDate day;
      try {
        day = LocalDate.parse(run.tags().getOrDefault("lakepipe.ds", ""));
      } catch (java.time.format.DateTimeParseException e) {
        continue;
      }
      Map<String, Double> m = run.metrics();
      byDay.putIfAbsent(
          day,
          new TrainingScore(
              day,
              run.runId(),
              run.tags().getOrDefault("lakepipe.chosen_candidate", ""),
              m.getOrDefault("test_roc_auc", Double.NaN),
              m.getOrDefault("test_pr_auc", Double.NaN),
              m.getOrDefault("test_log_loss", Double.NaN),
              m.getOrDefault("baseline_test_roc_auc", Double.NaN),
              m.getOrDefault("baseline_test_pr_auc", Double.NaN),
              m.getOrDefault("baseline_test_log_loss", Double.NaN),
              runUrl.apply(run.runId()),
              run.tags().getOrDefault("lakepipe.gate.decision", ""),
              run.tags().getOrDefault("lakepipe.gate.explanation", ""),
              TrainingScore.GateDay.parse(run.tags().getOrDefault("lakepipe.gate.per_day", "")),
              run.tags().getOrDefault(Promotion.CHECK_TAG, "")));
    }
    return List.copyOf(byDay.values());
  }

  /**
   * The rows of the prediction-quality table from {@code from} to {@code ds}, by day and version;
   * null metrics (no labels yet) become NaN.
   */
  public static List<PredictionDay> predictionDays(
      Dataset<Row> rows, LocalDate from, LocalDate ds) {
    // Rows written before online predictions were monitored have no source: they are batch.
    Column source =
        Arrays.asList(rows.columns()).contains("source")
            ? coalesce(col("source"), lit("batch"))
            : lit("batch");
    return window(rows, from, ds)
        .select(
            col("ds"),
            col("model_name"),
            col("model_version"),
            col("rows_scored"),
            col("rows_labelled"),
            col("roc_auc"),
            col("log_loss"),
            col("calibration_error"),
            col("mean_predicted"),
            col("observed_share"),
            source.as("source"))
        .collectAsList()
        .stream()
        .map(
            r ->
                new PredictionDay(
                    r.getDate(0).toLocalDate(),
                    r.getString(1),
                    r.getString(2),
                    r.getLong(3),
                    r.getLong(4),
                    orNaN(r, 5),
                    orNaN(r, 6),
                    orNaN(r, 7),
                    orNaN(r, 8),
                    orNaN(r, 9),
                    r.getString(10)))
        .sorted(
            Comparator.comparing(PredictionDay::ds)
                .thenComparing(PredictionDay::model)
                .thenComparing(PredictionDay::version)
                .thenComparing(PredictionDay::source))
        .toList();
  }

  private static double orNaN(Row row, int i) {
    return row.isNullAt(i) ? Double.NaN : row.getDouble(i);
  }

  private static Dataset<Row> window(Dataset<Row> rows, LocalDate from, LocalDate to) {
    return rows.where(col("ds").between(Date.valueOf(from), Date.valueOf(to)));
  }

  private static List<JobDay> jobDays(Dataset<Row> rows) {
    return rows
        .select(
            "job",
            "ds",
            "status",
            "rows_read",
            "rows_written",
            "rows_quarantined",
            "duration_ms",
            "started_at",
            "message")
        .collectAsList()
        .stream()
        .map(
            r ->
                new JobDay(
                    r.getString(0),
                    r.getDate(1).toLocalDate(),
                    r.getString(2),
                    r.getLong(3),
                    r.getLong(4),
                    r.getLong(5),
                    r.getLong(6),
                    r.isNullAt(7) ? null : ((Timestamp) r.get(7)).toInstant(),
                    r.isNullAt(8) ? "" : r.getString(8)))
        .toList();
  }

  /** Deequ's constraint rows: how many per day, how many not {@code Success}, and which. */
  private static List<QualityDay> bronzeVerdicts(Dataset<Row> rows) {
    return rows
        .where(col("kind").equalTo("constraint"))
        .select("ds", "name", "status")
        .collectAsList()
        .stream()
        .collect(
            Collectors.groupingBy(
                r -> r.getDate(0).toLocalDate(), TreeMap::new, Collectors.toList()))
        .entrySet()
        .stream()
        .map(
            day -> {
              List<String> broken =
                  day.getValue().stream()
                      .filter(r -> !"Success".equals(r.getString(2)))
                      .map(r -> r.getString(1))
                      .sorted()
                      .toList();
              return new QualityDay(
                  day.getKey(),
                  BRONZE,
                  day.getValue().size(),
                  broken.size(),
                  String.join("; ", broken));
            })
        .toList();
  }

  /** The feature gate's rows: features checked, failed, and the failures or the largest PSI. */
  private static List<QualityDay> featureVerdicts(Dataset<Row> rows) {
    Map<LocalDate, List<Row>> byDay =
        rows.select("ds", "feature", "gate", "gate_reason", "psi").collectAsList().stream()
            .collect(
                Collectors.groupingBy(
                    r -> r.getDate(0).toLocalDate(), TreeMap::new, Collectors.toList()));
    List<QualityDay> result = new ArrayList<>();
    byDay.forEach(
        (ds, features) -> {
          List<String> failures =
              features.stream()
                  .filter(f -> "fail".equals(f.getString(2)))
                  .map(f -> f.getString(1) + (f.isNullAt(3) ? "" : " (" + f.getString(3) + ")"))
                  .sorted()
                  .toList();
          String detail =
              failures.isEmpty()
                  ? features.stream()
                      .filter(f -> !f.isNullAt(4) && Double.isFinite(f.getDouble(4)))
                      .max(Comparator.comparingDouble((Row f) -> f.getDouble(4)))
                      .map(
                          f ->
                              String.format(
                                  Locale.ROOT,
                                  "largest PSI %.3f (%s)",
                                  f.getDouble(4),
                                  f.getString(1)))
                      .orElse("")
                  : String.join("; ", failures);
          result.add(new QualityDay(ds, FEATURES, features.size(), failures.size(), detail));
        });
    return result;
  }
}
