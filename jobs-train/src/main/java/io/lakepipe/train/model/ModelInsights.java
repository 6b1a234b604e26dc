// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.model;

import static org.apache.spark.sql.functions.col;

import io.lakepipe.train.torch.TorchModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import ml.dmlc.xgboost4j.java.XGBoostError;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassificationModel;
import ml.dmlc.xgboost4j.scala.spark.XGBoostTrainingSummary;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.stat.Summarizer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;
import scala.collection.JavaConverters;

/**
 * What a fitted classifier tells about itself: its per-iteration history and feature importance.
 */
public final class ModelInsights {
  private ModelInsights() {}

  /**
   * Per-iteration histories by metric name: the training objective of logistic regression, the
   * perceptron, XGBoost and the torch network (a step per epoch), XGBoost's validation log loss
   * when it was given validation rows, and the loss after each tree of gradient-boosted trees on
   * {@code scoredPrepared}, named {@code <scoredName>_gbt_loss} (e.g. validation or test).
   */
  public static Map<String, double[]> iterations(
      Transformer classifier, Dataset<Row> scoredPrepared, String scoredName) {
    Map<String, double[]> histories = new LinkedHashMap<>();
    if (classifier instanceof LogisticRegressionModel lr && lr.hasSummary()) {
      histories.put("training_objective", lr.summary().objectiveHistory());
    } else if (classifier instanceof MultilayerPerceptronClassificationModel mlp
        && mlp.hasSummary()) {
      histories.put("training_objective", mlp.summary().objectiveHistory());
    } else if (classifier instanceof GBTClassificationModel gbt) {
      histories.put(scoredName + "_gbt_loss", gbt.evaluateEachIteration(scoredPrepared));
    } else if (classifier instanceof XGBoostClassificationModel xgb && xgb.summary().isDefined()) {
      XGBoostTrainingSummary summary = xgb.summary().get();
      histories.put("training_log_loss", toDoubles(summary.trainObjectiveHistory()));
      for (Tuple2<String, float[]> validation :
          JavaConverters.seqAsJavaListConverter(summary.validationObjectiveHistory()).asJava()) {
        histories.put("validation_log_loss", toDoubles(validation._2()));
      }
    } else if (classifier instanceof TorchModel torch && !torch.history().epochLosses().isEmpty()) {
      histories.put(
          "training_log_loss",
          torch.history().epochLosses().stream().mapToDouble(Double::doubleValue).toArray());
    }
    return histories;
  }

  /**
   * The importance of each feature vector slot, or empty for a model without one (the perceptron):
   * tree models report their split gains; for logistic regression it is the coefficient's size
   * times the slot's standard deviation on {@code trainPrepared}, so that scales do not matter.
   */
  public static Optional<double[]> slotImportance(
      Transformer classifier, Dataset<Row> trainPrepared, int featureCount) {
    if (classifier instanceof GBTClassificationModel gbt) {
      return Optional.of(gbt.featureImportances().toArray());
    }
    if (classifier instanceof LogisticRegressionModel lr) {
      Row summary =
          trainPrepared
              .select(Summarizer.metrics("std").summary(col(Preprocessing.FEATURES)).as("s"))
              .select("s.std")
              .head();
      double[] std = ((Vector) summary.get(0)).toArray();
      double[] coefficients = lr.coefficients().toArray();
      double[] importance = new double[coefficients.length];
      for (int i = 0; i < coefficients.length; i++) {
        importance[i] = Math.abs(coefficients[i]) * std[i];
      }
      return Optional.of(importance);
    }
    if (classifier instanceof XGBoostClassificationModel xgb) {
      double[] importance = new double[featureCount];
      try {
        // Slots are named f0, f1, ... by their index, a category's splits by index and the values
        // sent one way ("f3:{2,7}"), each set a key of its own; a slot never split on is absent.
        // Total gains, so that a slot's keys add up.
        Map<String, Object> gains =
            JavaConverters.mapAsJavaMapConverter(xgb.nativeBooster().getScore("", "total_gain"))
                .asJava();
        gains.forEach(
            (key, gain) ->
                importance[Integer.parseInt(key.substring(1).split(":", 2)[0])] +=
                    ((Number) gain).doubleValue());
      } catch (XGBoostError e) {
        return Optional.empty();
      }
      return Optional.of(importance);
    }
    return Optional.empty();
  }

  /** Slot importances summed per input column and scaled to sum to 1, largest first. */
  public static Map<String, Double> byInput(double[] slotImportance, List<String> slotSources) {
    Map<String, Double> sums = new TreeMap<>();
    double total = 0;
    for (int i = 0; i < slotImportance.length; i++) {
      double value = Math.abs(slotImportance[i]);
      sums.merge(slotSources.get(i), value, Double::sum);
      total += value;
    }
    double scale = total == 0 ? 0 : 1 / total;
    Map<String, Double> ranked = new LinkedHashMap<>();
    sums.entrySet().stream()
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .forEach(e -> ranked.put(e.getKey(), e.getValue() * scale));
    return ranked;
  }

  private static double[] toDoubles(float[] values) {
    double[] doubles = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      doubles[i] = values[i];
    }
    return doubles;
  }
}
