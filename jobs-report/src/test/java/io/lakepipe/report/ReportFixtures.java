// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.report;

import io.lakepipe.core.SparkTestBase;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Rows shaped like the audit and quality tables, for the report's tests. */
abstract class ReportFixtures extends SparkTestBase {
  static final LocalDate DS = LocalDate.parse("2001-01-15");

  static final StructType AUDIT =
      new StructType()
          .add("run_id", DataTypes.StringType)
          .add("job", DataTypes.StringType)
          .add("source", DataTypes.StringType)
          .add("ds", DataTypes.DateType)
          .add("status", DataTypes.StringType)
          .add("rows_read", DataTypes.LongType)
          .add("rows_written", DataTypes.LongType)
          .add("rows_quarantined", DataTypes.LongType)
          .add("started_at", DataTypes.TimestampType)
          .add("duration_ms", DataTypes.LongType)
          .add("message", DataTypes.StringType);

  static final StructType BRONZE_QUALITY =
      new StructType()
          .add("kind", DataTypes.StringType)
          .add("name", DataTypes.StringType)
          .add("instance", DataTypes.StringType)
          .add("value", DataTypes.DoubleType)
          .add("status", DataTypes.StringType)
          .add("message", DataTypes.StringType)
          .add("ds", DataTypes.DateType);

  static final StructType FEATURE_QUALITY =
      new StructType()
          .add("feature", DataTypes.StringType)
          .add("psi", DataTypes.DoubleType)
          .add("gate", DataTypes.StringType)
          .add("gate_reason", DataTypes.StringType)
          .add("ds", DataTypes.DateType);

  static Object[] audit(
      String runId,
      String job,
      String ds,
      String status,
      long read,
      long written,
      long quarantined,
      String startedAt,
      long durationMs,
      String message) {
    return new Object[] {
      runId,
      job,
      null,
      Date.valueOf(ds),
      status,
      read,
      written,
      quarantined,
      Timestamp.from(Instant.parse(startedAt)),
      durationMs,
      message
    };
  }

  static Object[] constraint(String name, String status, String ds) {
    return new Object[] {"constraint", name, null, null, status, "", Date.valueOf(ds)};
  }

  static Object[] metric(String name, double value, String ds) {
    return new Object[] {"metric", name, "delay", value, null, null, Date.valueOf(ds)};
  }

  static Object[] feature(String name, Double psi, String gate, String reason, String ds) {
    return new Object[] {name, psi, gate, reason, Date.valueOf(ds)};
  }

  static TrainingScore score(String ds, String runId, double roc, double baselineRoc) {
    return new TrainingScore(
        LocalDate.parse(ds),
        runId,
        "gradient_boosted_trees-1",
        roc,
        0.31,
        0.52,
        baselineRoc,
        0.28,
        1.9,
        "http://127.0.0.1:5000/#/experiments/1/runs/" + runId);
  }
}
