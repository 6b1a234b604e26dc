// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.model;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassifier;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.feature.StandardScaler;

/**
 * The model types a candidate can be, each with the grid keys it accepts and the stages it adds
 * after {@link Preprocessing}: Spark MLlib's logistic regression, gradient-boosted trees and
 * multilayer perceptron, and XGBoost on Spark.
 */
public enum ModelType {
  LOGISTIC_REGRESSION("logistic-regression", "max-iter", "reg-param", "elastic-net-param"),
  GBT("gbt", "max-iter", "max-depth", "step-size", "max-bins", "subsampling-rate"),
  MLP("mlp", "hidden-layers", "max-iter", "step-size", "block-size"),
  XGBOOST(
      "xgboost",
      "num-round",
      "max-depth",
      "eta",
      "subsample",
      "min-child-weight",
      "num-workers",
      "nthread");

  /** The standardised feature vector the perceptron reads: its gradient steps need like scales. */
  static final String SCALED_FEATURES = "scaled_features";

  /** The centred, dense feature vector XGBoost reads. */
  static final String DENSE_FEATURES = "dense_features";

  private final String configName;
  private final List<String> gridKeys;

  ModelType(String configName, String... gridKeys) {
    this.configName = configName;
    this.gridKeys = List.of(gridKeys);
  }

  public String configName() {
    return configName;
  }

  public List<String> gridKeys() {
    return gridKeys;
  }

  /** The type of a config name such as {@code gbt}, or an error listing the known ones. */
  public static ModelType named(String name) {
    return Arrays.stream(values())
        .filter(t -> t.configName.equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "Unknown model type '"
                        + name
                        + "', expected one of "
                        + Arrays.stream(values()).map(ModelType::configName).toList()));
  }

  /**
   * The stages that turn the assembled {@link Preprocessing#FEATURES} of {@code featureCount} slots
   * into a probability of the positive class of the {@code label} column (0 or 1), configured by
   * the candidate's parameters.
   */
  public List<PipelineStage> stages(
      Candidate candidate, int featureCount, long seed, String label) {
    return switch (this) {
      case LOGISTIC_REGRESSION ->
          List.of(
              new LogisticRegression()
                  .setLabelCol(label)
                  .setFeaturesCol(Preprocessing.FEATURES)
                  .setMaxIter(candidate.integer("max-iter", 100))
                  .setRegParam(candidate.number("reg-param", 0.0))
                  .setElasticNetParam(candidate.number("elastic-net-param", 0.0)));
      case GBT ->
          List.of(
              new GBTClassifier()
                  .setLabelCol(label)
                  .setFeaturesCol(Preprocessing.FEATURES)
                  .setMaxIter(candidate.integer("max-iter", 20))
                  .setMaxDepth(candidate.integer("max-depth", 5))
                  .setStepSize(candidate.number("step-size", 0.1))
                  .setMaxBins(candidate.integer("max-bins", 32))
                  .setSubsamplingRate(candidate.number("subsampling-rate", 1.0))
                  .setSeed(seed));
      case MLP -> {
        int[] hidden = candidate.integers("hidden-layers", new int[] {16});
        int[] layers =
            IntStream.concat(
                    IntStream.concat(IntStream.of(featureCount), Arrays.stream(hidden)),
                    IntStream.of(2))
                .toArray();
        yield List.of(
            new StandardScaler()
                .setInputCol(Preprocessing.FEATURES)
                .setOutputCol(SCALED_FEATURES)
                .setWithMean(false)
                .setWithStd(true),
            new MultilayerPerceptronClassifier()
                .setLabelCol(label)
                .setFeaturesCol(SCALED_FEATURES)
                .setLayers(layers)
                .setMaxIter(candidate.integer("max-iter", 100))
                .setStepSize(candidate.number("step-size", 0.03))
                .setBlockSize(candidate.integer("block-size", 128))
                .setSeed(seed));
      }
      case XGBOOST ->
          List.of(
              // XGBoost4J-Spark scores sparse vectors wrongly (its asXGB pairs the sparse indices
              // with
              // the dense values), so it gets dense ones: centring makes every entry explicit and
              // does
              // not change what a tree can split on.
              new StandardScaler()
                  .setInputCol(Preprocessing.FEATURES)
                  .setOutputCol(DENSE_FEATURES)
                  .setWithMean(true)
                  .setWithStd(false),
              xgboost(candidate, seed, label));
    };
  }

  private static XGBoostClassifier xgboost(Candidate candidate, long seed, String label) {
    XGBoostClassifier classifier = new XGBoostClassifier();
    classifier.setLabelCol(label);
    classifier.setFeaturesCol(DENSE_FEATURES);
    classifier.setObjective("binary:logistic");
    classifier.setEvalMetric("logloss");
    classifier.setNumRound(candidate.integer("num-round", 100));
    classifier.setMaxDepth(candidate.integer("max-depth", 6));
    classifier.setEta(candidate.number("eta", 0.3));
    classifier.setSubsample(candidate.number("subsample", 1.0));
    classifier.setMinChildWeight(candidate.number("min-child-weight", 1.0));
    classifier.setNumWorkers(candidate.integer("num-workers", 1));
    classifier.setNthread(candidate.integer("nthread", 1));
    classifier.setSeed(seed);
    return classifier;
  }
}
