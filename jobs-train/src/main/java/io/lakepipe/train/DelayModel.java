package io.lakepipe.train;

import static org.apache.spark.sql.functions.col;

import io.lakepipe.features.FeatureCatalog;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** The flight-delay classifier: its Spark ML pipeline and how it is measured. No I/O. */
public final class DelayModel {
  /** Hyperparameters of the logistic regression. */
  public record Params(int maxIter, double regParam, double elasticNetParam) {
    Map<String, String> asMap() {
      Map<String, String> params = new LinkedHashMap<>();
      params.put("model_type", "logistic_regression");
      params.put("max_iter", String.valueOf(maxIter));
      params.put("reg_param", String.valueOf(regParam));
      params.put("elastic_net_param", String.valueOf(elasticNetParam));
      return params;
    }
  }

  private DelayModel() {}

  /**
   * Fill missing numbers (a history window without flights has no mean) with the training mean,
   * index and one-hot encode the categories, assemble everything and fit a logistic regression.
   * Categories unseen in training, or missing, get their own bucket instead of failing.
   */
  public static Pipeline pipeline(Params params, List<String> numeric, List<String> categorical) {
    List<PipelineStage> stages = new ArrayList<>();
    List<String> filled = new ArrayList<>();
    for (String column : numeric) {
      filled.add(column + "_filled");
    }
    stages.add(new Imputer()
        .setInputCols(numeric.toArray(String[]::new))
        .setOutputCols(filled.toArray(String[]::new))
        .setStrategy("mean"));
    List<String> indexed = new ArrayList<>();
    List<String> encoded = new ArrayList<>();
    for (String category : categorical) {
      indexed.add(category + "_index");
      encoded.add(category + "_vector");
    }
    stages.add(new StringIndexer()
        .setInputCols(categorical.toArray(String[]::new))
        .setOutputCols(indexed.toArray(String[]::new))
        .setHandleInvalid("keep"));
    stages.add(new OneHotEncoder()
        .setInputCols(indexed.toArray(String[]::new))
        .setOutputCols(encoded.toArray(String[]::new))
        .setHandleInvalid("keep"));
    List<String> assembled = new ArrayList<>(filled);
    assembled.addAll(encoded);
    stages.add(new VectorAssembler()
        .setInputCols(assembled.toArray(String[]::new))
        .setOutputCol("features"));
    stages.add(new LogisticRegression()
        .setLabelCol(FeatureCatalog.LABEL)
        .setFeaturesCol("features")
        .setMaxIter(params.maxIter())
        .setRegParam(params.regParam())
        .setElasticNetParam(params.elasticNetParam()));
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new));
  }

  /** ROC AUC, PR AUC and accuracy of a fitted model on labelled rows. */
  public static Map<String, Double> evaluate(PipelineModel model, Dataset<Row> labelled) {
    Dataset<Row> scored = model.transform(
        labelled.withColumn(FeatureCatalog.LABEL, col(FeatureCatalog.LABEL).cast("double")));
    BinaryClassificationEvaluator binary = new BinaryClassificationEvaluator()
        .setLabelCol(FeatureCatalog.LABEL)
        .setRawPredictionCol("rawPrediction");
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("roc_auc", binary.setMetricName("areaUnderROC").evaluate(scored));
    metrics.put("pr_auc", binary.setMetricName("areaUnderPR").evaluate(scored));
    metrics.put("accuracy", new MulticlassClassificationEvaluator()
        .setLabelCol(FeatureCatalog.LABEL)
        .setMetricName("accuracy")
        .evaluate(scored));
    return metrics;
  }
}
