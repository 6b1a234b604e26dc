// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lakepipe.core.SparkTestBase;
import io.lakepipe.train.evaluation.BinaryEvaluation;
import io.lakepipe.train.evaluation.GroupBaseline;
import io.lakepipe.train.evaluation.Predictions;
import io.lakepipe.train.model.Candidate;
import io.lakepipe.train.model.FinalFit;
import io.lakepipe.train.model.ModelType;
import io.lakepipe.train.model.Preprocessing;
import io.lakepipe.train.model.TestedModel;
import io.lakepipe.train.split.TimeSplit;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassifier;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The search, the refit and the baseline on synthetic flights of four days, without I/O. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainingPipelineTest extends SparkTestBase {
  // A training set as the pure stages take it (features with the label), not a table of the lake.
  static final StructType FLIGHTS =
      new StructType()
          .add("flight_id", DataTypes.StringType)
          .add("ds", DataTypes.DateType)
          .add("hour", DataTypes.IntegerType)
          .add("distance", DataTypes.DoubleType)
          .add("origin", DataTypes.StringType)
          .add("destination", DataTypes.StringType)
          .add("delayed", DataTypes.DoubleType);
  static final List<String> NUMERIC = List.of("hour", "distance");
  static final List<String> CATEGORICAL = List.of("origin", "destination");
  static final LocalDate DS = LocalDate.of(2001, 1, 15);

  private Dataset<Row> flights;
  private List<CandidateResult> searched;
  private List<TestedModel> tested;

  /** Evening flights (from 17:00) and flights from ORD are late, with one label in ten flipped. */
  static Dataset<Row> syntheticFlights(int perDay, int days, long seed) {
    Random random = new Random(seed);
    String[] airports = {"ORD", "ATL", "DEN", "LAX"};
    List<Object[]> rows = new ArrayList<>();
    for (int day = 0; day < days; day++) {
      for (int i = 0; i < perDay; i++) {
        String origin = airports[random.nextInt(airports.length)];
        int hour = random.nextInt(24);
        boolean late = (hour >= 17 || origin.equals("ORD")) != (random.nextInt(10) == 0);
        rows.add(
            new Object[] {
              day + "-" + i,
              java.sql.Date.valueOf(DS.minusDays(days - 1 - day)),
              hour,
              random.nextInt(10) == 0 ? null : 100.0 + random.nextInt(2000),
              origin,
              airports[random.nextInt(airports.length)],
              late ? 1.0 : 0.0
            });
      }
    }
    return rows(FLIGHTS, rows.toArray(Object[][]::new));
  }

  static Candidate candidate(ModelType type, Map<String, Object> params) {
    return new Candidate(type.configName(), type, 1, params);
  }

  @BeforeAll
  void searchAndRefitEveryModelType() {
    flights = syntheticFlights(300, 4, 7).cache();
    TimeSplit split = TimeSplit.ending(DS, 4, 1, 1);
    List<Candidate> candidates =
        List.of(
            candidate(ModelType.LOGISTIC_REGRESSION, Map.of("max-iter", 30, "reg-param", 0.01)),
            candidate(ModelType.GBT, Map.of("max-iter", 10, "max-depth", 3)),
            candidate(ModelType.MLP, Map.of("hidden-layers", List.of(8), "max-iter", 50)),
            candidate(ModelType.XGBOOST, Map.of("num-round", 20, "max-depth", 3, "nthread", 1)),
            candidate(
                ModelType.TORCH,
                Map.of("epochs", 8, "batch-size", 64, "hidden-layers", List.of(16))));
    searched =
        new HyperparameterSearch(NUMERIC, CATEGORICAL, "delayed", 0.5, 42, 2)
            .run(flights, split.holdout(), candidates);
    tested =
        new FinalFit(NUMERIC, CATEGORICAL, "delayed", 0.5, 42)
            .fitAndTest(
                HyperparameterSearch.bestPerFamily(searched, "roc_auc"),
                split.fit().filter(flights),
                split.test().filter(flights));
  }

  @Test
  void everyModelTypeLearnsTheSignalOnLaterDays() {
    assertThat(searched)
        .hasSize(5)
        .allSatisfy(
            result -> {
              assertThat(result.failed()).as(result.failure()).isFalse();
              // The signal is there up to the 10% flipped labels: high, but not perfect.
              assertThat(result.score("roc_auc")).as(result.candidate().id()).isBetween(0.8, 0.99);
            });
    assertThat(tested)
        .hasSize(5)
        .allSatisfy(
            model ->
                assertThat(model.test().rocAuc()).as(model.candidate().id()).isBetween(0.8, 0.99));
  }

  @Test
  void bestPerFamilyIsOrderedByTheSearchMetric() {
    List<Double> scores =
        HyperparameterSearch.bestPerFamily(searched, "roc_auc").stream()
            .map(r -> r.score("roc_auc"))
            .toList();

    assertThat(scores).isSortedAccordingTo((a, b) -> Double.compare(b, a));
    List<Double> losses =
        HyperparameterSearch.bestPerFamily(searched, "log_loss").stream()
            .map(r -> r.score("log_loss"))
            .toList();
    assertThat(losses).isSorted();
  }

  @Test
  void modelsTellTheirIterationsAndWhatDroveThem() {
    for (TestedModel model : tested) {
      assertThat(model.iterations()).as(model.candidate().id()).isNotEmpty();
      // The networks report no importance.
      if (model.candidate().type() != ModelType.MLP
          && model.candidate().type() != ModelType.TORCH) {
        // Hour and origin carry the signal; the destination is noise.
        assertThat(model.importance().keySet())
            .as(model.candidate().id())
            .containsAnyOf("hour", "origin")
            .isSubsetOf("hour", "distance", "origin", "destination");
        assertThat(model.importance().values().stream().mapToDouble(Double::doubleValue).sum())
            .isCloseTo(1.0, within(1e-9));
        assertThat(model.importance().get("destination"))
            .isLessThan(Math.max(model.importance().get("hour"), model.importance().get("origin")));
      }
    }
    assertThat(
            tested.stream()
                .filter(m -> m.candidate().type() == ModelType.XGBOOST)
                .findFirst()
                .orElseThrow()
                .iterations())
        .containsKey("training_log_loss");
  }

  /**
   * XGBoost's tracker binds to the address it is given, else to the host's own: it gets the
   * driver's, so that on one machine its workers meet on loopback (127.0.0.1 in this session).
   */
  @Test
  void xgboostsTrackerIsOnTheDriversAddress() {
    List<PipelineStage> stages = xgboostStages(prepared(flights), Map.of("num-workers", 2));

    XGBoostClassifier classifier = (XGBoostClassifier) stages.get(stages.size() - 1);
    assertThat(classifier.getRabitTrackerHostIp())
        .isEqualTo(spark.conf().get("spark.driver.host"))
        .isEqualTo("127.0.0.1");
  }

  /**
   * One day's rows in one of two partitions, as a filter of a few days can leave them: each of two
   * XGBoost workers still gets rows (XGBoost fails to create an empty worker's DMatrix).
   */
  @Test
  void xgboostWithTwoWorkersTrainsOnRowsThatSitInOnePartition() {
    Dataset<Row> oneDay =
        flights
            .repartition(2, functions.col("ds"))
            .where(functions.col("ds").equalTo(java.sql.Date.valueOf(DS)));
    Dataset<Row> prepared = prepared(oneDay);
    List<PipelineStage> stages = xgboostStages(prepared, Map.of("num-round", 5, "num-workers", 2));

    PipelineModel model =
        new Pipeline().setStages(stages.toArray(PipelineStage[]::new)).fit(prepared);

    assertThat(model.transform(prepared).select(Predictions.PROBABILITY).count())
        .isEqualTo(oneDay.count())
        .isPositive();
  }

  /** {@code rows} through the shared preprocessing, fit on them. */
  private static Dataset<Row> prepared(Dataset<Row> rows) {
    return Preprocessing.pipeline(NUMERIC, CATEGORICAL).fit(rows).transform(rows);
  }

  /** The stages of an XGBoost candidate with {@code params} over {@code prepared} rows. */
  private static List<PipelineStage> xgboostStages(
      Dataset<Row> prepared, Map<String, Object> params) {
    return ModelType.XGBOOST.stages(
        candidate(ModelType.XGBOOST, params),
        Preprocessing.layout(prepared, NUMERIC, CATEGORICAL),
        42,
        "delayed");
  }

  @Test
  void refitModelsScoreUnseenAndMissingInputs() {
    Dataset<Row> odd =
        rows(
            FLIGHTS,
            new Object[] {"x", java.sql.Date.valueOf(DS), 9, null, "ZZZ", null, 0.0},
            new Object[] {"y", java.sql.Date.valueOf(DS), 20, 1e9, "ORD", "???", 1.0});
    for (TestedModel model : tested) {
      List<Row> scored =
          model.model().transform(odd).select(Predictions.PROBABILITY).collectAsList();
      assertThat(scored)
          .hasSize(2)
          .allSatisfy(
              r ->
                  assertThat(r.<Vector>getAs(0).apply(1))
                      .as(model.candidate().id())
                      .isBetween(0.0, 1.0));
    }
  }

  @Test
  void theRouteBaselineIsTheRoutesDelayShareOrTheOverallOne() {
    Dataset<Row> fit =
        rows(
            FLIGHTS,
            new Object[] {"1", java.sql.Date.valueOf(DS), 1, 1.0, "ORD", "ATL", 1.0},
            new Object[] {"2", java.sql.Date.valueOf(DS), 1, 1.0, "ORD", "ATL", 0.0},
            new Object[] {"3", java.sql.Date.valueOf(DS), 1, 1.0, "DEN", "LAX", 0.0},
            new Object[] {"4", java.sql.Date.valueOf(DS), 1, 1.0, "DEN", "LAX", 0.0});
    Dataset<Row> score =
        rows(
            FLIGHTS,
            new Object[] {"a", java.sql.Date.valueOf(DS), 1, 1.0, "ORD", "ATL", 1.0},
            new Object[] {"b", java.sql.Date.valueOf(DS), 1, 1.0, "DEN", "LAX", 0.0},
            new Object[] {"c", java.sql.Date.valueOf(DS), 1, 1.0, "ATL", "ORD", 0.0});

    Map<String, Double> baseline = new java.util.HashMap<>();
    GroupBaseline.score(fit, score, "delayed", java.util.List.of("origin", "destination"))
        .collectAsList()
        .forEach(r -> baseline.put(r.getAs("flight_id"), r.getAs(GroupBaseline.PROBABILITY)));

    assertThat(baseline).containsExactlyInAnyOrderEntriesOf(Map.of("a", 0.5, "b", 0.0, "c", 0.25));
    BinaryEvaluation evaluation =
        Predictions.evaluate(
            GroupBaseline.score(fit, score, "delayed", java.util.List.of("origin", "destination")),
            GroupBaseline.PROBABILITY,
            "delayed",
            0.3);
    assertThat(evaluation.rows()).isEqualTo(3);
    assertThat(evaluation.rocAuc()).isEqualTo(1.0);
  }

  @Test
  void rocAucAgreesWithSparksEvaluator() {
    TestedModel model = tested.get(0);
    Dataset<Row> scored = model.model().transform(flights);
    double spark =
        new org.apache.spark.ml.evaluation.BinaryClassificationEvaluator()
            .setLabelCol("delayed")
            .setRawPredictionCol("probability")
            .setNumBins(0)
            .evaluate(scored);

    assertThat(Predictions.evaluate(scored, Predictions.PROBABILITY, "delayed", 0.5).rocAuc())
        .isCloseTo(spark, within(1e-9));
  }
}
