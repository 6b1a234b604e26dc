// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.report;

import io.lakepipe.train.evaluation.BinaryEvaluation;
import io.lakepipe.train.evaluation.BinaryEvaluation.CalibrationBin;
import io.lakepipe.train.plots.Curve;
import io.lakepipe.train.plots.Plots;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Draws the plots of a training into a folder that is uploaded as the run's {@code plots/}
 * artifacts: ROC, precision-recall and calibration curves of the models next to the baseline, the
 * confusion matrix at the threshold, feature importance and per-iteration histories.
 */
public final class ModelPlots {
  /** The run's artifact folder of the plots. */
  public static final String ARTIFACT_PATH = "plots";

  private static final int TOP_FEATURES = 20;

  private ModelPlots() {}

  /**
   * Draws the plots of {@code main} (the first of {@code evaluations}, by label) into {@code dir};
   * the curves of every evaluation go on the same axes, so that the models and the baseline compare
   * at a glance.
   */
  public static void draw(
      Path dir,
      Map<String, BinaryEvaluation> evaluations,
      Map<String, Double> importance,
      Map<String, double[]> iterations) {
    List<Curve> roc = new ArrayList<>();
    List<Curve> precisionRecall = new ArrayList<>();
    List<Curve> calibration = new ArrayList<>();
    evaluations.forEach(
        (label, evaluation) -> {
          double[][] points = evaluation.rocCurve();
          roc.add(
              new Curve(
                  String.format("%s (AUC %.3f)", label, evaluation.rocAuc()),
                  points[0],
                  points[1]));
          double[][] pr = evaluation.precisionRecallCurve();
          precisionRecall.add(
              new Curve(String.format("%s (AUC %.3f)", label, evaluation.prAuc()), pr[0], pr[1]));
          CalibrationBin[] bins =
              Arrays.stream(evaluation.calibrationBins())
                  .filter(b -> b.rows() > 0)
                  .toArray(CalibrationBin[]::new);
          calibration.add(
              new Curve(
                  String.format("%s (error %.3f)", label, evaluation.calibrationError()),
                  Arrays.stream(bins).mapToDouble(CalibrationBin::meanPredicted).toArray(),
                  Arrays.stream(bins).mapToDouble(CalibrationBin::observedShare).toArray()));
        });
    BinaryEvaluation main = evaluations.values().iterator().next();
    Plots.roc(roc, dir.resolve("roc_curve.png"));
    Plots.precisionRecall(
        precisionRecall, main.positiveShare(), dir.resolve("precision_recall_curve.png"));
    Plots.calibration(calibration, dir.resolve("calibration.png"));
    Plots.confusionMatrix(
        main.trueNegatives(),
        main.falsePositives(),
        main.falseNegatives(),
        main.truePositives(),
        main.threshold(),
        dir.resolve("confusion_matrix.png"));
    if (!importance.isEmpty()) {
      Plots.featureImportance(
          importance,
          TOP_FEATURES,
          "Feature importance (share)",
          dir.resolve("feature_importance.png"));
    }
    if (!iterations.isEmpty()) {
      Plots.iterations("Per-iteration history", "value", iterations, dir.resolve("iterations.png"));
    }
  }

  /** A bar chart of one test metric per model, the baseline among them. */
  public static void comparison(
      Path dir, String metric, Map<String, BinaryEvaluation> evaluations) {
    Map<String, Double> scores = new LinkedHashMap<>();
    evaluations.forEach((label, evaluation) -> scores.put(label, evaluation.metric(metric)));
    Plots.comparison(scores, "test " + metric, dir.resolve("model_comparison.png"));
  }
}
