package io.lakepipe.ingest.quality;

import com.amazon.deequ.VerificationResult;
import com.amazon.deequ.VerificationSuite;
import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.table.TableRead;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data-quality gate after ingest: runs the Deequ constraints on one ds of bronze flights, keeps
 * every result in the quality metrics table (replaced per ds), and fails when a constraint fails, so
 * that no downstream task reads the day. A gate writes no data rows: it counts the rows it checked as
 * passed, which keeps the audit rule read = written + quarantined.
 */
public final class CheckBronzeFlights {
  private static final Logger LOG = LoggerFactory.getLogger(CheckBronzeFlights.class);
  private static final String TABLE = "bronze-flights";

  private CheckBronzeFlights() {}

  public static JobResult run(JobContext context) {
    String bronzePath = context.config().tablePath(TABLE);
    String metricsPath = context.config().tablePath("quality-bronze-flights");
    TableRead bronze = context.tables().readDs(TABLE, bronzePath, context.ds());
    Dataset<Row> day = bronze.rows().cache();
    Dataset<Row> results = null;
    try {
      long rows = day.count();
      LOG.info("Checking {} rows of {} ds={} (v{})", rows, TABLE, context.ds(), bronze.version());
      VerificationResult result = new VerificationSuite().onData(day)
          .addCheck(BronzeFlightChecks.fromConfig(context.config(), TABLE + " ds=" + context.ds()))
          .run();
      // Cached: written to the metrics table, then read again for the failures.
      results = QualityResults.rows(context.spark(), result, TABLE, context.runId())
          .cache();
      long metricsVersion = context.tables().replaceDs(results, metricsPath, context.ds());
      List<String> failures = QualityResults.failures(result, results);
      if (!failures.isEmpty()) {
        throw LakepipeErrors.qualityChecksFailed(TABLE, context.ds().toString(),
            String.join("; ", failures));
      }
      return JobResult.builder()
          .source(bronzePath)
          .rowsRead(rows)
          .rowsWritten(rows)
          .read(bronzePath, bronze.version())
          .wrote(metricsPath, metricsVersion)
          .summary("all constraints passed; results in " + metricsPath + " v" + metricsVersion)
          .build();
    } finally {
      day.unpersist();
      if (results != null) {
        results.unpersist();
      }
    }
  }
}
