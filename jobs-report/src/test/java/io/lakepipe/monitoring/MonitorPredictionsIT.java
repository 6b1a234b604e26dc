// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.cli.JobRunner;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.table.DeltaTables;
import io.lakepipe.core.tracking.LoggedRun;
import io.lakepipe.core.tracking.MlflowTracking;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * monitor-predictions through JobRunner on real Delta tables in a temporary lakehouse: a day's
 * predictions as serve-export writes them and the labels as build-features writes them, joined on
 * flight_id; the online predictions as ingest-files writes them from the scorer's prediction log,
 * beside them under source "online"; a rerun leaves one row per source; a day without labels has
 * its row with no metric; a day without predictions writes nothing; a Pushgateway that is down
 * changes nothing. With {@code lakepipe.training.trigger = on-drift}, against the real MLflow
 * server: the day's accuracy verdict, judged against the test ROC AUC of the registered version's
 * run, calls for a training or not; a day without labels has none.
 */
class MonitorPredictionsIT extends SparkTestBase {
  private static final LocalDate DS = LocalDate.parse("2001-01-15");
  private static final LocalDate UNLABELLED = LocalDate.parse("2001-01-16");
  private static final LocalDate UNSCORED = LocalDate.parse("2001-01-17");
  private static final String MLFLOW =
      System.getProperty("mlflow.tracking.uri", "http://127.0.0.1:5000");
  private static final String MODEL = "lakepipe_flights_delay";

  /** The columns of BatchScoring.predict (jobs-serve-export), before ds. */
  private static final StructType PREDICTIONS =
      new StructType()
          .add("flight_id", DataTypes.StringType)
          .add("flight_ts", DataTypes.TimestampNTZType)
          .add("origin", DataTypes.StringType)
          .add("destination", DataTypes.StringType)
          .add("delay_probability", DataTypes.DoubleType)
          .add("predicted_delayed", DataTypes.IntegerType)
          .add("model_name", DataTypes.StringType)
          .add("model_version", DataTypes.StringType);

  /**
   * The bronze columns of lakepipe.sources.prediction-log-flights (config/pipelines/flights.conf).
   */
  private static final StructType ONLINE =
      new StructType()
          .add("prediction_id", DataTypes.StringType)
          .add("flight_id", DataTypes.StringType)
          .add("answered_at", DataTypes.TimestampType)
          .add("endpoint", DataTypes.StringType)
          .add("delay_probability", DataTypes.DoubleType)
          .add("threshold", DataTypes.DoubleType)
          .add("predicted_delayed", DataTypes.IntegerType)
          .add("model_name", DataTypes.StringType)
          .add("model_version", DataTypes.StringType);

  private static final StructType LABELS =
      new StructType()
          .add("flight_id", DataTypes.StringType)
          .add("delayed", DataTypes.IntegerType)
          .add("delay", DataTypes.IntegerType);

  @TempDir Path home;

  /** A model registered by a test, deleted after it. */
  private String registered;

  @AfterEach
  void deleteRegisteredModel() {
    if (registered != null) {
      try (MlflowTracking tracking = MlflowTracking.connect(MLFLOW, Duration.ofSeconds(30))) {
        tracking.deleteRegisteredModel(registered);
      }
    }
  }

  private static Object[] prediction(String id, double p, String model, String version) {
    return new Object[] {
      id,
      java.time.LocalDateTime.parse("2001-01-15T08:00:00"),
      "SFO",
      "LAX",
      p,
      p > 0.5 ? 1 : 0,
      model,
      version
    };
  }

  private static Object[] online(
      String prediction, String flight, double p, String model, String version) {
    return new Object[] {
      prediction,
      flight,
      Timestamp.valueOf("2026-12-05 09:30:00"),
      "predict",
      p,
      0.5,
      p > 0.5 ? 1 : 0,
      model,
      version
    };
  }

  /**
   * Writes ds's batch predictions of {@code model} v{@code version} (ROC AUC 1), their labels and
   * its online predictions (ROC AUC 5/6).
   */
  private static void writeDay(LakepipeConfig config, String model, String version) {
    DeltaTables tables = new DeltaTables(spark);
    String predictions = config.tablePath(PredictionMonitoring.PREDICTIONS);
    String labels = config.tablePath(PredictionMonitoring.LABELS);
    // Four labelled flights ranked perfectly, one flight whose label is not there (quarantined).
    tables.replaceDs(
        rows(
            PREDICTIONS,
            prediction("a", 0.1, model, version),
            prediction("b", 0.3, model, version),
            prediction("c", 0.6, model, version),
            prediction("d", 0.8, model, version),
            prediction("e", 0.5, model, version)),
        predictions,
        DS);
    tables.replaceDs(
        rows(
            LABELS,
            new Object[] {"a", 0, 3},
            new Object[] {"b", 0, -2},
            new Object[] {"c", 1, 40},
            new Object[] {"d", 1, 95},
            // A label of another flight, not scored: not counted.
            new Object[] {"z", 1, 60}),
        labels,
        DS);
    // The scorer's answers for the same day: a, b, c and d (a asked twice), and a record sent
    // without a flight id, which is scored but can never be labelled.
    tables.replaceDs(
        rows(
            ONLINE,
            online("p1", "a", 0.2, model, version),
            online("p2", "b", 0.7, model, version),
            online("p3", "c", 0.6, model, version),
            online("p4", "d", 0.9, model, version),
            online("p5", "a", 0.2, model, version),
            online("p6", null, 0.5, model, version)),
        config.tablePath(PredictionMonitoring.ONLINE_PREDICTIONS),
        DS);
  }

  private JobResult monitor(LakepipeConfig config, LocalDate ds) {
    return JobRunner.runAudited(
        MonitorPredictionsJob.NAME,
        PredictionMonitoring::run,
        JobContext.of(spark, config, ds, "run-" + ds));
  }

  private List<Row> quality(LakepipeConfig config) {
    return spark
        .read()
        .format("delta")
        .load(config.tablePath(PredictionMonitoring.QUALITY))
        .orderBy("ds", "source")
        .collectAsList();
  }

  @Test
  void writesOneRowPerDayAndVersionWithTheRealisedMetrics() {
    // A gateway nobody listens on: the push fails, the run does not.
    LakepipeConfig config =
        testConfig(
            home,
            Map.of(
                "lakepipe.monitoring.pushgateway-url",
                "http://127.0.0.1:9",
                "lakepipe.monitoring.push-timeout-seconds",
                1,
                // Nobody listens here either: in every-day mode the job never contacts MLflow.
                "lakepipe.mlflow.tracking-uri",
                "http://127.0.0.1:9"));
    writeDay(config, MODEL, "3");
    new DeltaTables(spark)
        .replaceDs(
            rows(PREDICTIONS, prediction("f", 0.4, MODEL, "3")),
            config.tablePath(PredictionMonitoring.PREDICTIONS),
            UNLABELLED);

    JobResult first = monitor(config, DS);
    monitor(config, DS);
    JobResult unlabelled = monitor(config, UNLABELLED);
    JobResult unscored = monitor(config, UNSCORED);

    List<Row> rows = quality(config);
    assertThat(rows).hasSize(3);
    Row day = rows.get(0);
    assertThat(day.<String>getAs("source")).isEqualTo("batch");
    assertThat(day.getDate(day.fieldIndex("ds")).toLocalDate()).isEqualTo(DS);
    assertThat(day.<String>getAs("model_name")).isEqualTo("lakepipe_flights_delay");
    assertThat(day.<String>getAs("model_version")).isEqualTo("3");
    assertThat(day.<Long>getAs("rows_scored")).isEqualTo(5L);
    assertThat(day.<Long>getAs("rows_labelled")).isEqualTo(4L);
    assertThat(day.<Double>getAs("roc_auc")).isEqualTo(1.0);
    assertThat(day.<Double>getAs("mean_predicted")).isCloseTo(0.45, within(1e-12));
    assertThat(day.<Double>getAs("observed_share")).isCloseTo(0.5, within(1e-12));
    // Bins 0.1, 0.3, 0.6, 0.8 hold one row each: gaps 0.1, 0.3, 0.4, 0.2.
    assertThat(day.<Double>getAs("calibration_error")).isCloseTo(0.25, within(1e-12));
    assertThat(day.<Double>getAs("log_loss"))
        .isCloseTo(
            -(Math.log(0.9) + Math.log(0.7) + Math.log(0.6) + Math.log(0.8)) / 4, within(1e-12));
    assertThat(day.<Timestamp>getAs("computed_at")).isNotNull();
    assertThat(first.rowsRead()).isEqualTo(5 + 6);
    assertThat(first.summary())
        .contains("lakepipe_flights_delay v3: 5 scored, 4 labelled, ROC AUC 1.0000")
        .contains("online lakepipe_flights_delay v3: 6 scored, 5 labelled, ROC AUC 0.8333")
        .doesNotContain("accuracy verdict");

    // Online, by hand: labelled a 0.2 (0), b 0.7 (0), c 0.6 (1), d 0.9 (1), a 0.2 (0).
    Row live = rows.get(1);
    assertThat(live.<String>getAs("source")).isEqualTo("online");
    assertThat(live.getDate(live.fieldIndex("ds")).toLocalDate()).isEqualTo(DS);
    assertThat(live.<String>getAs("model_version")).isEqualTo("3");
    assertThat(live.<Long>getAs("rows_scored")).isEqualTo(6L);
    assertThat(live.<Long>getAs("rows_labelled")).isEqualTo(5L);
    // Of the 2 x 3 positive-negative pairs, only c (0.6) below b (0.7) is misordered.
    assertThat(live.<Double>getAs("roc_auc")).isCloseTo(5.0 / 6, within(1e-12));
    assertThat(live.<Double>getAs("mean_predicted")).isCloseTo(0.52, within(1e-12));
    assertThat(live.<Double>getAs("observed_share")).isCloseTo(0.4, within(1e-12));
    // Bins 0.2 (two rows, none delayed), 0.6, 0.7, 0.9: gaps 0.4, 0.4, 0.7, 0.1 over 5 rows.
    assertThat(live.<Double>getAs("calibration_error")).isCloseTo(0.32, within(1e-12));
    assertThat(live.<Double>getAs("log_loss"))
        .isCloseTo(
            -(2 * Math.log(0.8) + Math.log(0.3) + Math.log(0.6) + Math.log(0.9)) / 5,
            within(1e-12));

    Row waiting = rows.get(2);
    assertThat(waiting.<String>getAs("source")).isEqualTo("batch");
    assertThat(waiting.<Long>getAs("rows_scored")).isEqualTo(1L);
    assertThat(waiting.<Long>getAs("rows_labelled")).isZero();
    assertThat(waiting.isNullAt(waiting.fieldIndex("roc_auc"))).isTrue();
    assertThat(unlabelled.summary()).contains("no labels yet (rerun when they land)");

    assertThat(unscored.summary()).contains("nothing to monitor for 2001-01-17");
    assertThat(unscored.versionsWritten()).isEmpty();

    List<Row> audit =
        spark
            .read()
            .format("delta")
            .load(config.tablePath("audit-runs"))
            .where("job = 'monitor-predictions'")
            .collectAsList();
    assertThat(audit).hasSize(4).allMatch(r -> "SUCCEEDED".equals(r.getAs("status")));
  }

  @Test
  void aLakehouseWithoutPredictionsIsASkipNotAFailure() {
    LakepipeConfig config = testConfig(home, Map.of());

    JobResult result = monitor(config, DS);

    assertThat(result.summary()).contains("exists; nothing written");
    assertThat(new DeltaTables(spark).exists(config.tablePath(PredictionMonitoring.QUALITY)))
        .isFalse();
  }

  /**
   * Registers a version of a new model whose training run logged {@code testRocAuc}, writes the
   * day's batch (ROC AUC 1) and online (ROC AUC 5/6) predictions of it with their labels, monitors
   * the day with the trigger on-drift, and returns the job's summary and the one verdict run.
   */
  private Map.Entry<JobResult, LoggedRun> judgeDay(double testRocAuc) {
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String verdicts = "monitor-predictions-it-" + suffix;
    LakepipeConfig config =
        testConfig(
            home,
            Map.of(
                "lakepipe.mlflow.tracking-uri",
                MLFLOW,
                "lakepipe.monitoring.pushgateway-url",
                "http://127.0.0.1:9",
                "lakepipe.monitoring.push-timeout-seconds",
                1,
                "lakepipe.training.trigger",
                "on-drift",
                "lakepipe.training.drift-experiment",
                verdicts));
    String version;
    try (MlflowTracking tracking = MlflowTracking.connect(config)) {
      String training = tracking.experimentId("monitor-predictions-it-train-" + suffix);
      String runId =
          tracking.withRun(
              training,
              "train",
              Map.of(),
              run -> {
                run.log(Map.of(), Map.of("test_roc_auc", testRocAuc), Map.of());
                return run.runId();
              });
      registered = "lakepipe_monitor_it_" + suffix;
      version =
          tracking
              .registerVersion(
                  registered,
                  "mlflow-artifacts:/" + training + "/" + runId + "/artifacts/model",
                  runId)
              .version();
    }
    writeDay(config, registered, version);

    JobResult result = monitor(config, DS);

    try (MlflowTracking tracking = MlflowTracking.connect(config)) {
      String experimentId = tracking.findExperimentId(verdicts).orElseThrow();
      List<LoggedRun> runs =
          tracking.searchRuns(experimentId, "tags.`lakepipe.ds` = '2001-01-15'", 10);
      assertThat(runs).hasSize(1);
      assertThat(result.summary()).contains("MLflow run " + runs.get(0).runId());
      assertThat(runs.get(0).tags())
          .containsEntry("lakepipe.ds", "2001-01-15")
          .containsEntry("lakepipe.view", "flights")
          .containsEntry("lakepipe.verdict", "accuracy")
          .containsEntry("lakepipe.job_run_id", "run-" + DS)
          .containsEntry("mlflow.source.name", MonitorPredictionsJob.class.getName())
          .containsEntry("mlflow.runName", "accuracy-flights-2001-01-15");
      assertThat(runs.get(0).params()).containsEntry("retrain_roc_auc_drop", "0.03");
      assertThat(runs.get(0).metrics())
          .containsEntry("realised_roc_auc.batch.v" + version, 1.0)
          .containsEntry("reference_roc_auc.batch.v" + version, testRocAuc)
          .containsEntry("reference_roc_auc.online.v" + version, testRocAuc);
      assertThat(runs.get(0).metrics().get("realised_roc_auc.online.v" + version))
          .isCloseTo(5.0 / 6, within(1e-12));
      return Map.entry(result, runs.get(0));
    }
  }

  @Test
  void onDriftADayWhoseRocAucFellBeyondTheLimitCallsForATraining() {
    // Online: 5/6 against 0.95, 0.1167 below (beyond 0.03); batch: 1.0, above.
    Map.Entry<JobResult, LoggedRun> judged = judgeDay(0.95);

    assertThat(judged.getValue().tags())
        .containsEntry("lakepipe.retrain", "true")
        .containsEntry(
            "lakepipe.retrain.accuracy",
            "{\"batch v1\": {\"roc_auc\": 1.0000, \"reference_roc_auc\": 0.9500, \"drop\":"
                + " -0.0500}, \"online v1\": {\"roc_auc\": 0.8333, \"reference_roc_auc\":"
                + " 0.9500, \"drop\": 0.1167}}");
    assertThat(judged.getKey().summary())
        .contains(
            "accuracy verdict: retrain=true (batch v1 ROC AUC 1.0000, 0.0500 above its test ROC"
                + " AUC 0.9500; online v1 ROC AUC 0.8333, 0.1167 below its test ROC AUC 0.9500)");
  }

  @Test
  void onDriftADayWithinTheLimitLogsAVerdictWithoutTraining() {
    // Online: 5/6 against 0.85, 0.0167 below (within 0.03).
    Map.Entry<JobResult, LoggedRun> judged = judgeDay(0.85);

    assertThat(judged.getValue().tags())
        .containsEntry("lakepipe.retrain", "false")
        .containsEntry(
            "lakepipe.retrain.accuracy",
            "{\"batch v1\": {\"roc_auc\": 1.0000, \"reference_roc_auc\": 0.8500, \"drop\":"
                + " -0.1500}, \"online v1\": {\"roc_auc\": 0.8333, \"reference_roc_auc\":"
                + " 0.8500, \"drop\": 0.0167}}");
    assertThat(judged.getKey().summary()).contains("accuracy verdict: retrain=false");
  }

  @Test
  void onDriftADayWithoutLabelsHasNoVerdictAndLeavesMlflowAlone() {
    // Nobody listens on the tracking URI: contacting MLflow would fail the job.
    LakepipeConfig config =
        testConfig(
            home,
            Map.of(
                "lakepipe.mlflow.tracking-uri", "http://127.0.0.1:9",
                "lakepipe.monitoring.pushgateway-url", "http://127.0.0.1:9",
                "lakepipe.monitoring.push-timeout-seconds", 1,
                "lakepipe.training.trigger", "on-drift"));
    new DeltaTables(spark)
        .replaceDs(
            rows(PREDICTIONS, prediction("f", 0.4, MODEL, "3")),
            config.tablePath(PredictionMonitoring.PREDICTIONS),
            UNLABELLED);

    JobResult result = monitor(config, UNLABELLED);

    assertThat(result.summary())
        .contains("no labels yet (rerun when they land)")
        .doesNotContain("accuracy verdict");
  }
}
