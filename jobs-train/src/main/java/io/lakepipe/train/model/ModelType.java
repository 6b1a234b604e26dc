// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.model;

import io.lakepipe.train.torch.TorchClassifier;
import io.lakepipe.train.torch.TorchSettings;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.DoubleStream;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassifier;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.SparkSession;
import scala.Option;

/**
 * The model types a candidate can be, each with the grid keys it accepts and the stages it adds
 * after {@link Preprocessing}: Spark MLlib's logistic regression, gradient-boosted trees and
 * multilayer perceptron, XGBoost on Spark, and an MLP with category embeddings in PyTorch.
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
      "nthread"),
  TORCH(
      "torch",
      "epochs",
      "batch-size",
      "learning-rate",
      "hidden-layers",
      "dropout",
      "weight-decay",
      "embed-integers-up-to",
      "num-processes",
      "threads");

  /** The standardised feature vector the perceptron reads: its gradient steps need like scales. */
  static final String SCALED_FEATURES = "scaled_features";

  /** The filled numbers and category indexes XGBoost reads, assembled, then made dense. */
  static final String XGBOOST_COLUMNS = "xgboost_columns";

  static final String XGBOOST_FEATURES = "xgboost_features";

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

  /** Whether the type reads the layout's columns instead of its assembled vector. */
  public boolean readsColumns() {
    return this == XGBOOST || this == TORCH;
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
   * The stages that turn prepared rows of this layout into a probability of the positive class of
   * the {@code label} column (0 or 1), configured by the candidate's parameters. Most types read
   * the assembled {@link Preprocessing#FEATURES}; XGBoost reads the layout's columns, splitting the
   * categories natively.
   */
  public List<PipelineStage> stages(
      Candidate candidate, Preprocessing.Layout layout, long seed, String label) {
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
                    IntStream.concat(IntStream.of(layout.vectorSize()), Arrays.stream(hidden)),
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
      case XGBOOST -> xgboostStages(candidate, layout, seed, label);
      case TORCH -> List.of(torch(candidate, layout, seed, label));
    };
  }

  /**
   * XGBoost reads its own vector: the filled numbers and the category indexes, each category one
   * slot split by partitions of its values (XGBoost's native categorical splits, as LightGBM's and
   * scikit-learn's HistGradientBoosting), where the one-hot vector spreads it over hundreds of
   * slots that each split one value off.
   */
  private static List<PipelineStage> xgboostStages(
      Candidate candidate, Preprocessing.Layout layout, long seed, String label) {
    int size = layout.columns().size();
    // XGBoost4J-Spark scores sparse vectors wrongly (its asXGB pairs the sparse indices with the
    // dense values), and an assembler writes rows with many zeros sparse. Centring by a mean of
    // zero makes every entry explicit and changes no value (nor the PMML, which skips a zero mean).
    StandardScalerModel identity =
        new StandardScalerModel(
                Identifiable.randomUID("xgboost_dense"),
                Vectors.dense(DoubleStream.generate(() -> 1).limit(size).toArray()),
                Vectors.dense(new double[size]))
            .setInputCol(XGBOOST_COLUMNS)
            .setOutputCol(XGBOOST_FEATURES);
    StandardScalerModel dense =
        identity.copy(new ParamMap().put(identity.withMean(), true).put(identity.withStd(), false));
    return List.of(
        new VectorAssembler()
            .setInputCols(layout.columns().toArray(String[]::new))
            .setOutputCol(XGBOOST_COLUMNS),
        dense,
        xgboost(candidate, layout, seed, label));
  }

  /** The network reads the raw numbers and the category indexes; its ONNX file, raw inputs. */
  private static TorchClassifier torch(
      Candidate candidate, Preprocessing.Layout layout, long seed, String label) {
    return new TorchClassifier(
        new TorchSettings(
            layout.numeric(),
            layout.categorical(),
            layout.indexColumns(),
            label,
            candidate.integer("epochs", 3),
            candidate.integer("batch-size", 8192),
            candidate.number("learning-rate", 0.003),
            Arrays.stream(candidate.integers("hidden-layers", new int[] {64, 32})).boxed().toList(),
            candidate.number("dropout", 0.0),
            candidate.number("weight-decay", 0.0),
            candidate.integer("embed-integers-up-to", 64),
            candidate.integer("num-processes", 1),
            candidate.integer("threads", 1),
            seed));
  }

  private static XGBoostClassifier xgboost(
      Candidate candidate, Preprocessing.Layout layout, long seed, String label) {
    XGBoostClassifier classifier = new XGBoostClassifier();
    classifier.setLabelCol(label);
    classifier.setFeaturesCol(XGBOOST_FEATURES);
    classifier.setFeatureTypes(
        Stream.concat(
                layout.numeric().stream().map(c -> "q"),
                layout.categorical().stream().map(c -> "c"))
            .toArray(String[]::new));
    classifier.setObjective("binary:logistic");
    classifier.setEvalMetric("logloss");
    classifier.setNumRound(candidate.integer("num-round", 100));
    classifier.setMaxDepth(candidate.integer("max-depth", 6));
    classifier.setEta(candidate.number("eta", 0.3));
    classifier.setSubsample(candidate.number("subsample", 1.0));
    classifier.setMinChildWeight(candidate.number("min-child-weight", 1.0));
    int workers = candidate.integer("num-workers", 1);
    classifier.setNumWorkers(workers);
    // Each worker needs rows: the rows of a few days can sit in fewer partitions than workers (a
    // day's filter leaves the others empty, and XGBoost fails to create their DMatrix). Dealt out
    // round robin, every worker gets its share.
    classifier.setForceRepartition(workers > 1);
    classifier.setNthread(candidate.integer("nthread", 1));
    classifier.setSeed(seed);
    // XGBoost's tracker, which its workers reach and which links them, binds to the host's own
    // address unless told one: the driver's (127.0.0.1 on one machine, where nothing may listen
    // beyond loopback; the driver's reachable address on a cluster).
    driverHost().ifPresent(classifier::setRabitTrackerHostIp);
    return classifier;
  }

  /** The Spark driver's host, when a session runs (checking a config builds stages without one). */
  private static Optional<String> driverHost() {
    Option<SparkSession> session = SparkSession.getActiveSession();
    if (session.isEmpty()) {
      session = SparkSession.getDefaultSession();
    }
    return session.isEmpty()
        ? Optional.empty()
        : Optional.of(session.get().sparkContext().getConf().get("spark.driver.host"));
  }
}
