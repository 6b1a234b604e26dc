// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.tracking.ModelVersion;
import io.lakepipe.train.model.Preprocessing;
import io.lakepipe.train.torch.TorchClassifier;
import io.lakepipe.train.torch.TorchModel;
import io.lakepipe.train.torch.TorchSettings;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchScoringTest extends SparkTestBase {
  // Only the columns predict keeps and the model reads, with the label to fit the model on.
  static final StructType FEATURES =
      new StructType()
          .add("flight_id", DataTypes.StringType)
          .add("flight_ts", DataTypes.TimestampNTZType)
          .add("distance", DataTypes.IntegerType)
          .add("origin", DataTypes.StringType)
          .add("destination", DataTypes.StringType)
          .add("delayed", DataTypes.IntegerType);

  @Test
  void oneRowPerFlightWithProbabilityLabelAndModelVersion() {
    Dataset<Row> features =
        rows(
            FEATURES,
            new Object[] {"f1", LocalDateTime.of(2001, 1, 15, 1, 0), 100, "AAA", "BBB", 0},
            new Object[] {"f2", LocalDateTime.of(2001, 1, 15, 2, 0), 200, "AAA", "BBB", 0},
            new Object[] {"f3", LocalDateTime.of(2001, 1, 15, 3, 0), 2000, "CCC", "BBB", 1},
            new Object[] {"f4", LocalDateTime.of(2001, 1, 15, 4, 0), 2100, "CCC", "BBB", 1});
    PipelineModel model =
        new Pipeline()
            .setStages(
                new PipelineStage[] {
                  new VectorAssembler()
                      .setInputCols(new String[] {"distance"})
                      .setOutputCol("features"),
                  new LogisticRegression().setLabelCol("delayed")
                })
            .fit(features);

    List<Row> predictions =
        BatchScoring.predict(model, new ModelVersion("flights", "7", "src", "run"), features)
            .orderBy("flight_ts")
            .collectAsList();

    assertThat(predictions).hasSize(4);
    assertThat(predictions.get(0).schema().fieldNames())
        .containsExactly(
            "flight_id",
            "flight_ts",
            "origin",
            "destination",
            "delay_probability",
            "predicted_delayed",
            "model_name",
            "model_version");
    assertThat(predictions)
        .allSatisfy(
            r -> {
              assertThat(r.<Double>getAs("delay_probability")).isBetween(0.0, 1.0);
              assertThat(r.<String>getAs("model_version")).isEqualTo("7");
            });
    assertThat(predictions.get(0).<Integer>getAs("predicted_delayed")).isZero();
    assertThat(predictions.get(3).<Integer>getAs("predicted_delayed")).isOne();
  }

  /**
   * A pipeline of the torch family as the job loads it (PipelineModel.load finds TorchModel by its
   * class name): its network's probability, and the label at 0.5.
   */
  @Test
  void aTorchPipelineLoadedFromItsFolderScoresWithItsNetwork(@TempDir Path folder)
      throws Exception {
    Random random = new Random(5);
    String[] airports = {"ORD", "ATL", "DEN"};
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      int distance = 100 + random.nextInt(2000);
      String origin = airports[random.nextInt(airports.length)];
      int delayed = distance > 1000 || origin.equals("ORD") ? 1 : 0;
      rows.add(
          new Object[] {
            "f" + i,
            LocalDateTime.of(2001, 1, 15, 0, 0).plusMinutes(i),
            distance,
            origin,
            "BBB",
            delayed
          });
    }
    Dataset<Row> features = rows(FEATURES, rows.toArray(Object[][]::new));
    List<String> numeric = List.of("distance");
    List<String> categorical = List.of("origin");
    Pipeline preprocessing = Preprocessing.pipeline(numeric, categorical);
    Preprocessing.Layout layout =
        Preprocessing.layout(preprocessing.fit(features).transform(features), numeric, categorical);
    TorchClassifier torch =
        new TorchClassifier(
            new TorchSettings(
                numeric,
                categorical,
                layout.indexColumns(),
                "delayed",
                2,
                64,
                0.01,
                List.of(8),
                0.0,
                0.0,
                64,
                1,
                1,
                3));
    PipelineModel fitted =
        new Pipeline().setStages(new PipelineStage[] {preprocessing, torch}).fit(features);
    fitted.write().save(folder.resolve("sparkml").toString());

    PipelineModel loaded = PipelineModel.load(folder.resolve("sparkml").toString());
    List<Row> predictions =
        BatchScoring.predict(loaded, new ModelVersion("flights", "8", "src", "run"), features)
            .orderBy("flight_ts")
            .collectAsList();

    assertThat(loaded.stages()[loaded.stages().length - 1]).isInstanceOf(TorchModel.class);
    List<Double> network =
        fitted
            .transform(features)
            .orderBy("flight_ts")
            .select("probability")
            .collectAsList()
            .stream()
            .map(r -> ((Vector) r.get(0)).apply(1))
            .toList();
    assertThat(predictions).hasSize(300);
    for (int i = 0; i < predictions.size(); i++) {
      Row row = predictions.get(i);
      double p = row.<Double>getAs("delay_probability");
      assertThat(p).isEqualTo(network.get(i));
      assertThat(row.<Integer>getAs("predicted_delayed")).isEqualTo(p > 0.5 ? 1 : 0);
      assertThat(row.<String>getAs("model_version")).isEqualTo("8");
    }
  }
}
