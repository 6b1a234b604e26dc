// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.quality;

import com.amazon.deequ.VerificationResult;
import com.amazon.deequ.VerificationSuite;
import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.cli.JobOption;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.Job;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.spark.QueryCompilation;
import io.lakepipe.core.table.TableRead;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data-quality gate of any table with checks declared in {@code lakepipe.checks}: runs the
 * declared Deequ constraints on one ds of the table, keeps every result in the declaration's
 * results table (replaced per ds), and fails when a constraint fails, so that no downstream task
 * reads the day. A gate writes no data rows: it counts the rows it checked as passed, which keeps
 * the audit rule read = written + quarantined.
 */
public final class CheckTable {
  private static final Logger LOG = LoggerFactory.getLogger(CheckTable.class);
  static final String TABLE = "table";

  /** The table to check; part of the audit name, so two checked tables on one ds stay apart. */
  public static final List<JobOption> OPTIONS =
      List.of(
          JobOption.required(TABLE, "the table to check, a key of lakepipe.checks").inAuditName());

  private CheckTable() {}

  /** Reads and validates the table's declaration before Spark starts. */
  public static Job prepare(LakepipeConfig config, Map<String, String> options) {
    CheckDeclaration declaration = CheckDeclarationReader.read(config, options.get(TABLE));
    return Job.startingInterpreted(context -> run(context, declaration));
  }

  /**
   * The Deequ verification of the declared constraints on {@code rows}, after checking that the
   * columns they name exist; {@link QualityResults} turns it into the results rows.
   */
  public static VerificationResult verify(
      Dataset<Row> rows, CheckDeclaration declaration, String description) {
    declaration.requireColumnsOf(rows);
    return new VerificationSuite().onData(rows).addCheck(declaration.check(description)).run();
  }

  static JobResult run(JobContext context, CheckDeclaration declaration) {
    String table = declaration.table();
    String tablePath = context.config().tablePath(table);
    String resultsPath = context.config().tablePath(declaration.resultsTable());
    TableRead read = context.tables().readDs(table, tablePath, context.ds());
    Dataset<Row> day = read.rows().cache();
    Dataset<Row> results = null;
    try {
      long rows = day.count();
      QueryCompilation.compileIfMoreRows(context.spark(), context.config(), rows);
      VerificationResult result = verify(day, declaration, table + " ds=" + context.ds());
      LOG.info("Checked {} rows of {} ds={} (v{})", rows, table, context.ds(), read.version());
      // Cached: written to the results table, then read again for the failures.
      results = QualityResults.rows(context.spark(), result, table, context.runId()).cache();
      long resultsVersion = context.tables().replaceDs(results, resultsPath, context.ds());
      // A failing gate leaves its results written: its audit row says so.
      context.progress().source(tablePath).rows(rows, rows, 0).wrote(resultsPath, resultsVersion);
      List<String> failures = QualityResults.failures(result, results);
      if (!failures.isEmpty()) {
        throw LakepipeErrors.qualityChecksFailed(
            table, context.ds().toString(), String.join("; ", failures));
      }
      return JobResult.builder()
          .source(tablePath)
          .rowsRead(rows)
          .rowsWritten(rows)
          .read(tablePath, read.version())
          .wrote(resultsPath, resultsVersion)
          .summary("all constraints passed; results in " + resultsPath + " v" + resultsVersion)
          .build();
    } finally {
      day.unpersist();
      if (results != null) {
        results.unpersist();
      }
    }
  }
}
