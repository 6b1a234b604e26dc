// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.report;

import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.TableRows;
import io.lakepipe.core.audit.AuditLog;
import io.lakepipe.core.table.DeltaTables;
import io.lakepipe.features.quality.CheckFeatures;
import io.lakepipe.ingest.quality.QualityResults;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.types.StructType;

/**
 * Rows of the audit and quality tables, on the schemas their writers publish, for the report's
 * tests.
 */
abstract class ReportFixtures extends SparkTestBase {
  static final LocalDate DS = LocalDate.parse("2001-01-15");

  static final StructType AUDIT = AuditLog.SCHEMA;
  static final StructType BRONZE_QUALITY = DeltaTables.withDs(QualityResults.SCHEMA);
  static final StructType FEATURE_QUALITY = DeltaTables.withDs(CheckFeatures.METRICS_SCHEMA);

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
    return TableRows.row(
        AUDIT,
        "run_id",
        runId,
        "job",
        job,
        "ds",
        Date.valueOf(ds),
        "status",
        status,
        "rows_read",
        read,
        "rows_written",
        written,
        "rows_quarantined",
        quarantined,
        "started_at",
        Timestamp.from(Instant.parse(startedAt)),
        "duration_ms",
        durationMs,
        "message",
        message);
  }

  static Object[] constraint(String name, String status, String ds) {
    return TableRows.row(
        BRONZE_QUALITY,
        "kind",
        "constraint",
        "name",
        name,
        "status",
        status,
        "message",
        "",
        "ds",
        Date.valueOf(ds));
  }

  static Object[] metric(String name, double value, String ds) {
    return TableRows.row(
        BRONZE_QUALITY,
        "kind",
        "metric",
        "name",
        name,
        "instance",
        "delay",
        "value",
        value,
        "ds",
        Date.valueOf(ds));
  }

  static Object[] feature(String name, Double psi, String gate, String reason, String ds) {
    return TableRows.row(
        FEATURE_QUALITY,
        "feature",
        name,
        "psi",
        psi,
        "gate",
        gate,
        "gate_reason",
        reason,
        "ds",
        Date.valueOf(ds));
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
        "http://127.0.0.1:5000/#/experiments/1/runs/" + runId,
        "promoted",
        "promoted: test roc_auc 0.62490 against the champion's 0.61000, a gain of +0.01490 (95% CI"
            + " +0.00700 to +0.02280, DeLong, 16781 rows), at least 0.002",
        List.of(new TrainingScore.GateDay(LocalDate.parse(ds), roc, 0.61)),
        "passed: 2000 rows replayed through the scorer, max |scorer - Spark| 3.331e-16 (bound"
            + " 1.0e-09), p99 latency 8.57 ms (budget 20.00 ms)");
  }
}
