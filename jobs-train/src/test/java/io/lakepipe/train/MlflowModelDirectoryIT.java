// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train;

import static io.lakepipe.train.MlflowModelDirectoryTest.ROWS;
import static io.lakepipe.train.MlflowModelDirectoryTest.fit;
import static io.lakepipe.train.MlflowModelDirectoryTest.fitTorch;
import static io.lakepipe.train.MlflowModelDirectoryTest.fitXGBoost;
import static io.lakepipe.train.MlflowModelDirectoryTest.flights;
import static io.lakepipe.train.MlflowModelDirectoryTest.inputColumns;
import static io.lakepipe.train.MlflowModelDirectoryTest.probabilities;
import static org.assertj.core.api.Assertions.assertThat;

import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.spark.ModelStaging;
import io.lakepipe.core.tracking.MlflowTracking;
import io.lakepipe.core.tracking.ModelVersion;
import io.lakepipe.core.tracking.TrackedRun;
import io.lakepipe.mlflow.MlflowRestClient;
import io.lakepipe.mlflow.MlflowRuns.Metric;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model logged by {@link MlflowModelDirectory} into the real tracking server, read back through
 * MLflow's own Python client and scored by {@code mlflow.pyfunc.load_model}, with no lakepipe code
 * on the Python side but what the model directory itself carries (an XGBoost or torch model's
 * loader).
 */
class MlflowModelDirectoryIT extends SparkTestBase {
  private static final String URI =
      System.getProperty("mlflow.tracking.uri", "http://127.0.0.1:5000");

  @TempDir Path dir;

  @Test
  void pyfuncLoadedFromTheRegistryByAliasScoresLikeSpark() {
    // First, so that a missing Python fails the test before any Spark or MLflow work.
    MlflowReadback readback = MlflowReadback.fromSystemProperties();
    Dataset<Row> train = flights(200, 11);
    PipelineModel model = fit(train);
    StructType inputs = train.select(inputColumns()).schema();
    String modelName = "lakepipe_it_" + UUID.randomUUID().toString().replace("-", "");
    String[] ids = new String[2];
    ModelVersion version;
    MlflowRestClient client = MlflowRestClient.of(URI, System.getenv(), Duration.ofSeconds(10));
    try (MlflowTracking tracking = MlflowTracking.connect(URI, Duration.ofSeconds(10))) {
      String experimentId = tracking.experimentId("lakepipe-it-model-format");
      version =
          tracking.withRun(
              experimentId,
              "model-format",
              Map.of(),
              run -> {
                ids[0] = run.runId();
                run.log(Map.of("max_iter", "20"), Map.of("rows_total", 200.0), Map.of());
                long now = System.currentTimeMillis();
                for (int step = 0; step < 3; step++) {
                  client
                      .runs()
                      .logBatch(
                          run.runId(),
                          Map.of(),
                          List.of(new Metric("loss", 1.0 / (step + 1), now + step, step)),
                          Map.of());
                }
                ids[1] =
                    tracking.withRun(
                        experimentId,
                        "tuning-trial",
                        Map.of("mlflow.parentRunId", run.runId()),
                        TrackedRun::runId);
                run.uploadDirectory(
                    MlflowModelDirectory.write(
                        model,
                        inputs,
                        train,
                        dir.resolve("model"),
                        run.runId(),
                        ModelStaging.at(spark, dir.resolve("staging").toString())),
                    MlflowModelDirectory.ARTIFACT_PATH);
                ModelVersion registered =
                    tracking.registerVersion(
                        modelName,
                        run.artifactUri() + "/" + MlflowModelDirectory.ARTIFACT_PATH,
                        run.runId());
                tracking.setAlias(modelName, "challenger", registered.version());
                return registered;
              });
    }
    Dataset<Row> toScore = rowsToScore();
    double[] expected = probabilities(model, toScore);
    // The input example is the first rows of those the model directory was given.
    double[] expectedExample =
        probabilities(
            model, train.select(inputColumns()).limit(MlflowModelDirectory.INPUT_EXAMPLE_ROWS));
    Path rowsFile = dir.resolve("rows.json");
    MlflowReadback.writeRecords(toScore.collectAsList(), rowsFile);

    MlflowReadback.Report report =
        readback.read(
            URI, ids[0], "models:/" + modelName + "@challenger", rowsFile, dir.resolve("readback"));

    assertThat(report.runStatus()).isEqualTo("FINISHED");
    assertThat(report.params()).containsEntry("max_iter", "20");
    assertThat(report.metrics()).containsEntry("rows_total", 200.0).containsEntry("loss", 1.0 / 3);
    assertThat(report.metricHistory("loss")).containsExactly(1.0, 0.5, 1.0 / 3);
    assertThat(report.childRuns())
        .singleElement()
        .satisfies(child -> assertThat(child.path("run_id").asText()).isEqualTo(ids[1]));
    assertThat(report.artifacts())
        .contains(
            "model/MLmodel",
            "model/input_example.json",
            "model/serving_input_example.json",
            "model/requirements.txt",
            "model/python_env.yaml")
        .anyMatch(p -> p.startsWith("model/sparkml/stages/"))
        .anyMatch(p -> p.startsWith("model/sparkml-pyfunc/stages/"));
    assertThat(report.resolvedVersion()).isEqualTo(version.version());
    assertThat(report.aliasesByVersion()).containsEntry(version.version(), List.of("challenger"));
    assertThat(report.model().path("loader_module").asText()).isEqualTo("mlflow.spark");
    assertThat(report.model().path("flavors").toString()).contains("python_function", "spark");
    assertThat(maxAbsDifference(report.predictions(), expected)).isLessThan(1e-9);
    assertThat(maxAbsDifference(report.inputExamplePredictions(), expectedExample))
        .isLessThan(1e-9);
    assertThat(maxAbsDifference(report.servingInputPredictions(), expectedExample))
        .isLessThan(1e-9);
  }

  @Test
  void xgboostPyfuncLoadedFromTheRegistryByAliasScoresLikeSpark() {
    MlflowReadback readback = MlflowReadback.fromSystemProperties();
    Dataset<Row> train = flights(300, 21);
    PipelineModel model = fitXGBoost(train);
    ReadBack back = logAndReadBack(readback, model, train, "xgb");

    assertThat(back.report().artifacts())
        .contains(
            "model/MLmodel",
            "model/jars/xgboost4j-spark.jar",
            "model/code/lakepipe_xgboost_pyfunc.py",
            "model/code/ml/dmlc/xgboost4j/scala/spark/__init__.py")
        .anyMatch(p -> p.startsWith("model/sparkml-pyfunc/stages/"));
    assertThat(back.report().model().path("loader_module").asText())
        .isEqualTo("lakepipe_xgboost_pyfunc");
    // The trees differ by row: not one probability for all.
    assertThat(Arrays.stream(back.expected()).distinct().count()).isGreaterThan(5);
    // XGBoost computes in float32, in the same JVM code on both sides: the same floats come out
    // (the differences measured are 0); 1e-6 leaves room for a float32 rounding step.
    assertThat(back.maxDifference("XGBoost")).isLessThan(1e-6);
  }

  @Test
  void torchPyfuncLoadedFromTheRegistryByAliasScoresLikeSpark() {
    MlflowReadback readback = MlflowReadback.fromSystemProperties();
    Dataset<Row> train = flights(300, 22);
    PipelineModel model = fitTorch(train);
    ReadBack back = logAndReadBack(readback, model, train, "torch");

    assertThat(back.report().artifacts())
        .contains("model/MLmodel", "model/model.onnx", "model/code/lakepipe_onnx_pyfunc.py")
        .noneMatch(p -> p.startsWith("model/sparkml-pyfunc/"));
    assertThat(back.report().model().path("loader_module").asText())
        .isEqualTo("lakepipe_onnx_pyfunc");
    assertThat(back.report().model().path("flavors").toString()).contains("onnx");
    assertThat(Arrays.stream(back.expected()).distinct().count()).isGreaterThan(5);
    // The same ONNX file in ONNX Runtime on both sides (Java's 1.29.0 in Spark, Python's 1.32.0 in
    // the pyfunc), in float32.
    assertThat(back.maxDifference("torch")).isLessThan(1e-6);
  }

  /** A model logged, registered with the alias challenger, read back by MLflow's Python client. */
  private record ReadBack(
      MlflowReadback.Report report, double[] expected, double[] expectedExample) {
    double maxDifference(String family) {
      double[] differences = {
        maxAbsDifference(report.predictions(), expected),
        maxAbsDifference(report.inputExamplePredictions(), expectedExample),
        maxAbsDifference(report.servingInputPredictions(), expectedExample)
      };
      System.out.printf(
          "%s pyfunc vs Spark, max abs difference: %s over %d rows, %s and %s over"
              + " the input and serving examples%n",
          family, differences[0], expected.length, differences[1], differences[2]);
      return Arrays.stream(differences).max().orElseThrow();
    }
  }

  private ReadBack logAndReadBack(
      MlflowReadback readback, PipelineModel model, Dataset<Row> train, String family) {
    StructType inputs = train.select(inputColumns()).schema();
    String modelName =
        "lakepipe_it_" + family + "_" + UUID.randomUUID().toString().replace("-", "");
    String[] runId = new String[1];
    ModelVersion version;
    try (MlflowTracking tracking = MlflowTracking.connect(URI, Duration.ofSeconds(10))) {
      String experimentId = tracking.experimentId("lakepipe-it-model-format");
      version =
          tracking.withRun(
              experimentId,
              "model-format-" + family,
              Map.of(),
              run -> {
                runId[0] = run.runId();
                run.uploadDirectory(
                    MlflowModelDirectory.write(
                        model,
                        inputs,
                        train,
                        dir.resolve("model"),
                        run.runId(),
                        ModelStaging.at(spark, dir.resolve("staging").toString())),
                    MlflowModelDirectory.ARTIFACT_PATH);
                ModelVersion registered =
                    tracking.registerVersion(
                        modelName,
                        run.artifactUri() + "/" + MlflowModelDirectory.ARTIFACT_PATH,
                        run.runId());
                tracking.setAlias(modelName, "challenger", registered.version());
                return registered;
              });
    }
    Dataset<Row> toScore = rowsToScore();
    double[] expected = probabilities(model, toScore);
    double[] expectedExample =
        probabilities(
            model, train.select(inputColumns()).limit(MlflowModelDirectory.INPUT_EXAMPLE_ROWS));
    Path rowsFile = dir.resolve("rows.json");
    MlflowReadback.writeRecords(toScore.collectAsList(), rowsFile);
    MlflowReadback.Report report =
        readback.read(
            URI,
            runId[0],
            "models:/" + modelName + "@challenger",
            rowsFile,
            dir.resolve("readback"));
    assertThat(report.resolvedVersion()).isEqualTo(version.version());
    return new ReadBack(report, expected, expectedExample);
  }

  /** Rows the models saw, an airport they never saw, and every input missing in turn. */
  private static Dataset<Row> rowsToScore() {
    List<Row> scored = new ArrayList<>(flights(30, 12).collectAsList());
    scored.add(RowFactory.create("ZZZ", 900.5, 18, 0));
    scored.add(RowFactory.create(null, null, null, 0));
    scored.add(RowFactory.create("ORD", null, 20, 0));
    scored.add(RowFactory.create("ATL", 1500.25, null, 0));
    return spark.createDataFrame(scored, ROWS).select(inputColumns());
  }

  private static double maxAbsDifference(double[] actual, double[] expected) {
    assertThat(actual).hasSameSizeAs(expected);
    double max = 0;
    for (int i = 0; i < actual.length; i++) {
      max = Math.max(max, Math.abs(actual[i] - expected[i]));
    }
    return max;
  }
}
