// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.model;

import io.lakepipe.train.evaluation.BinaryEvaluation;
import io.lakepipe.train.evaluation.Predictions;
import io.lakepipe.train.search.CandidateResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refits chosen candidates on all days before the test and scores them on the test days. Each
 * result is one flat pipeline from feature columns to probability, as MLflow and exporters expect.
 */
public final class FinalFit {
  private static final Logger LOG = LoggerFactory.getLogger(FinalFit.class);

  private final List<String> numeric;
  private final List<String> categorical;
  private final String label;
  private final double threshold;
  private final long seed;

  public FinalFit(
      List<String> numeric, List<String> categorical, String label, double threshold, long seed) {
    this.numeric = numeric;
    this.categorical = categorical;
    this.label = label;
    this.threshold = threshold;
    this.seed = seed;
  }

  /** Refits each chosen candidate on {@code fitRows} and evaluates it on {@code testRows}. */
  public List<TestedModel> fitAndTest(
      List<CandidateResult> chosen, Dataset<Row> fitRows, Dataset<Row> testRows) {
    PipelineModel preprocessing = Preprocessing.pipeline(numeric, categorical).fit(fitRows);
    Dataset<Row> prepared =
        preprocessing.transform(fitRows).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> preparedTest =
        preprocessing.transform(testRows).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      // Cached now, so that each candidate's fit time is its own stages' (the first one's would
      // otherwise include preparing the rows all candidates share).
      prepared.count();
      Preprocessing.Layout layout = Preprocessing.layout(prepared, numeric, categorical);
      List<String> vectorSources = Preprocessing.slotSources(prepared, layout.columnSources());
      List<TestedModel> tested = new ArrayList<>();
      for (CandidateResult result : chosen) {
        Candidate candidate = result.candidate();
        long start = System.currentTimeMillis();
        List<PipelineStage> stages = candidate.type().stages(candidate, layout, seed, label);
        PipelineModel head =
            new Pipeline().setStages(stages.toArray(PipelineStage[]::new)).fit(prepared);
        long fitMillis = System.currentTimeMillis() - start;
        PipelineModel model =
            new PipelineModel(
                Identifiable.randomUID("lakepipe_model"),
                Stream.concat(Arrays.stream(preprocessing.stages()), Arrays.stream(head.stages()))
                    .toArray(Transformer[]::new));
        BinaryEvaluation test =
            Predictions.evaluate(
                head.transform(preparedTest), Predictions.PROBABILITY, label, threshold);
        Transformer classifier = head.stages()[head.stages().length - 1];
        List<String> slotSources =
            candidate.type().readsColumns() ? layout.columnSources() : vectorSources;
        Map<String, Double> importance =
            ModelInsights.slotImportance(classifier, prepared, slotSources.size())
                .map(slots -> ModelInsights.byInput(slots, slotSources))
                .orElse(Map.of());
        tested.add(
            new TestedModel(
                result,
                model,
                test,
                importance,
                ModelInsights.iterations(classifier, preparedTest, "test"),
                fitMillis));
        LOG.info("Refit {} in {} ms: test roc_auc {}", candidate.id(), fitMillis, test.rocAuc());
      }
      return tested;
    } finally {
      prepared.unpersist();
      preparedTest.unpersist();
    }
  }
}
