// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.bench;

import static org.apache.spark.sql.functions.expr;

import io.lakepipe.train.model.Candidate;
import io.lakepipe.train.model.ModelType;
import io.lakepipe.train.model.Preprocessing;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark side of the serving benchmark: a flights pipeline of the train job's own stages
 * (logistic regression, and gradient-boosted trees of 100 trees of depth 5 as the synthetic PMML
 * bundle has), fit on real flights, then {@code PipelineModel.transform} of a one-row DataFrame and
 * collecting its probability, timed call by call. Writes {@code spark.<model>.one_row_p50_us} and
 * {@code _p99_us} for bench/serving/run.sh to print beside the Spark-free scorer.
 */
public final class SparkOneRowBench {
  private static final int WARM_UP = 50;
  private static final int CALLS = 300;

  public static void main(String[] args) throws IOException {
    String flightsPath = args[0];
    Path results = Path.of(args[1]);
    SparkSession spark = SparkSession.builder().appName("bench-serving-spark").getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    Dataset<Row> flights =
        spark
            .read()
            .parquet(flightsPath)
            .orderBy("date")
            .limit(50_000)
            .select(
                expr("hour(date)").as("hour"),
                expr("dayofweek(date)").as("day_of_week"),
                expr("cast(distance as double)").as("distance"),
                expr("origin"),
                expr("destination"),
                expr("cast(delay > 15 as double)").as("delayed"))
            .cache();
    List<String> numeric = List.of("hour", "day_of_week", "distance");
    List<String> categorical = List.of("origin", "destination");
    Dataset<Row> oneRow = flights.drop("delayed").limit(1).cache();
    oneRow.count();

    Properties properties = new Properties();
    Map<String, Candidate> models =
        Map.of(
            "lr", new Candidate("lr", ModelType.LOGISTIC_REGRESSION, 1, Map.of("max-iter", 50)),
            "gbt", new Candidate("gbt", ModelType.GBT, 1, Map.of("max-iter", 100, "max-depth", 5)));
    for (Map.Entry<String, Candidate> model : models.entrySet()) {
      List<PipelineStage> stages =
          new ArrayList<>(Arrays.asList(Preprocessing.pipeline(numeric, categorical).getStages()));
      PipelineModel prepared = Preprocessing.pipeline(numeric, categorical).fit(flights);
      stages.addAll(
          model
              .getValue()
              .type()
              .stages(
                  model.getValue(),
                  Preprocessing.layout(prepared.transform(flights), numeric, categorical),
                  42,
                  "delayed"));
      PipelineModel fitted =
          new Pipeline().setStages(stages.toArray(PipelineStage[]::new)).fit(flights);
      long[] nanos = new long[CALLS];
      for (int i = -WARM_UP; i < CALLS; i++) {
        long start = System.nanoTime();
        fitted.transform(oneRow).select("probability").collectAsList();
        if (i >= 0) {
          nanos[i] = System.nanoTime() - start;
        }
      }
      Arrays.sort(nanos);
      double p50 = nanos[CALLS / 2] / 1000.0;
      double p99 = nanos[(int) Math.ceil(CALLS * 0.99) - 1] / 1000.0;
      properties.setProperty("spark." + model.getKey() + ".one_row_p50_us", String.valueOf(p50));
      properties.setProperty("spark." + model.getKey() + ".one_row_p99_us", String.valueOf(p99));
      System.out.printf(
          "Spark %s: PipelineModel.transform of one row, p50 %.0f us, p99 %.0f us%n",
          model.getKey(), p50, p99);
    }
    Files.createDirectories(results.getParent());
    try (Writer out = Files.newBufferedWriter(results)) {
      properties.store(out, "PipelineModel.transform of a one-row DataFrame, microseconds");
    }
    spark.stop();
  }
}
