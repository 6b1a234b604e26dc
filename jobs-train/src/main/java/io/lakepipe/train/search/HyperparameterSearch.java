// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.search;

import io.lakepipe.train.evaluation.BinaryEvaluation;
import io.lakepipe.train.evaluation.Predictions;
import io.lakepipe.train.model.Candidate;
import io.lakepipe.train.model.ModelInsights;
import io.lakepipe.train.model.Preprocessing;
import io.lakepipe.train.split.Fold;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassifier;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fits every candidate on every fold of a time split and scores it on the fold's validation days,
 * several candidates at a time. The preprocessing is fit once per fold, on its training days only,
 * and its output is cached for all candidates.
 */
public final class HyperparameterSearch {
  private static final Logger LOG = LoggerFactory.getLogger(HyperparameterSearch.class);

  private final List<String> numeric;
  private final List<String> categorical;
  private final String label;
  private final double threshold;
  private final long seed;
  private final int parallelism;

  public HyperparameterSearch(
      List<String> numeric,
      List<String> categorical,
      String label,
      double threshold,
      long seed,
      int parallelism) {
    this.numeric = numeric;
    this.categorical = categorical;
    this.label = label;
    this.threshold = threshold;
    this.seed = seed;
    this.parallelism = Math.max(1, parallelism);
  }

  /** Prepared rows of one fold, shared by the candidates fit on it. */
  private record PreparedFold(
      Fold fold, Dataset<Row> train, Dataset<Row> validation, Preprocessing.Layout layout) {}

  /** Runs the search; results come in the candidates' order. */
  public List<CandidateResult> run(
      Dataset<Row> rows, List<Fold> folds, List<Candidate> candidates) {
    List<PreparedFold> prepared = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(parallelism);
    try {
      for (Fold fold : folds) {
        prepared.add(prepare(rows, fold));
      }
      AtomicInteger done = new AtomicInteger();
      List<Future<CandidateResult>> futures = new ArrayList<>();
      for (Candidate candidate : candidates) {
        futures.add(
            pool.submit(
                () -> {
                  CandidateResult result = evaluate(candidate, prepared);
                  LOG.info(
                      "Search {}/{}: {} {}",
                      done.incrementAndGet(),
                      candidates.size(),
                      candidate.id(),
                      result.failed()
                          ? "failed: " + result.failure()
                          : "validation " + result.meanMetrics());
                  return result;
                }));
      }
      List<CandidateResult> results = new ArrayList<>();
      for (Future<CandidateResult> future : futures) {
        results.add(future.get());
      }
      return results;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("The hyperparameter search was interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("The hyperparameter search failed: " + e.getCause(), e);
    } finally {
      pool.shutdownNow();
      prepared.forEach(
          p -> {
            p.train().unpersist();
            p.validation().unpersist();
          });
    }
  }

  /** The best result per candidate family (its name), best family first, failures left out. */
  public static List<CandidateResult> bestPerFamily(List<CandidateResult> results, String metric) {
    Comparator<CandidateResult> better = Comparator.comparingDouble(r -> r.score(metric));
    if (BinaryEvaluation.higherIsBetter(metric)) {
      better = better.reversed();
    }
    Map<String, CandidateResult> best = new LinkedHashMap<>();
    results.stream()
        .filter(r -> !r.failed())
        .sorted(better)
        .forEach(r -> best.putIfAbsent(r.candidate().name(), r));
    return List.copyOf(best.values());
  }

  private PreparedFold prepare(Dataset<Row> rows, Fold fold) {
    Dataset<Row> train = fold.train().filter(rows);
    PipelineModel preprocessing = Preprocessing.pipeline(numeric, categorical).fit(train);
    Dataset<Row> preparedTrain =
        preprocessing.transform(train).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> preparedValidation =
        preprocessing
            .transform(fold.validation().filter(rows))
            .persist(StorageLevel.MEMORY_AND_DISK());
    return new PreparedFold(
        fold,
        preparedTrain,
        preparedValidation,
        Preprocessing.layout(preparedTrain, numeric, categorical));
  }

  private CandidateResult evaluate(Candidate candidate, List<PreparedFold> prepared) {
    long start = System.currentTimeMillis();
    List<Map<String, Double>> foldMetrics = new ArrayList<>();
    Map<String, double[]> iterations = Map.of();
    try {
      for (PreparedFold fold : prepared) {
        List<PipelineStage> stages = candidate.type().stages(candidate, fold.layout(), seed, label);
        if (stages.get(stages.size() - 1) instanceof XGBoostClassifier xgboost) {
          // Lets XGBoost record its validation loss after every round, for the per-round plot.
          xgboost.setEvalDataset(
              new Pipeline()
                  .setStages(stages.subList(0, stages.size() - 1).toArray(PipelineStage[]::new))
                  .fit(fold.train())
                  .transform(fold.validation()));
        }
        PipelineModel model =
            new Pipeline().setStages(stages.toArray(PipelineStage[]::new)).fit(fold.train());
        BinaryEvaluation evaluation =
            Predictions.evaluate(
                model.transform(fold.validation()), Predictions.PROBABILITY, label, threshold);
        foldMetrics.add(evaluation.metrics());
        Transformer classifier = model.stages()[model.stages().length - 1];
        iterations = ModelInsights.iterations(classifier, fold.validation(), "validation");
      }
    } catch (Exception | LinkageError e) {
      LOG.warn("Candidate {} could not be fit; the search goes on without it", candidate.id(), e);
      return new CandidateResult(
          candidate,
          foldMetrics,
          Map.of(),
          Map.of(),
          start,
          System.currentTimeMillis(),
          e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    return new CandidateResult(
        candidate,
        foldMetrics,
        mean(foldMetrics),
        iterations,
        start,
        System.currentTimeMillis(),
        null);
  }

  static Map<String, Double> mean(List<Map<String, Double>> folds) {
    Map<String, Double> mean = new LinkedHashMap<>();
    for (String metric : folds.get(0).keySet()) {
      mean.put(metric, folds.stream().mapToDouble(m -> m.get(metric)).average().orElseThrow());
    }
    return mean;
  }
}
