// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.TableRows;
import io.lakepipe.core.cli.JobRunner;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.table.DeltaHistory;
import io.lakepipe.core.table.DeltaTables;
import io.lakepipe.core.tracking.MlflowTracking;
import io.lakepipe.core.tracking.ModelVersion;
import io.lakepipe.features.FeatureViewReader;
import io.lakepipe.features.TrainingSets;
import io.lakepipe.maintenance.MaintainTablesJob;
import io.lakepipe.maintenance.MaintenanceSettings;
import io.lakepipe.maintenance.TableMaintenance;
import io.lakepipe.mlflow.MlflowArtifacts;
import io.lakepipe.mlflow.MlflowRestClient;
import io.lakepipe.mlflow.MlflowRuns.Run;
import io.lakepipe.mlflow.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training job against the real tracking server that {@code ./lakepipe services start} runs, on
 * Delta feature and label tables of four synthetic days with a known signal (evening flights and
 * flights from ORD are late) and a small feature catalog, so that each training takes seconds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainModelIT extends SparkTestBase {
  static final String MLFLOW = System.getProperty("mlflow.tracking.uri", "http://127.0.0.1:5000");
  static final LocalDate DS = LocalDate.of(2001, 1, 15);
  private static final MlflowRestClient REST =
      MlflowRestClient.of(MLFLOW, System.getenv(), Duration.ofSeconds(30));
  static final Map<String, Object> LR =
      Map.of(
          "name",
          "logistic_regression",
          "type",
          "logistic-regression",
          "grid",
          Map.of("max-iter", List.of(30), "reg-param", List.of(0.0, 0.1)));
  static final Map<String, Object> GBT =
      Map.of(
          "name",
          "gradient_boosted_trees",
          "type",
          "gbt",
          "grid",
          Map.of("max-iter", List.of(5), "max-depth", List.of(3)));
  static final Map<String, Object> MLP =
      Map.of(
          "name",
          "multilayer_perceptron",
          "type",
          "mlp",
          "grid",
          Map.of("hidden-layers", List.of(List.of(4)), "max-iter", List.of(30)));
  static final Map<String, Object> XGBOOST =
      Map.of(
          "name",
          "xgboost",
          "type",
          "xgboost",
          "grid",
          Map.of("num-round", List.of(10), "max-depth", List.of(3)));

  static final Map<String, Object> TORCH =
      Map.of(
          "name",
          "torch_mlp",
          "type",
          "torch",
          "grid",
          Map.of(
              "epochs",
              List.of(6),
              "batch-size",
              List.of(64),
              "learning-rate",
              List.of(0.01),
              "hidden-layers",
              List.of(List.of(16))));

  /** One split on one feature: a deliberately weak model. */
  static final Map<String, Object> STUMP =
      Map.of(
          "name",
          "stump",
          "type",
          "gbt",
          "grid",
          Map.of("max-iter", List.of(1), "max-depth", List.of(1)));

  @TempDir static Path home;
  private LakepipeConfig base;

  @BeforeAll
  void writeFourDaysOfFeaturesAndLabels() {
    base = config(Map.of());
    writeDays(base, 600, false);
  }

  /** Features and labels of the four days before ds, optionally all on time (one class). */
  static void writeDays(LakepipeConfig config, int perDay, boolean allOnTime) {
    Random random = new Random(11);
    String[] airports = {"ORD", "ATL", "DEN", "LAX", "SFO"};
    // As the feature job writes them for the small catalog: a change there breaks this fixture.
    StructType featureTable = FeatureTables.features(spark, config);
    StructType labelTable = FeatureTables.labels(spark, config);
    List<Object[]> features = new ArrayList<>();
    List<Object[]> labels = new ArrayList<>();
    for (int day = 0; day < 4; day++) {
      LocalDate ds = DS.minusDays(3 - day);
      for (int i = 0; i < perDay; i++) {
        String id = ds + "-" + i;
        int hour = random.nextInt(24);
        String origin = airports[random.nextInt(airports.length)];
        boolean late =
            !allOnTime && (hour >= 17 || origin.equals("ORD")) != (random.nextInt(8) == 0);
        java.time.LocalDateTime ts = ds.atTime(hour, random.nextInt(60));
        Integer distance = random.nextInt(20) == 0 ? null : 100 + random.nextInt(2000);
        String destination = airports[random.nextInt(airports.length)];
        java.sql.Date partition = java.sql.Date.valueOf(ds);
        features.add(
            TableRows.row(
                featureTable,
                "flight_id",
                id,
                "flight_ts",
                ts,
                "hour",
                hour,
                "distance",
                distance,
                "origin",
                origin,
                "destination",
                destination,
                "ds",
                partition));
        labels.add(
            TableRows.row(
                labelTable,
                "flight_id",
                id,
                "flight_ts",
                ts,
                "delay",
                late ? 40 : 0,
                "delayed",
                late ? 1 : 0,
                "ds",
                partition));
      }
    }
    rows(featureTable, features.toArray(Object[][]::new))
        .write()
        .format("delta")
        .partitionBy("ds")
        .mode(SaveMode.Overwrite)
        .save(config.tablePath("features-flights"));
    rows(labelTable, labels.toArray(Object[][]::new))
        .write()
        .format("delta")
        .partitionBy("ds")
        .mode(SaveMode.Overwrite)
        .save(config.tablePath("labels-flights"));
  }

  /** A config with the small catalog, a unique experiment and model, and the given overrides. */
  static LakepipeConfig config(Map<String, Object> extra) {
    String unique = UUID.randomUUID().toString().replace("-", "");
    Map<String, Object> overrides = new HashMap<>();
    overrides.put(
        "lakepipe.features.row",
        List.of(
            Map.of(
                "name", "hour", "type", "numeric", "expr", "hour(flight_ts)", "description", "h"),
            Map.of("name", "distance", "type", "numeric", "expr", "distance", "description", "d"),
            Map.of("name", "origin", "type", "categorical", "expr", "origin", "description", "o"),
            Map.of(
                "name",
                "destination",
                "type",
                "categorical",
                "expr",
                "destination",
                "description",
                "d")));
    overrides.put("lakepipe.features.airport", List.of());
    overrides.put("lakepipe.features.history.entities", List.of());
    overrides.put("lakepipe.mlflow.tracking-uri", MLFLOW);
    overrides.put("lakepipe.mlflow.experiment", "lakepipe-train-it-" + unique);
    overrides.put("lakepipe.mlflow.model-name", "lakepipe_train_it_" + unique);
    overrides.put("lakepipe.train.window-days", 4);
    overrides.put("lakepipe.train.validation-days", 1);
    overrides.put("lakepipe.train.test-days", 1);
    overrides.put("lakepipe.train.candidates", List.of(LR));
    overrides.putAll(extra);
    return testConfig(home, overrides);
  }

  static JobResult train(LakepipeConfig config, LocalDate ds) {
    return TrainModel.prepare(config, Map.of("model", "flights-delay"))
        .run(JobContext.of(spark, config, ds, UUID.randomUUID().toString()));
  }

  private static Run runOf(ModelVersion version) {
    return REST.runs().get(version.runId());
  }

  private static String tag(Run run, String key) {
    return run.tags().get(key);
  }

  private static Double metric(Run run, String key) {
    return run.metrics().get(key);
  }

  @Test
  void aTrainingIsSearchedTrackedPlottedAndRegisteredAsTheFirstChampion() {
    LakepipeConfig config =
        config(Map.of("lakepipe.train.candidates", List.of(LR, GBT, MLP, XGBOOST, TORCH)));
    String model = config.string("mlflow.model-name");

    JobResult result = train(config, DS);

    try (MlflowTracking tracking = MlflowTracking.connect(MLFLOW, Duration.ofSeconds(10))) {
      ModelVersion champion = tracking.versionByAlias(model, "champion");
      assertThat(tracking.versionByAlias(model, "challenger")).isEqualTo(champion);
      assertThat(champion.version()).isEqualTo("1");
      Run run = runOf(champion);
      assertThat(run.status()).isEqualTo(RunStatus.FINISHED.name());
      assertThat(result.summary()).contains("version 1").contains("no champion yet");

      // Lineage: the Delta versions read, the code, the day.
      long featuresVersion =
          new DeltaTables(spark).latestVersion(config.tablePath("features-flights"));
      assertThat(tag(run, "lakepipe.input.features.version"))
          .isEqualTo(String.valueOf(featuresVersion));
      assertThat(tag(run, "lakepipe.input.labels.path"))
          .isEqualTo(config.tablePath("labels-flights"));
      assertThat(tag(run, "mlflow.source.git.commit")).matches("[0-9a-f]{40}(-dirty)?");
      assertThat(tag(run, "lakepipe.ds")).isEqualTo("2001-01-15");
      assertThat(tag(run, "lakepipe.gate.decision")).isEqualTo("first_champion");

      // Metrics of the chosen model next to the baseline's, each model type reported.
      for (String name :
          List.of(
              "roc_auc",
              "pr_auc",
              "log_loss",
              "accuracy",
              "precision",
              "recall",
              "calibration_error")) {
        assertThat(metric(run, "test_" + name)).as(name).isNotNull();
        assertThat(metric(run, "baseline_test_" + name)).as(name).isNotNull();
      }
      assertThat(metric(run, "test_roc_auc")).isGreaterThan(metric(run, "baseline_test_roc_auc"));
      for (String family :
          List.of(
              "logistic_regression",
              "gradient_boosted_trees",
              "multilayer_perceptron",
              "xgboost",
              "torch_mlp")) {
        assertThat(metric(run, family + "_test_roc_auc")).as(family).isBetween(0.75, 1.0);
      }
      assertThat(metric(run, "gate_promoted")).isEqualTo(1.0);
      assertThat(metric(run, "gate_baseline_roc_auc"))
          .isEqualTo(metric(run, "baseline_test_roc_auc"));

      // One nested run per candidate (two logistic regressions), each with validation metrics.
      List<Run> children =
          REST.runs()
              .search(
                  run.experimentId(),
                  "tags.mlflow.parentRunId = '" + run.runId() + "'",
                  100,
                  "attributes.start_time DESC");
      assertThat(children)
          .hasSize(6)
          .allSatisfy(
              child -> {
                assertThat(child.status()).isEqualTo(RunStatus.FINISHED.name());
                assertThat(metric(child, "val_roc_auc")).isBetween(0.7, 1.0);
              });
      assertThat(children)
          .filteredOn(c -> "true".equals(tag(c, "lakepipe.best_of_family")))
          .hasSize(5)
          .allSatisfy(c -> assertThat(metric(c, "test_roc_auc")).isNotNull());
      Run xgboost =
          children.stream()
              .filter(c -> "xgboost".equals(tag(c, "lakepipe.candidate")))
              .findFirst()
              .orElseThrow();
      assertThat(REST.runs().metricHistory(xgboost.runId(), "validation_log_loss"))
          .as("one value per boosting round")
          .hasSize(10);
      Run torch =
          children.stream()
              .filter(c -> "torch_mlp".equals(tag(c, "lakepipe.candidate")))
              .findFirst()
              .orElseThrow();
      assertThat(REST.runs().metricHistory(torch.runId(), "training_log_loss"))
          .as("one value per epoch")
          .hasSize(6);

      // Plots and the model, uploaded through the server's artifact proxy.
      assertThat(artifacts(run, "plots"))
          .contains(
              "plots/roc_curve.png",
              "plots/precision_recall_curve.png",
              "plots/calibration.png",
              "plots/confusion_matrix.png",
              "plots/model_comparison.png");

      // The model: an MLflow 3 logged model of the run, ready, with its files under it and its
      // test metrics linked to the features table, which the run records as a dataset input.
      assertThat(champion.source()).startsWith("models:/m-");
      String modelId = champion.source().substring("models:/".length());
      JsonNode logged = REST.http().get("logged-models/" + modelId, Map.of()).path("model");
      assertThat(logged.path("info").path("status").asText()).isEqualTo("LOGGED_MODEL_READY");
      assertThat(logged.path("info").path("source_run_id").asText()).isEqualTo(run.runId());
      List<String> files =
          REST.artifacts().list(logged.path("info").path("artifact_uri").asText()).stream()
              .map(MlflowArtifacts.Entry::name)
              .toList();
      assertThat(files).contains("MLmodel", "sparkml", "input_example.json");
      // Beside Spark's flavor, the winning family's Python one: the network's ONNX file and its
      // loader, or Spark's pyfunc for the others (the embedded hour lets the network win here).
      if ("torch".equals(run.params().get("model_type"))) {
        assertThat(files).contains("model.onnx", "code").doesNotContain("sparkml-pyfunc");
      } else {
        assertThat(files).contains("sparkml-pyfunc");
      }
      assertThat(logged.path("data").path("metrics"))
          .anySatisfy(
              m -> {
                assertThat(m.path("key").asText()).isEqualTo("test_roc_auc");
                assertThat(m.path("dataset_name").asText()).isEqualTo("features/flights");
              });
      JsonNode inputs =
          REST.http()
              .get("runs/get", Map.of("run_id", run.runId()))
              .path("run")
              .path("inputs")
              .path("dataset_inputs");
      assertThat(inputs)
          .extracting(
              i ->
                  i.path("dataset").path("name").asText()
                      + " "
                      + i.path("dataset").path("source_type").asText()
                      + " "
                      + i.path("dataset").path("source").asText())
          .containsExactlyInAnyOrder(
              "features/flights delta {\"path\":\""
                  + config.tablePath("features-flights")
                  + "\",\"delta_table_version\":"
                  + featuresVersion
                  + "}",
              "features/flight_labels delta {\"path\":\""
                  + config.tablePath("labels-flights")
                  + "\",\"delta_table_version\":"
                  + new DeltaTables(spark).latestVersion(config.tablePath("labels-flights"))
                  + "}");
    }
  }

  @Test
  void theGatePromotesOnlyAModelThatBeatsTheChampionOnTheSameTestDays() {
    Map<String, Object> model =
        Map.of(
            "lakepipe.mlflow.model-name",
            "lakepipe_gate_it_" + UUID.randomUUID().toString().replace("-", ""));
    LakepipeConfig stump =
        config(merge(model, Map.of("lakepipe.train.candidates", List.of(STUMP))));
    LakepipeConfig good = config(merge(model, Map.of("lakepipe.train.candidates", List.of(LR))));
    String name = stump.string("mlflow.model-name");

    train(stump, DS);
    try (MlflowTracking tracking = MlflowTracking.connect(MLFLOW, Duration.ofSeconds(10))) {
      assertThat(tracking.versionByAlias(name, "champion").version()).as("first").isEqualTo("1");

      train(good, DS);
      assertThat(tracking.versionByAlias(name, "champion").version()).as("better").isEqualTo("2");
      Run betterRun = runOf(tracking.version(name, "2"));
      assertThat(tag(betterRun, "lakepipe.gate.decision")).isEqualTo("promoted");
      // Compared on the same test rows, beyond the noise: the interval's lower end passed the
      // margin.
      assertThat(metric(betterRun, "gate_gain_low_roc_auc"))
          .isGreaterThanOrEqualTo(0.002)
          .isLessThan(metric(betterRun, "gate_gain_roc_auc"));
      assertThat(tag(betterRun, "lakepipe.gate.evidence")).contains("95% CI").contains("DeLong");
      assertThat(tag(betterRun, "lakepipe.gate.per_day")).startsWith(DS.toString() + " 0.");

      train(stump, DS);
      ModelVersion worse = tracking.versionByAlias(name, "challenger");
      assertThat(worse.version()).isEqualTo("3");
      assertThat(tracking.versionByAlias(name, "champion").version()).as("worse").isEqualTo("2");
      Run worseRun = runOf(worse);
      assertThat(tag(worseRun, "lakepipe.gate.decision")).isEqualTo("kept_champion");
      assertThat(tag(worseRun, "lakepipe.gate.champion_version")).isEqualTo("2");
      assertThat(metric(worseRun, "gate_champion_roc_auc"))
          .isGreaterThan(metric(worseRun, "gate_challenger_roc_auc"));
      assertThat(metric(worseRun, "gate_promoted")).isEqualTo(0.0);

      // MLflow's own Python client reads the champion back, and pyfunc scores as Spark does.
      ModelVersion champion = tracking.versionByAlias(name, "champion");
      Path local = home.resolve("champion-" + UUID.randomUUID());
      tracking.downloadModel(champion, local);
      List<Row> rows =
          spark
              .read()
              .format("delta")
              .load(good.tablePath("features-flights"))
              .where("ds = '2001-01-15'")
              .select("hour", "distance", "origin", "destination")
              .limit(200)
              .collectAsList();
      double[] sparkScores = sparkProbabilities(local, rows);
      Path rowsJson = home.resolve("rows-" + UUID.randomUUID() + ".json");
      MlflowReadback.writeRecords(rows, rowsJson);
      MlflowReadback.Report report =
          MlflowReadback.fromSystemProperties()
              .read(MLFLOW, champion.runId(), "models:/" + name + "@champion", rowsJson, home);
      assertThat(report.runStatus()).isEqualTo("FINISHED");
      assertThat(report.resolvedVersion()).isEqualTo("2");
      assertThat(report.aliasesByVersion().get("2")).contains("champion");
      assertThat(report.artifacts()).contains("plots/roc_curve.png");
      assertThat(report.childRuns()).hasSize(2);
      double[] pyfunc = report.predictions();
      assertThat(pyfunc).hasSize(sparkScores.length);
      double maxDifference = 0;
      for (int i = 0; i < sparkScores.length; i++) {
        maxDifference = Math.max(maxDifference, Math.abs(pyfunc[i] - sparkScores[i]));
      }
      assertThat(maxDifference).isLessThan(1e-9);
    }
  }

  /** P(delayed) of the rows by the Spark model of a downloaded MLflow model directory. */
  private static double[] sparkProbabilities(Path modelDir, List<Row> rows) {
    org.apache.spark.ml.PipelineModel model =
        org.apache.spark.ml.PipelineModel.load(modelDir.resolve("sparkml").toUri().toString());
    return model
        .transform(spark.createDataFrame(rows, rows.get(0).schema()))
        .select(
            org.apache
                .spark
                .ml
                .functions
                .vector_to_array(org.apache.spark.sql.functions.col("probability"), "float64")
                .getItem(1))
        .collectAsList()
        .stream()
        .mapToDouble(r -> r.getDouble(0))
        .toArray();
  }

  @Test
  void aFeatureTableVersionThatDoesNotExistFailsClearly() {
    LakepipeConfig config =
        config(Map.of("lakepipe.train.features-version", 99, "lakepipe.train.labels-version", 0));

    assertThatThrownBy(() -> train(config, DS))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("version 99");
    assertNothingRegistered(config);
  }

  @Test
  void anEmptyTrainingWindowFailsClearly() {
    LakepipeConfig config = config(Map.of());

    assertThatThrownBy(() -> train(config, LocalDate.of(2001, 3, 1)))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("Cannot train for ds=2001-03-01")
        .hasMessageContaining("have no labelled feature rows");
    assertNothingRegistered(config);
  }

  @Test
  void aMissingTestDayFailsClearly() {
    // Days 12 to 15 hold rows; a window ending on the 16th has no test day.
    LakepipeConfig config = config(Map.of("lakepipe.train.window-days", 5));

    assertThatThrownBy(() -> train(config, DS.plusDays(1)))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("the test days 2001-01-16 have no labelled feature rows");
    assertNothingRegistered(config);
  }

  @Test
  void aSingleClassLabelFailsClearly(@TempDir Path otherHome) {
    Map<String, Object> elsewhere =
        Map.of("lakepipe.lakehouse", otherHome.resolve("lakehouse").toString());
    LakepipeConfig config = config(elsewhere);
    writeDays(config, 50, true);

    assertThatThrownBy(() -> train(config, DS))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining(
            "has a single class in the 100 rows of the training days 2001-01-12..2001-01-13");
    assertNothingRegistered(config);
  }

  @Test
  void maintenanceKeepsTheTrainingSetOfARegisteredVersionReadableAtItsRecordedVersions(
      @TempDir Path otherHome) throws Exception {
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("lakepipe.lakehouse", otherHome.resolve("lakehouse").toString());
    overrides.put("lakepipe.train.candidates", List.of(STUMP));
    overrides.put("lakepipe.maintenance.tables", List.of("features-flights", "labels-flights"));
    // No least retention: the age of the version the model was trained on sets it.
    overrides.put("lakepipe.maintenance.retention", "0 s");
    overrides.put("lakepipe.maintenance.retention-margin", "1 s");
    LakepipeConfig config = config(overrides);
    // Three deliveries of the four days: v0, v1 (removes v0's files), v2 (removes v1's).
    for (int delivery = 0; delivery < 3; delivery++) {
      writeDays(config, 100, false);
    }
    train(config, DS);
    Run run;
    try (MlflowTracking tracking = MlflowTracking.connect(MLFLOW, Duration.ofSeconds(10))) {
      run = runOf(tracking.versionByAlias(config.string("mlflow.model-name"), "champion"));
    }
    long featuresVersion = Long.parseLong(tag(run, "lakepipe.input.features.version"));
    long labelsVersion = Long.parseLong(tag(run, "lakepipe.input.labels.version"));
    assertThat(List.of(featuresVersion, labelsVersion)).containsExactly(2L, 2L);
    TrainingSets sets =
        new TrainingSets(new DeltaTables(spark), config, FeatureViewReader.read(config, "flights"));
    List<Row> trainedOn =
        sets.at(DS.minusDays(3), DS, featuresVersion, labelsVersion)
            .rows()
            .orderBy("flight_id")
            .collectAsList();
    // A later delivery (v3) removes the files of the version the model was trained on.
    writeDays(config, 100, true);
    // v0 and v1 six hours old, v2 and v3 three: VACUUM deletes what v2 needs, unless the
    // retention reaches back to v2's commit. v0's files, removed six hours ago, no model needs.
    Path features = Path.of(config.tablePath("features-flights"));
    for (Path table : List.of(features, Path.of(config.tablePath("labels-flights")))) {
      DeltaHistory.backdate(table, 0, 2, Duration.ofHours(6));
      DeltaHistory.backdate(table, 2, 4, Duration.ofHours(3));
    }
    List<Path> unprotected = DeltaHistory.filesAddedBy(features, 0);
    DeltaLog.clearCache();

    JobResult result =
        JobRunner.runAudited(
            MaintainTablesJob.NAME,
            new TableMaintenance(MaintenanceSettings.from(config)),
            JobContext.of(spark, config, DS, UUID.randomUUID().toString()));

    assertThat(result.summary()).containsPattern("set by (features|labels)-flights v2 ");
    assertThat(unprotected).as("v0's files: VACUUM ran").isNotEmpty().noneMatch(Files::exists);
    assertThat(
            sets.at(DS.minusDays(3), DS, featuresVersion, labelsVersion)
                .rows()
                .orderBy("flight_id")
                .collectAsList())
        .as("the training set at the versions the MLflow run recorded")
        .isEqualTo(trainedOn)
        .hasSize(400);
  }

  @Test
  void anUnreachableTrackingServerFailsBeforeAnythingIsRegistered() {
    LakepipeConfig config = config(Map.of("lakepipe.mlflow.tracking-uri", "http://127.0.0.1:9"));

    assertThatThrownBy(() -> train(config, DS))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("MLflow tracking server http://127.0.0.1:9 is unreachable");
    assertNothingRegistered(config);
  }

  /** Lists a run's artifact folder. */
  private static List<String> artifacts(Run run, String path) {
    return REST.artifacts().list(run.artifactUri() + "/" + path).stream()
        .map(e -> path + "/" + e.name())
        .toList();
  }

  private static void assertNothingRegistered(LakepipeConfig config) {
    try (MlflowTracking tracking = MlflowTracking.connect(MLFLOW, Duration.ofSeconds(10))) {
      assertThat(tracking.findByAlias(config.string("mlflow.model-name"), "challenger")).isEmpty();
    }
  }

  private static Map<String, Object> merge(Map<String, Object> a, Map<String, Object> b) {
    Map<String, Object> merged = new HashMap<>(a);
    merged.putAll(b);
    return merged;
  }
}
