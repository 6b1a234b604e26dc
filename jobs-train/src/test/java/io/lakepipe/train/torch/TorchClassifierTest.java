// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lakepipe.core.SparkTestBase;
import io.lakepipe.train.evaluation.BinaryEvaluation;
import io.lakepipe.train.evaluation.Predictions;
import io.lakepipe.train.model.Preprocessing;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deep-learning family through Spark on synthetic flights: two PyTorch processes training
 * together in a barrier stage, the ONNX file scoring raw inputs inside Spark, the model saved and
 * loaded with its pipeline.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TorchClassifierTest extends SparkTestBase {
  static final StructType FLIGHTS =
      new StructType()
          .add("hour", DataTypes.IntegerType)
          .add("distance", DataTypes.DoubleType)
          .add("origin", DataTypes.StringType)
          .add("delayed", DataTypes.DoubleType);
  static final List<String> NUMERIC = List.of("hour", "distance");
  static final List<String> CATEGORICAL = List.of("origin");
  static final int EPOCHS = 6;

  private PipelineModel model;
  private TorchModel network;
  private Dataset<Row> test;

  /** Evening flights (from 17:00) and flights from ORD are late, one label in ten flipped. */
  static Dataset<Row> flights(int count, long seed) {
    Random random = new Random(seed);
    String[] airports = {"ORD", "ATL", "DEN", "LAX"};
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String origin = airports[random.nextInt(airports.length)];
      int hour = random.nextInt(24);
      boolean late = (hour >= 17 || origin.equals("ORD")) != (random.nextInt(10) == 0);
      rows.add(
          new Object[] {
            hour,
            random.nextInt(10) == 0 ? null : 100.0 + random.nextInt(2000),
            origin,
            late ? 1.0 : 0.0
          });
    }
    return rows(FLIGHTS, rows.toArray(Object[][]::new));
  }

  @BeforeAll
  void fitWithTwoProcesses() {
    Dataset<Row> train = flights(3000, 1);
    test = flights(1000, 2);
    Pipeline preprocessing = Preprocessing.pipeline(NUMERIC, CATEGORICAL);
    PipelineModel prepared = preprocessing.fit(train);
    Preprocessing.Layout layout =
        Preprocessing.layout(prepared.transform(train), NUMERIC, CATEGORICAL);
    TorchClassifier classifier =
        new TorchClassifier(
            new TorchSettings(
                NUMERIC,
                CATEGORICAL,
                layout.indexColumns(),
                "delayed",
                EPOCHS,
                128,
                0.01,
                List.of(16),
                0.0,
                0.0,
                64,
                2,
                1,
                7));
    model = new Pipeline().setStages(new PipelineStage[] {preprocessing, classifier}).fit(train);
    network = (TorchModel) model.stages()[model.stages().length - 1];
  }

  @Test
  void learnsTheSignalWithTwoProcessesTrainingTogether() {
    BinaryEvaluation evaluation =
        Predictions.evaluate(model.transform(test), Predictions.PROBABILITY, "delayed", 0.5);
    // The signal is there up to the 10% flipped labels: high, but not perfect.
    assertThat(evaluation.rocAuc()).isBetween(0.8, 0.99);
    TrainingHistory history = network.history();
    assertThat(history.processes()).isEqualTo(2);
    assertThat(history.epochLosses()).hasSize(EPOCHS);
    assertThat(history.epochLosses().get(EPOCHS - 1)).isLessThan(history.epochLosses().get(0));
  }

  @Test
  void missingAndUnseenValuesAreScoredAsThePreprocessingFillsThem() {
    double mean = network.inputs().numbers().get(1).mean();
    Dataset<Row> awkward =
        rows(
            FLIGHTS,
            new Object[] {18, null, "ORD", 1.0},
            new Object[] {18, mean, "ORD", 1.0},
            new Object[] {9, 500.0, "ZZZ", 0.0},
            new Object[] {9, 500.0, null, 0.0},
            new Object[] {9, 500.0, "ATL", 0.0});
    List<Double> p = probabilities(network.transform(awkward));
    // A missing distance is the training mean, as Spark's Imputer fills it.
    assertThat(p.get(0)).isCloseTo(p.get(1), within(1e-6));
    // An unseen and a missing origin share the bucket past the known labels.
    assertThat(p.get(2)).isCloseTo(p.get(3), within(1e-6));
    assertThat(p).allSatisfy(v -> assertThat(v).isStrictlyBetween(0.0, 1.0));
    // A late evening flight from ORD against a morning one from ATL.
    assertThat(p.get(0)).isGreaterThan(p.get(4));
    assertThat(network.inputs().categories().get(0).labels())
        .containsExactlyInAnyOrder("ORD", "ATL", "DEN", "LAX");
  }

  @Test
  void theHourIsEmbeddedAndAnHourOutsideTrainingsIsScoredAsTheNearestOne() {
    TorchInputs.NumberInput hour = network.inputs().numbers().get(0);
    assertThat(hour.embeddedLow()).isZero();
    assertThat(hour.embeddedValues()).isEqualTo(24);
    // Whole, but 2,000 values wide: kept a number.
    assertThat(network.inputs().numbers().get(1).embedded()).isFalse();
    Dataset<Row> hours =
        rows(
            FLIGHTS,
            new Object[] {24, 500.0, "ATL", 0.0},
            new Object[] {23, 500.0, "ATL", 0.0},
            new Object[] {-1, 500.0, "ATL", 0.0},
            new Object[] {0, 500.0, "ATL", 0.0},
            new Object[] {null, 500.0, "ATL", 0.0},
            new Object[] {(int) Math.rint(hour.mean()), 500.0, "ATL", 0.0},
            new Object[] {9, 500.0, "ATL", 0.0},
            new Object[] {20, 500.0, "ATL", 0.0});
    List<Double> p = probabilities(network.transform(hours));
    assertThat(p.get(0)).isCloseTo(p.get(1), within(1e-7));
    assertThat(p.get(2)).isCloseTo(p.get(3), within(1e-7));
    // A missing hour is the training mean's, rounded, as the other numbers' missing values are.
    assertThat(p.get(4)).isCloseTo(p.get(5), within(1e-7));
    // The embedded hours carry the signal: evening flights are late.
    assertThat(p.get(7)).isGreaterThan(p.get(6) + 0.3);
  }

  @Test
  void savedAndLoadedWithItsPipelineItScoresTheSame(@TempDir Path folder) throws Exception {
    String path = folder.resolve("model").toString();
    model.write().save(path);
    PipelineModel loaded = PipelineModel.load(path);
    TorchModel reloaded = (TorchModel) loaded.stages()[loaded.stages().length - 1];
    assertThat(reloaded.onnx()).isEqualTo(network.onnx());
    assertThat(reloaded.inputs()).isEqualTo(network.inputs());
    List<Double> before = probabilities(model.transform(test));
    List<Double> after = probabilities(loaded.transform(test));
    assertThat(after).hasSize(1000);
    for (int i = 0; i < before.size(); i++) {
      assertThat(after.get(i)).isCloseTo(before.get(i), within(1e-12));
    }
  }

  private static List<Double> probabilities(Dataset<Row> scored) {
    return scored.select(Predictions.PROBABILITY).collectAsList().stream()
        .map(r -> ((Vector) r.get(0)).apply(1))
        .toList();
  }
}
