// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.report;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lakepipe.core.job.BuildInfo;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.spark.ModelStaging;
import io.lakepipe.core.table.TableRead;
import io.lakepipe.core.tracking.MlflowTracking;
import io.lakepipe.core.tracking.TrackedRun;
import io.lakepipe.mlflow.MlflowLoggedModels.LoggedModel;
import io.lakepipe.mlflow.MlflowRuns.DatasetInput;
import io.lakepipe.mlflow.RunStatus;
import io.lakepipe.train.MlflowModelDirectory;
import io.lakepipe.train.TrainingConfig;
import io.lakepipe.train.TrainingData;
import io.lakepipe.train.evaluation.BinaryEvaluation;
import io.lakepipe.train.model.TestedModel;
import io.lakepipe.train.search.CandidateResult;
import io.lakepipe.train.split.TimeSplit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.io.FileUtils;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What a training logs to MLflow: lineage tags on the run, one nested run per search candidate
 * (parameters, validation metrics per fold, per-iteration histories; test metrics and plots for the
 * best of each family), the chosen model's parameters, test metrics next to the baseline's, plots,
 * and the model itself in MLflow's format.
 */
public final class TrainingRunLog {
  static final String BASELINE = "baseline";
  // MLflow's own dataset digests are 8 to 10 hex digits.
  private static final int DIGEST_LENGTH = 10;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final MlflowTracking tracking;
  private final TrainingConfig training;
  private final JobContext context;
  private final TrainingData data;
  private final TimeSplit split;

  public TrainingRunLog(
      MlflowTracking tracking,
      TrainingConfig training,
      JobContext context,
      TrainingData data,
      TimeSplit split) {
    this.tracking = tracking;
    this.training = training;
    this.context = context;
    this.data = data;
    this.split = split;
  }

  /**
   * Tags that trace the run to its data and code: the Delta tables and versions read, the git
   * commit, ds, and the Airflow DAG run when Airflow started the job (it exports AIRFLOW_CTX_*).
   */
  public Map<String, String> lineageTags() {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("lakepipe.ds", context.ds().toString());
    tags.put("lakepipe.job_run_id", context.runId());
    tags.put("lakepipe.input.features.path", data.set().features().path());
    tags.put("lakepipe.input.features.version", String.valueOf(data.set().features().version()));
    tags.put("lakepipe.input.labels.path", data.set().labels().path());
    tags.put("lakepipe.input.labels.version", String.valueOf(data.set().labels().version()));
    String commit = BuildInfo.gitCommit();
    tags.put("lakepipe.git_commit", commit);
    tags.put("mlflow.source.git.commit", commit);
    tags.put("mlflow.source.name", "io.lakepipe.train.TrainModelJob");
    tags.put("mlflow.source.type", "JOB");
    tags.put("mlflow.user", System.getProperty("user.name", "lakepipe"));
    Map<String, String> airflow =
        Map.of(
            "AIRFLOW_CTX_DAG_ID", "airflow.dag_id",
            "AIRFLOW_CTX_DAG_RUN_ID", "airflow.dag_run_id",
            "AIRFLOW_CTX_TASK_ID", "airflow.task_id",
            "AIRFLOW_CTX_TRY_NUMBER", "airflow.try_number");
    airflow.forEach(
        (variable, tag) -> {
          String value = System.getenv(variable);
          if (value != null && !value.isBlank()) {
            tags.put(tag, value);
          }
        });
    return tags;
  }

  /** One nested run per candidate; the best of each family also gets its test metrics and plots. */
  public void logSearch(
      TrackedRun parent,
      List<CandidateResult> searched,
      List<TestedModel> tested,
      BinaryEvaluation baseline) {
    for (CandidateResult result : searched) {
      Optional<TestedModel> best =
          tested.stream().filter(t -> t.candidate().equals(result.candidate())).findFirst();
      Map<String, String> tags = new LinkedHashMap<>();
      tags.put("lakepipe.candidate", result.candidate().name());
      tags.put("lakepipe.best_of_family", String.valueOf(best.isPresent()));
      if (result.failed()) {
        tags.put("lakepipe.failure", result.failure());
      }
      tracking.withNestedRun(
          parent,
          result.candidate().id(),
          tags,
          result.startMillis(),
          result.endMillis(),
          result.failed() ? RunStatus.FAILED : RunStatus.FINISHED,
          run -> {
            run.log(
                result.candidate().loggedParams(),
                prefixed("val_", result.meanMetrics()),
                Map.of());
            if (result.folds().size() > 1) {
              for (int fold = 0; fold < result.folds().size(); fold++) {
                run.logMetrics(prefixed("fold_val_", result.folds().get(fold)), fold + 1);
              }
            }
            result.iterations().forEach(run::logHistory);
            best.ifPresent(
                model -> {
                  Map<String, Double> metrics = prefixed("test_", model.test().metrics());
                  metrics.put("fit_seconds", model.fitMillis() / 1000.0);
                  run.log(Map.of(), metrics, Map.of());
                  Map<String, BinaryEvaluation> curves = new LinkedHashMap<>();
                  curves.put(model.candidate().id(), model.test());
                  curves.put(BASELINE, baseline);
                  uploadPlots(
                      run,
                      dir -> ModelPlots.draw(dir, curves, model.importance(), model.iterations()));
                });
            return null;
          });
    }
  }

  /** The settings of the training, on the parent run before the search starts. */
  public void logSettings(TrackedRun run) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("window_days", String.valueOf(training.windowDays()));
    params.put("train_days", split.train().toString());
    params.put("validation_days", split.validation().toString());
    params.put("test_days", split.test().toString());
    params.put("search_strategy", training.searchStrategy());
    params.put("search_metric", training.searchMetric());
    params.put("search_candidates", String.valueOf(training.candidates().size()));
    params.put("threshold", String.valueOf(training.threshold()));
    params.put("seed", String.valueOf(training.seed()));
    params.put("gate_metric", training.gateMetric());
    params.put("gate_margin", String.valueOf(training.gateMargin()));
    params.put("features", String.join(",", data.inputs()));
    params.put("features_left_out", String.join(",", data.leftOut()));
    data.countsBySplit()
        .forEach((part, counts) -> params.put("rows_" + part, String.valueOf(counts.rows())));
    run.log(params, Map.of(), Map.of());
  }

  /** The parent run: the chosen model's parameters and test metrics, and all models' plots. */
  public void logChosen(
      TrackedRun run, TestedModel chosen, List<TestedModel> tested, BinaryEvaluation baseline) {
    Map<String, Double> metrics = prefixed("test_", chosen.test().metrics());
    metrics.putAll(prefixed("baseline_test_", baseline.metrics()));
    metrics.put("test_roc_auc_over_baseline", chosen.test().rocAuc() - baseline.rocAuc());
    metrics.put("fit_seconds", chosen.fitMillis() / 1000.0);
    Map<String, BinaryEvaluation> curves = new LinkedHashMap<>();
    for (TestedModel model : tested) {
      metrics.put(model.candidate().name() + "_test_roc_auc", model.test().rocAuc());
      metrics.put(model.candidate().name() + "_test_pr_auc", model.test().prAuc());
      curves.put(model.candidate().id(), model.test());
    }
    curves.put(BASELINE, baseline);
    Map<String, String> tags = Map.of("lakepipe.chosen_candidate", chosen.candidate().id());
    run.log(chosen.candidate().loggedParams(), metrics, tags);
    chosen.iterations().forEach(run::logHistory);
    uploadPlots(
        run,
        dir -> {
          ModelPlots.draw(dir, curves, chosen.importance(), chosen.iterations());
          ModelPlots.comparison(dir, "roc_auc", curves);
        });
  }

  /**
   * The training set's Delta tables at the versions read, as MLflow's dataset inputs: named by
   * their place in the lakehouse ({@code features/flights}), the version in the source and the
   * digest.
   */
  public List<DatasetInput> datasets() {
    return List.of(dataset(data.set().features()), dataset(data.set().labels()));
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every JVM has SHA-256", e);
    }
  }

  private DatasetInput dataset(TableRead table) {
    String lakehouse = context.config().string("lakehouse").replaceAll("/+$", "");
    String name =
        table.path().startsWith(lakehouse + "/")
            ? table.path().substring(lakehouse.length() + 1)
            : table.path();
    ObjectNode source =
        JSON.createObjectNode()
            .put("path", table.path())
            .put("delta_table_version", table.version());
    // Changes with the table and its version, as MLflow's digests change with the data.
    String digest = sha256(table.path() + "@" + table.version()).substring(0, DIGEST_LENGTH);
    return new DatasetInput(name, digest, "delta", source.toString(), "training");
  }

  /**
   * Logs the chosen model in MLflow's format as an MLflow 3 logged model of the run, named after
   * its candidate, with its parameters, and its test metrics linked to the training's features.
   */
  public LoggedModel logModel(TrackedRun run, TestedModel chosen) {
    Path local = tempDir("lakepipe-model-");
    try {
      Column[] inputs = data.inputs().stream().map(c -> col(c)).toArray(Column[]::new);
      Dataset<Row> examples = data.rows().select(inputs);
      Path directory =
          MlflowModelDirectory.write(
              chosen.model(),
              examples.schema(),
              examples,
              local.resolve(MlflowModelDirectory.ARTIFACT_PATH),
              run.runId(),
              ModelStaging.of(context.spark(), context.config()));
      Map<String, String> tags = new LinkedHashMap<>();
      tags.put("lakepipe.ds", context.ds().toString());
      tags.put("lakepipe.candidate", chosen.candidate().name());
      LoggedModel model =
          run.logModel(
              chosen.candidate().id(),
              chosen.candidate().type().configName(),
              directory,
              chosen.candidate().loggedParams(),
              tags);
      run.logModelMetrics(
          model.modelId(), prefixed("test_", chosen.test().metrics()), datasets().get(0));
      return model;
    } finally {
      deleteQuietly(local);
    }
  }

  private void uploadPlots(TrackedRun run, java.util.function.Consumer<Path> draw) {
    Path local = tempDir("lakepipe-plots-");
    try {
      draw.accept(local);
      run.uploadDirectory(local, ModelPlots.ARTIFACT_PATH);
    } finally {
      deleteQuietly(local);
    }
  }

  private static Map<String, Double> prefixed(String prefix, Map<String, Double> metrics) {
    Map<String, Double> result = new LinkedHashMap<>();
    metrics.forEach((k, v) -> result.put(prefix + k, v));
    return result;
  }

  public static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void deleteQuietly(Path dir) {
    FileUtils.deleteQuietly(dir.toFile());
  }
}
