package io.lakepipe.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakepipe.core.SparkTestBase;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class DelayModelTest extends SparkTestBase {
  static final StructType FEATURES = new StructType()
      .add("flight_ts", DataTypes.TimestampNTZType)
      .add("hour", DataTypes.IntegerType)
      .add("day_of_week", DataTypes.IntegerType)
      .add("month", DataTypes.IntegerType)
      .add("distance", DataTypes.IntegerType)
      .add("origin", DataTypes.StringType)
      .add("destination", DataTypes.StringType)
      .add("delayed", DataTypes.IntegerType);

  static final List<String> NUMERIC = List.of("hour", "day_of_week", "month", "distance");
  static final List<String> CATEGORICAL = List.of("origin", "destination");

  /** Evening flights (from 17:00) are late, others on time, with one label in ten flipped. */
  static Dataset<Row> syntheticFlights(int n, long seed) {
    Random random = new Random(seed);
    List<Object[]> rows = new ArrayList<>();
    String[] airports = {"ORD", "ATL", "DEN"};
    for (int i = 0; i < n; i++) {
      String origin = airports[random.nextInt(airports.length)];
      int hour = random.nextInt(24);
      boolean late = (hour >= 17) != (random.nextInt(10) == 0);
      rows.add(new Object[] {LocalDateTime.of(2001, 1, 15, hour, 0), hour, 2, 1,
          100 + random.nextInt(2000), origin, "LAX", late ? 1 : 0});
    }
    return rows(FEATURES, rows.toArray(Object[][]::new));
  }

  @Test
  void learnsASignalThatIsThereAndReportsTheMetrics() {
    Dataset<Row> train = syntheticFlights(600, 1);
    Dataset<Row> test = syntheticFlights(300, 2);

    PipelineModel model = DelayModel.pipeline(new DelayModel.Params(50, 0.0, 0.0), NUMERIC, CATEGORICAL).fit(train);
    Map<String, Double> metrics = DelayModel.evaluate(model, test);

    assertThat(metrics).containsOnlyKeys("roc_auc", "pr_auc", "accuracy");
    // The hour separates the classes up to the 10% flipped labels, so the AUC is high but not 1.
    assertThat(metrics.get("roc_auc")).isBetween(0.8, 0.99);
    assertThat(metrics.get("accuracy")).isBetween(0.8, 0.95);
  }

  @Test
  void airportUnseenInTrainingIsScoredNotRejected() {
    PipelineModel model =
        DelayModel.pipeline(new DelayModel.Params(10, 0.01, 0.0), NUMERIC, CATEGORICAL).fit(syntheticFlights(200, 3));
    Dataset<Row> unseen = rows(FEATURES,
        new Object[] {LocalDateTime.of(2001, 1, 15, 9, 0), 9, 2, 1, 500, "ZZZ", "YYY", 0});

    Row scored = model.transform(unseen).select("probability").head();

    assertThat(scored.<org.apache.spark.ml.linalg.Vector>getAs(0).size()).isEqualTo(2);
  }

  @Test
  void missingNumbersAndCategoriesAreScoredNotRejected() {
    PipelineModel model = DelayModel.pipeline(new DelayModel.Params(10, 0.01, 0.0), NUMERIC,
        CATEGORICAL).fit(syntheticFlights(200, 4));
    Dataset<Row> missing = rows(FEATURES,
        new Object[] {LocalDateTime.of(2001, 1, 15, 9, 0), null, 2, 1, null, null, "LAX", 0});

    double probability = model.transform(missing).select("probability").head()
        .<org.apache.spark.ml.linalg.Vector>getAs(0).apply(1);

    assertThat(probability).isBetween(0.0, 1.0);
  }
}
