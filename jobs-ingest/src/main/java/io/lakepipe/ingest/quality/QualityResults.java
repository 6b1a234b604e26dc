// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.quality;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;

import com.amazon.deequ.VerificationResult;
import com.amazon.deequ.VerificationResult$;
import com.amazon.deequ.checks.CheckStatus;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Deequ results as rows of the quality metrics table: one row per constraint (with its status and
 * message) and one per computed metric (with its value), so that both can be charted over ds.
 */
public final class QualityResults {
  /**
   * The columns of the quality results table that {@link #rows} gives, before {@code ds} (which the
   * write adds): what the report and its tests read.
   */
  public static final StructType SCHEMA =
      new StructType()
          .add("kind", DataTypes.StringType)
          .add("name", DataTypes.StringType)
          .add("instance", DataTypes.StringType)
          .add("value", DataTypes.DoubleType)
          .add("status", DataTypes.StringType)
          .add("message", DataTypes.StringType)
          .add("table_name", DataTypes.StringType)
          .add("run_id", DataTypes.StringType)
          .add("checked_at", DataTypes.TimestampType);

  private QualityResults() {}

  public static Dataset<Row> rows(
      SparkSession spark, VerificationResult result, String table, String runId) {
    VerificationResult$ deequ = VerificationResult$.MODULE$;
    // Deequ's defaults for the last argument: every check, every metric.
    Dataset<Row> constraints =
        deequ
            .checkResultsAsDataFrame(spark, result, deequ.checkResultsAsDataFrame$default$3())
            .select(
                lit("constraint").as("kind"),
                col("constraint").as("name"),
                lit(null).cast("string").as("instance"),
                lit(null).cast("double").as("value"),
                col("constraint_status").as("status"),
                col("constraint_message").as("message"));
    Dataset<Row> metrics =
        deequ
            .successMetricsAsDataFrame(spark, result, deequ.successMetricsAsDataFrame$default$3())
            .select(
                lit("metric").as("kind"),
                col("name"),
                col("instance"),
                col("value"),
                lit(null).cast("string").as("status"),
                lit(null).cast("string").as("message"));
    return constraints
        .unionByName(metrics)
        .withColumn("table_name", lit(table))
        .withColumn("run_id", lit(runId))
        .withColumn("checked_at", current_timestamp())
        // Exactly the published columns: one missing above fails here, one not in SCHEMA is
        // dropped.
        .to(SCHEMA);
  }

  /** The failed constraints with their messages, one per line; empty when every check passed. */
  public static List<String> failures(VerificationResult result, Dataset<Row> rows) {
    if (result.status() == CheckStatus.Success()) {
      return List.of();
    }
    return rows
        .where(col("kind").equalTo("constraint").and(col("status").notEqual("Success")))
        .collectAsList()
        .stream()
        .map(r -> r.<String>getAs("name") + ": " + r.<String>getAs("message"))
        .toList();
  }
}
