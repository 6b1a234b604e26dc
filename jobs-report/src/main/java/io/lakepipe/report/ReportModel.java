// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.report;

import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * Everything the daily page shows, small and Spark-free: built from the tables by {@link
 * ReportModels}, drawn by {@link HtmlReport}.
 *
 * @param ds the logical date of the report
 * @param from the first day of the window
 * @param maxBadShare the quarantine share limit drawn on the plot
 * @param latestRuns the last audited run of each job on each day of the window
 * @param failedRuns every failed run in the window, retries that later succeeded included
 * @param quality the quality verdicts per table and day
 * @param trainings the latest training run of each day of the window that has one
 * @param links where to look further (MLflow, Airflow)
 * @param predictions the realised quality of the batch predictions per day and model version
 */
public record ReportModel(
    LocalDate ds,
    LocalDate from,
    double maxBadShare,
    List<JobDay> latestRuns,
    List<JobDay> failedRuns,
    List<QualityDay> quality,
    List<TrainingScore> trainings,
    List<Link> links,
    List<PredictionDay> predictions) {

  public ReportModel {
    latestRuns = List.copyOf(latestRuns);
    failedRuns = List.copyOf(failedRuns);
    quality = List.copyOf(quality);
    trainings = List.copyOf(trainings);
    links = List.copyOf(links);
    predictions = List.copyOf(predictions);
  }

  /** The last run of each job on ds, by job name. */
  public List<JobDay> summary() {
    return latestRuns.stream()
        .filter(run -> run.ds().equals(ds))
        .sorted(Comparator.comparing(JobDay::job))
        .toList();
  }

  /** The jobs that ran on some day of the window, sorted. */
  public List<String> jobs() {
    return List.copyOf(new TreeSet<>(latestRuns.stream().map(JobDay::job).toList()));
  }

  /** The newest training up to ds, if any. */
  public TrainingScore latestTraining() {
    return trainings.stream().max(Comparator.comparing(TrainingScore::ds)).orElse(null);
  }

  /**
   * The newest training up to {@code day}: the one whose test ROC AUC a day's realised score sits
   * next to.
   */
  public TrainingScore trainingUpTo(LocalDate day) {
    return trainings.stream()
        .filter(t -> !t.ds().isAfter(day))
        .max(Comparator.comparing(TrainingScore::ds))
        .orElse(null);
  }

  public ReportModel withLinks(List<Link> more) {
    return new ReportModel(
        ds, from, maxBadShare, latestRuns, failedRuns, quality, trainings, more, predictions);
  }

  public ReportModel withPredictions(List<PredictionDay> days) {
    return new ReportModel(
        ds, from, maxBadShare, latestRuns, failedRuns, quality, trainings, links, days);
  }
}
