// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.report;

import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.spark.DriverThreads;
import io.lakepipe.core.table.TableRead;
import io.lakepipe.core.tracking.LoggedRun;
import io.lakepipe.core.tracking.MlflowTracking;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Future;
import org.apache.commons.io.FileUtils;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The report job: reads the window's audit and quality rows and the training runs up to ds, renders
 * the page, writes it to {@code <lakepipe.report.location>/ds=<ds>/index.html} and logs it as the
 * artifact {@code report/index.html} of a run of the reports experiment tagged with ds.
 */
public final class DailyReport {
  private static final Logger LOG = LoggerFactory.getLogger(DailyReport.class);

  /** Artifact folder of the page in the report's MLflow run. */
  public static final String ARTIFACT_PATH = "report";

  private static final Map<String, String> AIRFLOW_TAGS =
      Map.of(
          "AIRFLOW_CTX_DAG_ID", "airflow.dag_id",
          "AIRFLOW_CTX_DAG_RUN_ID", "airflow.dag_run_id",
          "AIRFLOW_CTX_TASK_ID", "airflow.task_id",
          "AIRFLOW_CTX_TRY_NUMBER", "airflow.try_number");

  private DailyReport() {}

  public static JobResult run(JobContext context) {
    LakepipeConfig config = context.config();
    ReportSettings settings = ReportSettings.from(config);
    LocalDate ds = context.ds();
    LocalDate from = ds.minusDays(settings.windowDays() - 1L);
    JobResult.Builder result = JobResult.builder();
    // The rows a range run still keeps (its earlier days' own), so that the page shows what a
    // daily run's would.
    context.audit().flush();
    Optional<Dataset<Row>> audit = read(context, "audit-runs", from, ds, result);
    Optional<Dataset<Row>> bronze = read(context, ReportModels.BRONZE, from, ds, result);
    Optional<Dataset<Row>> features = read(context, ReportModels.FEATURES, from, ds, result);
    Optional<Dataset<Row>> predictions = read(context, ReportModels.PREDICTIONS, from, ds, result);

    // Collected on a thread of its own while MLflow is asked and the other tables are collected.
    try (DriverThreads thread = DriverThreads.of("lakepipe-report-predictions", 1);
        MlflowTracking tracking = MlflowTracking.connect(config)) {
      Future<List<PredictionDay>> predictionDays =
          thread.submit(
              () ->
                  predictions
                      .map(rows -> ReportModels.predictionDays(rows, from, ds))
                      .orElse(List.of()));
      String ui = tracking.trackingUri();
      String trainingExperiment = config.string("mlflow.experiment");
      Optional<String> trainingId = tracking.findExperimentId(trainingExperiment);
      List<LoggedRun> trainingRuns = new ArrayList<>();
      trainingId.ifPresent(
          id -> {
            for (LocalDate day = from; !day.isAfter(ds); day = day.plusDays(1)) {
              trainingRuns.addAll(
                  tracking.searchRuns(
                      id,
                      "tags.`lakepipe.ds` = '" + day + "' and attributes.status = 'FINISHED'",
                      10));
            }
          });
      List<TrainingScore> scores =
          ReportModels.trainingScores(
              trainingRuns,
              runId -> ui + "/#/experiments/" + trainingId.orElse("") + "/runs/" + runId);
      String reportsId = tracking.experimentId(settings.experiment());

      List<Link> links = new ArrayList<>();
      trainingId.ifPresent(
          id ->
              links.add(
                  new Link(
                      "MLflow experiment " + trainingExperiment, ui + "/#/experiments/" + id)));
      links.add(new Link("MLflow reports", ui + "/#/experiments/" + reportsId));
      airflowRunUrl(settings).ifPresent(url -> links.add(new Link("Airflow DAG run", url)));

      ReportModel model =
          ReportModels.build(
                  ds,
                  settings.windowDays(),
                  settings.maxBadShare(),
                  audit,
                  bronze,
                  features,
                  scores)
              .withLinks(links)
              .withPredictions(DriverThreads.get(predictionDays));
      String html = HtmlReport.render(model);
      String page =
          ReportStore.write(
              context.spark().sparkContext().hadoopConfiguration(),
              ReportStore.pagePath(settings.location(), ds),
              html);

      Map<String, String> tags = new LinkedHashMap<>();
      tags.put("lakepipe.ds", ds.toString());
      tags.put("lakepipe.job_run_id", context.runId());
      tags.put("lakepipe.report.page", page);
      tags.put("mlflow.source.name", DailyReportJob.class.getName());
      AIRFLOW_TAGS.forEach(
          (variable, tag) -> {
            String value = System.getenv(variable);
            if (value != null && !value.isBlank()) {
              tags.put(tag, value);
            }
          });
      String runId =
          tracking.withRun(
              reportsId,
              "report-" + ds,
              tags,
              run -> {
                run.log(
                    Map.of("window_days", String.valueOf(settings.windowDays())),
                    Map.of(
                        "jobs", (double) model.summary().size(),
                        "jobs_failed",
                            (double) model.summary().stream().filter(JobDay::failed).count(),
                        "failed_runs_in_window", (double) model.failedRuns().size()),
                    Map.of());
                upload(run, html);
                return run.runId();
              });
      String runUrl = ui + "/#/experiments/" + reportsId + "/runs/" + runId;
      // One line the task log shows, with the page and the run that renders it.
      LOG.info("lakepipe report for ds={}: page {} ; MLflow run {}", ds, page, runUrl);
      System.out.println("lakepipe report page: " + page);
      System.out.println("lakepipe report MLflow run: " + runUrl);
      // One page, one row: the counts stay the same for a rerun, whatever ran meanwhile.
      return result
          .rowsRead(1)
          .rowsWritten(1)
          .summary("report " + page + "; MLflow run " + runUrl)
          .build();
    }
  }

  private static Optional<Dataset<Row>> read(
      JobContext context, String table, LocalDate from, LocalDate ds, JobResult.Builder result) {
    if (!context.config().has("tables." + table)) {
      LOG.warn("No table {} is declared in lakepipe.tables: the report says so", table);
      return Optional.empty();
    }
    String path = context.config().tablePath(table);
    if (!context.tables().exists(path)) {
      LOG.warn("Table {} does not exist at {}: the report says so", table, path);
      return Optional.empty();
    }
    TableRead read = context.tables().readDsRange(table, path, from, ds);
    result.read(path, read.version());
    return Optional.of(read.rows());
  }

  private static Optional<String> airflowRunUrl(ReportSettings settings) {
    String dag = System.getenv("AIRFLOW_CTX_DAG_ID");
    String run = System.getenv("AIRFLOW_CTX_DAG_RUN_ID");
    if (settings.airflowUrl().isBlank()
        || dag == null
        || dag.isBlank()
        || run == null
        || run.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(settings.airflowUrl() + "/dags/" + encode(dag) + "/runs/" + encode(run));
  }

  private static String encode(String part) {
    return URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static void upload(io.lakepipe.core.tracking.TrackedRun run, String html) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("lakepipe-report-");
      Files.writeString(dir.resolve(ReportStore.PAGE), html, StandardCharsets.UTF_8);
      run.uploadDirectory(dir, ARTIFACT_PATH);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot stage the report for MLflow", e);
    } finally {
      if (dir != null) {
        FileUtils.deleteQuietly(dir.toFile());
      }
    }
  }
}
