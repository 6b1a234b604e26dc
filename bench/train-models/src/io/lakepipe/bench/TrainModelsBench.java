// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.train.TrainingConfig;
import io.lakepipe.train.evaluation.BinaryEvaluation;
import io.lakepipe.train.evaluation.GroupBaseline;
import io.lakepipe.train.evaluation.Predictions;
import io.lakepipe.train.model.Candidate;
import io.lakepipe.train.model.FinalFit;
import io.lakepipe.train.model.TestedModel;
import io.lakepipe.train.search.CandidateResult;
import io.lakepipe.train.split.TimeSplit;
import io.lakepipe.train.torch.TorchClassifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * Training time and test ROC AUC of each configured model type (the first grid point of each
 * family) on the first N rows of flights-3m, split by time, next to the route baseline scored on
 * the same test days. Features are the flight features (hour, weekday, distance, origin,
 * destination) computed from the raw data, so that millions of rows need no feature-table build.
 * The fit and test rows and the results go to a folder, where bench/train-models/reference.py fits
 * scikit-learn's HistGradientBoosting on the same rows and prints the table.
 */
public final class TrainModelsBench {
  public static void main(String[] args) {
    LakepipeConfig config = LakepipeConfig.load(Path.of(args[0]));
    String flightsPath = args[1];
    long rows = Long.parseLong(args[2]);
    // The folder where the fit and test rows and this run's results go, for the reference
    // learner that bench/train-models/reference.py fits on the same rows.
    Path out = Path.of(args[3]);
    TrainingConfig training = TrainingConfig.from(config, "flights-delay");
    // Spark's own settings, as the earlier measurements, but the torch family's Python.
    SparkSession spark =
        SparkSession.builder()
            .appName("bench-train-models")
            .config(
                TorchClassifier.PYTHON_CONF, config.sparkConf().get(TorchClassifier.PYTHON_CONF))
            .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");

    Dataset<Row> flights =
        spark
            .read()
            .parquet(flightsPath)
            .orderBy("date")
            .limit((int) rows)
            .select(
                expr("sha2(concat_ws('|', date, origin, destination, delay, distance), 256)")
                    .as("flight_id"),
                expr("to_date(date)").as("ds"),
                expr("hour(date)").as("hour"),
                expr("dayofweek(date)").as("day_of_week"),
                expr("cast(distance as double)").as("distance"),
                col("origin"),
                col("destination"),
                expr("cast(delay > 15 as double)").as("delayed"))
            // The first rows by date come out of one task: spread them over the cores, as the
            // train job's read of a feature table's many files is.
            .repartition(spark.sparkContext().defaultParallelism())
            .persist(StorageLevel.MEMORY_AND_DISK());
    long count = flights.count();
    Row range = flights.selectExpr("min(ds)", "max(ds)").head();
    LocalDate last = ((java.sql.Date) range.get(1)).toLocalDate();
    long days =
        java.time.temporal.ChronoUnit.DAYS.between(
                ((java.sql.Date) range.get(0)).toLocalDate(), last)
            + 1;
    // The last day may be cut by the row limit: test on the 7 whole days before it.
    LocalDate testEnd = last.minusDays(1);
    TimeSplit split = TimeSplit.ending(testEnd, (int) days - 1, 7, 7);
    Dataset<Row> fitRows = split.fit().filter(flights);
    Dataset<Row> testRows = split.test().filter(flights);
    System.out.printf(
        "%,d flights, %s; fit on %s (%,d rows), test on %s (%,d rows)%n",
        count, split.window(), split.fit(), fitRows.count(), split.test(), testRows.count());

    fitRows
        .select("hour", "day_of_week", "distance", "origin", "destination", "delayed")
        .write()
        .mode("overwrite")
        .parquet(out.resolve("fit").toString());
    testRows
        .select("hour", "day_of_week", "distance", "origin", "destination", "delayed")
        .write()
        .mode("overwrite")
        .parquet(out.resolve("test").toString());

    List<String> numeric = List.of("hour", "day_of_week", "distance");
    List<String> categorical = List.of("origin", "destination");
    BinaryEvaluation baseline =
        Predictions.evaluate(
            GroupBaseline.score(
                fitRows, testRows, "delayed", java.util.List.of("origin", "destination")),
            GroupBaseline.PROBABILITY,
            "delayed",
            training.threshold());

    List<String[]> table = new ArrayList<>();
    List<Candidate> distinct = new ArrayList<>();
    for (Candidate candidate : training.candidates()) {
      if (distinct.stream().noneMatch(c -> c.name().equals(candidate.name()))) {
        distinct.add(candidate);
      }
    }
    Progress progress =
        new Progress(String.format("train-models, %,d rows", count), distinct.size());
    for (Candidate candidate : distinct) {
      progress.step("fitting and testing " + candidate.id());
      CandidateResult asSearched =
          new CandidateResult(candidate, List.of(), Map.of(), Map.of(), 0, 0, null);
      long start = System.nanoTime();
      TestedModel model =
          new FinalFit(numeric, categorical, "delayed", training.threshold(), training.seed())
              .fitAndTest(List.of(asSearched), fitRows, testRows)
              .get(0);
      double seconds = (System.nanoTime() - start) / 1e9;
      table.add(
          new String[] {
            candidate.name(),
            String.format("%.1f", seconds),
            String.format("%.1f", model.fitMillis() / 1000.0),
            String.format("%.4f", model.test().rocAuc())
          });
      System.out.printf(
          "  %s done in %.1f s: test ROC AUC %.4f (baseline %.4f)%n",
          candidate.id(), seconds, model.test().rocAuc(), baseline.rocAuc());
    }
    List<String> tsv = new ArrayList<>();
    tsv.add("model\ttotal_s\tfit_s\ttest_roc_auc");
    tsv.add(String.format("route baseline\t\t\t%.4f", baseline.rocAuc()));
    for (String[] row : table) {
      tsv.add(String.join("\t", row[0], row[1], row[2], row[3]));
    }
    try {
      Files.write(out.resolve("lakepipe.tsv"), tsv, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    spark.stop();
    // Spark's barrier stages (the torch family's training) leave a timer thread that is not a
    // daemon: the JVM would never end on its own. The jobs end so too (JobRunner.exit).
    System.exit(0);
  }
}
