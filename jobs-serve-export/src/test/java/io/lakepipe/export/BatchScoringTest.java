// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.tracking.ModelVersion;
import java.time.LocalDateTime;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

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
}
