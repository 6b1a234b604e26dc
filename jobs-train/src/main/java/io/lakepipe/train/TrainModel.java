// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.cli.JobOption;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.Job;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.spark.ModelStaging;
import io.lakepipe.core.table.DeltaTables;
import io.lakepipe.core.table.TableRead;
import io.lakepipe.core.tracking.MlflowTracking;
import io.lakepipe.core.tracking.ModelVersion;
import io.lakepipe.features.FeatureView;
import io.lakepipe.features.FeatureViewReader;
import io.lakepipe.features.TrainingSets;
import io.lakepipe.mlflow.MlflowLoggedModels.LoggedModel;
import io.lakepipe.train.evaluation.BinaryEvaluation;
import io.lakepipe.train.evaluation.GroupBaseline;
import io.lakepipe.train.evaluation.PairedComparison;
import io.lakepipe.train.evaluation.Predictions;
import io.lakepipe.train.model.FinalFit;
import io.lakepipe.train.model.TestedModel;
import io.lakepipe.train.registry.Registration;
import io.lakepipe.train.report.TrainingRunLog;
import io.lakepipe.train.search.CandidateResult;
import io.lakepipe.train.search.HyperparameterSearch;
import io.lakepipe.train.split.Fold;
import io.lakepipe.train.split.TimeSplit;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a declared model for ds: searches its candidates on a time split of its feature view's
 * window, refits the best of each family, scores them and the group baseline on the test days, logs
 * it all to MLflow (nested runs, metrics, plots, lineage), registers the best model as the
 * challenger and lets the gate decide whether it becomes champion.
 */
public final class TrainModel {
  private static final Logger LOG = LoggerFactory.getLogger(TrainModel.class);

  private TrainModel() {}

  static final String MODEL = "model";

  /** The model to train; part of the audit name, so two models trained for one ds stay apart. */
  public static final List<JobOption> OPTIONS =
      List.of(
          JobOption.required(MODEL, "the model to train, a key of lakepipe.models").inAuditName());

  /** Reads and validates the model's declaration and its view before Spark starts. */
  public static Job prepare(LakepipeConfig config, Map<String, String> options) {
    // An environment such as prod gets its versions only through the approved promotion.
    if (!config.bool("environment.trains")) {
      throw LakepipeErrors.environmentDoesNotTrain(config.string("environment.name"));
    }
    return declared(config, options.get(MODEL));
  }

  /**
   * The model's declaration and its view, read and validated, as a job: what {@code ./lakepipe
   * validate} checks, in any environment.
   */
  static Job declared(LakepipeConfig config, String model) {
    TrainingConfig training = TrainingConfig.from(config, model);
    FeatureView view = FeatureViewReader.read(config, training.view());
    return context -> run(context, training, view);
  }

  public static JobResult run(JobContext context, TrainingConfig training, FeatureView view) {
    TimeSplit split = training.split(context.ds());
    List<Fold> folds = training.folds(split);
    // Fails before any Spark work if the tracking server is not there.
    try (MlflowTracking tracking = MlflowTracking.connect(context.config())) {
      String experimentId = tracking.experimentId(training.experiment());
      TrainingData data =
          TrainingData.load(
              new TrainingSets(context.tables(), context.config(), view),
              training,
              view,
              split,
              folds,
              context.ds());
      try {
        return train(context, training, tracking, experimentId, split, folds, data);
      } finally {
        data.rows().unpersist();
      }
    }
  }

  private static JobResult train(
      JobContext context,
      TrainingConfig training,
      MlflowTracking tracking,
      String experimentId,
      TimeSplit split,
      List<Fold> folds,
      TrainingData data) {
    if (!data.leftOut().isEmpty()) {
      LOG.warn(
          "Left out of this training, no values on the first training days {}: {}",
          folds.get(0).train(),
          data.leftOut());
    }
    LOG.info(
        "Training for ds={}: train {}, validation {}, test {}; rows {}; {} candidates, {} search",
        context.ds(),
        split.train(),
        split.validation(),
        split.test(),
        data.countsBySplit(),
        training.candidates().size(),
        training.searchStrategy());

    TrainingRunLog runLog = new TrainingRunLog(tracking, training, context, data, split);
    // The run opens before the search, so the MLflow UI shows it (and its settings) while it
    // trains,
    // and a training that fails ends FAILED there with what it had logged.
    Trained trained =
        tracking.withRun(
            experimentId,
            "train-" + context.ds(),
            runLog.lineageTags(),
            run -> {
              runLog.logSettings(run);
              run.logInputs(runLog.datasets());
              List<CandidateResult> searched =
                  new HyperparameterSearch(
                          data.numeric(),
                          data.categorical(),
                          data.label(),
                          training.threshold(),
                          training.seed(),
                          training.parallelism())
                      .run(data.rows(), folds, training.candidates());
              List<CandidateResult> best =
                  HyperparameterSearch.bestPerFamily(searched, training.searchMetric());
              if (best.isEmpty()) {
                throw LakepipeErrors.trainingDataUnusable(
                    context.ds().toString(),
                    "no candidate"
                        + " could be fit; the first failure: "
                        + searched.get(0).failure());
              }
              Dataset<Row> fitRows = split.fit().filter(data.rows());
              Dataset<Row> testRows = split.test().filter(data.rows());
              List<TestedModel> tested =
                  new FinalFit(
                          data.numeric(),
                          data.categorical(),
                          data.label(),
                          training.threshold(),
                          training.seed())
                      .fitAndTest(best, fitRows, testRows);
              BinaryEvaluation baseline =
                  Predictions.evaluate(
                      GroupBaseline.score(fitRows, testRows, data.label(), training.baselineKeys()),
                      GroupBaseline.PROBABILITY,
                      data.label(),
                      training.threshold());
              TestedModel chosen = tested.get(0);
              LOG.info(
                  "Chosen by validation {}: {}; test {} {} against the baseline's {}",
                  training.searchMetric(),
                  chosen.candidate().id(),
                  training.gateMetric(),
                  chosen.test().metric(training.gateMetric()),
                  baseline.metric(training.gateMetric()));

              runLog.logSearch(run, searched, tested, baseline);
              runLog.logChosen(run, chosen, tested, baseline);
              LoggedModel logged = runLog.logModel(run, chosen);
              Registration.Result registered =
                  new Registration(
                          tracking,
                          training.modelName(),
                          training.challengerAlias(),
                          training.championAlias(),
                          training.gateServingCheck())
                      .register(
                          run,
                          logged,
                          training.gateMetric(),
                          chosen.test().metric(training.gateMetric()),
                          baseline.metric(training.gateMetric()),
                          training.gateMargin(),
                          champion ->
                              compareWithChampion(
                                  context, tracking, champion, chosen, testRows, data, training));
              return new Trained(chosen, baseline, registered);
            });
    TestedModel chosen = trained.chosen();
    Registration.Result registered = trained.registered();

    TableRead features = data.set().features();
    TableRead labels = data.set().labels();
    // A training writes a model, not rows: every row read went into it (fit or test), so the
    // audit counts them as written and read = written + quarantined holds for this job too.
    return JobResult.builder()
        .rowsRead(data.totalRows())
        .rowsWritten(data.totalRows())
        .read(features.path(), features.version())
        .read(labels.path(), labels.version())
        .summary(
            String.format(
                "%s version %s (%s, test %s %.4f, baseline %.4f): %s; MLflow run %s at %s",
                training.modelName(),
                registered.version().version(),
                chosen.candidate().id(),
                training.gateMetric(),
                chosen.test().metric(training.gateMetric()),
                trained.baseline().metric(training.gateMetric()),
                registered.outcome(),
                registered.version().runId(),
                tracking.trackingUri()))
        .build();
  }

  /** What a training produced: the chosen model, the baseline's scores and the registry result. */
  private record Trained(
      TestedModel chosen, BinaryEvaluation baseline, Registration.Result registered) {}

  /**
   * The chosen model against the champion on the same test rows, the champion's model as the
   * registry holds it (staged on the lakehouse, which every executor reaches).
   */
  private static PairedComparison compareWithChampion(
      JobContext context,
      MlflowTracking tracking,
      ModelVersion champion,
      TestedModel chosen,
      Dataset<Row> testRows,
      TrainingData data,
      TrainingConfig training) {
    Path local = TrainingRunLog.tempDir("lakepipe-champion-");
    try {
      // Only the Spark model: the pyfunc copy and an XGBoost model's jar are not needed to score.
      Path sparkModel = local.resolve(MlflowModelDirectory.SPARK_MODEL_DATA);
      tracking.downloadModel(champion, MlflowModelDirectory.SPARK_MODEL_DATA, sparkModel);
      PipelineModel championModel =
          ModelStaging.of(context.spark(), context.config()).load(PipelineModel::load, sparkModel);
      // Each row scored by both models, side by side: the comparison is paired.
      Column[] rowColumns =
          Arrays.stream(testRows.columns()).map(functions::col).toArray(Column[]::new);
      Dataset<Row> byChallenger =
          Predictions.withPositiveProbability(chosen.model().transform(testRows), CHALLENGER)
              .select(append(rowColumns, functions.col(CHALLENGER)));
      List<Row> both =
          Predictions.withPositiveProbability(championModel.transform(byChallenger), CHAMPION)
              .select(
                  functions.col(data.label()).cast("double"),
                  functions.col(DeltaTables.DS),
                  functions.col(CHALLENGER),
                  functions.col(CHAMPION))
              .collectAsList();
      double[] labels = new double[both.size()];
      LocalDate[] days = new LocalDate[both.size()];
      double[] challenger = new double[both.size()];
      double[] championScores = new double[both.size()];
      for (int i = 0; i < labels.length; i++) {
        Row row = both.get(i);
        labels[i] = row.getDouble(0);
        days[i] = row.getDate(1).toLocalDate();
        challenger[i] = row.getDouble(2);
        championScores[i] = row.getDouble(3);
      }
      return PairedComparison.of(
          training.gateMetric(),
          labels,
          challenger,
          championScores,
          days,
          training.threshold(),
          training.gateConfidence(),
          training.seed());
    } finally {
      TrainingRunLog.deleteQuietly(local);
    }
  }

  private static final String CHALLENGER = "lakepipe_challenger_probability";
  private static final String CHAMPION = "lakepipe_champion_probability";

  private static Column[] append(Column[] columns, Column column) {
    Column[] all = Arrays.copyOf(columns, columns.length + 1);
    all[columns.length] = column;
    return all;
  }
}
