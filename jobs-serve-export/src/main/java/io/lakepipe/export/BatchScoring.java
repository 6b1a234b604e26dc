// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.export;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.lakepipe.core.tracking.ModelVersion;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Scores feature rows with a registered model version. Pure transformation, no I/O. */
public final class BatchScoring {
  private BatchScoring() {}

  /** One prediction row per feature row: the flight key, P(delayed), the label, and the model. */
  public static Dataset<Row> predict(
      PipelineModel model, ModelVersion version, Dataset<Row> features) {
    return model
        .transform(features)
        .select(
            col("flight_id"),
            col("flight_ts"),
            col("origin"),
            col("destination"),
            vector_to_array(col("probability"), "float64").getItem(1).as("delay_probability"),
            col("prediction").cast("int").as("predicted_delayed"),
            lit(version.name()).as("model_name"),
            lit(version.version()).as("model_version"));
  }
}
