// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.evaluation;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;

import java.util.List;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Brings scored rows to the driver as labels and probabilities of the positive class, to evaluate
 * them.
 */
public final class Predictions {
  /** The probability vector that Spark's classifiers add. */
  public static final String PROBABILITY = "probability";

  private Predictions() {}

  /**
   * Scored rows with the positive class's probability of {@link #PROBABILITY} as the column {@code
   * name}.
   */
  public static Dataset<Row> withPositiveProbability(Dataset<Row> scored, String name) {
    return scored.withColumn(name, positiveProbability(scored, PROBABILITY));
  }

  private static Column positiveProbability(Dataset<Row> scored, String probabilityColumn) {
    return scored.schema().apply(probabilityColumn).dataType() instanceof VectorUDT
        ? vector_to_array(col(probabilityColumn), "float64").getItem(1)
        : col(probabilityColumn).cast("double");
  }

  /**
   * Evaluates scored rows: {@code probabilityColumn} is a Spark probability vector (its second
   * entry is the positive class's) or a plain number, against the 0/1 {@code label} column.
   */
  public static BinaryEvaluation evaluate(
      Dataset<Row> scored, String probabilityColumn, String label, double threshold) {
    Column probability = positiveProbability(scored, probabilityColumn);
    List<Row> collected = scored.select(col(label).cast("double"), probability).collectAsList();
    double[] labels = new double[collected.size()];
    double[] probabilities = new double[collected.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = collected.get(i).getDouble(0);
      probabilities[i] = collected.get(i).getDouble(1);
    }
    return BinaryEvaluation.of(labels, probabilities, threshold);
  }
}
