// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.cli;

import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.audit.AuditLog;
import io.lakepipe.core.audit.AuditRecord;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.Job;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobPlan;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.monitoring.PushgatewayPublisher;
import io.lakepipe.core.spark.QueryCompilation;
import io.lakepipe.core.spark.SparkSessions;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a job the way every lakepipe main does: parse the arguments (the common ones and the job's
 * own {@link JobOption}s), load the config, let the job prepare itself ({@link JobPlan}), build the
 * session, run, append the audit row, and turn any failure into a non-zero exit code with one clear
 * line on stderr.
 */
public final class JobRunner {
  private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

  /** How long a range run keeps its days' audit rows before it appends them together. */
  static final Duration AUDIT_BATCH = Duration.ofSeconds(30);

  private JobRunner() {}

  /**
   * Ends a job's main with the exit code of {@link #execute}: {@code System.exit(code)}, except
   * after success in a YARN application master (YARN cluster deploy mode), where the main returns
   * instead. There Spark runs the main in a thread and marks an application whose main called
   * {@code System.exit(0)} FAILED ("Shutdown hook called before final status was reported").
   */
  public static void exit(int code) {
    boolean yarnApplicationMaster =
        "yarn".equals(System.getProperty("spark.master"))
            && "cluster".equals(System.getProperty("spark.submit.deployMode"));
    if (code != 0 || !yarnApplicationMaster) {
      System.exit(code);
    }
  }

  /** Runs the job and returns the process exit code; mains pass it to {@link #exit}. */
  public static int execute(String jobName, String[] args, Job job) {
    return execute(jobName, args, List.of(), (config, options) -> job);
  }

  /**
   * Runs a job that takes options of its own (read with {@code context.option(name)}) and returns
   * the process exit code.
   */
  public static int execute(String jobName, String[] args, List<JobOption> options, Job job) {
    return execute(jobName, args, options, (config, values) -> job);
  }

  /**
   * Runs a job that takes options of its own and prepares itself before Spark starts: arguments,
   * config, then {@code plan}, each of which may stop the run with a one-line error, and only then
   * the session, the job and its audit row. Returns the process exit code.
   */
  public static int execute(String jobName, String[] args, List<JobOption> options, JobPlan plan) {
    String runName = jobName;
    RangeRun range = null;
    try {
      JobOptions parsed = JobOptions.parse(options, args);
      runName = parsed.runName(jobName);
      LakepipeConfig config = LakepipeConfig.load(parsed.configFile());
      Job job = plan.prepare(config, parsed.values());
      range = new RangeRun(runName, parsed.days());
      try (SparkSession spark = SparkSessions.create("lakepipe-" + runName, config)) {
        runDays(range, job, spark, config, parsed.values());
      }
      return 0;
    } catch (LakepipeException e) {
      System.err.println("lakepipe " + runName + " failed" + where(range) + ": " + e.getMessage());
      return e.exitCode();
    } catch (Exception e) {
      // Spark also throws checked exceptions (AnalysisException) that Java does not see declared.
      LOG.error("Unexpected failure of {}{}", runName, where(range), e);
      System.err.println(
          "lakepipe "
              + runName
              + " failed unexpectedly"
              + where(range)
              + ": "
              + e
              + ". This is a bug or an environment problem; the stack trace is in the log above.");
      return LakepipeException.EXIT_FAILED;
    }
  }

  /**
   * Runs the job for each day of {@code range}, oldest first, in one session, each day as its own
   * audited run with its own run id, exactly as a daily run of that day; stops at the first day
   * that fails.
   */
  static void runDays(
      RangeRun range,
      Job job,
      SparkSession spark,
      LakepipeConfig config,
      Map<String, String> options) {
    // A daily run appends its row at once; a range run's days share commits (AuditLog.batched).
    AuditLog audit =
        AuditLog.batched(
            spark,
            config.tablePath("audit-runs"),
            range.days().size() == 1 ? Duration.ZERO : AUDIT_BATCH);
    if (range.days().size() == 1
        && job.startsInterpreted()
        && QueryCompilation.interpretsSmallDays(config)) {
      // Until the job finds its day large: compiling costs a small day more than it saves.
      QueryCompilation.interpret(spark);
      LOG.info(
          "One day: Spark's queries start interpreted, until the day proves large"
              + " (lakepipe.spark.interpreted)");
    }
    try {
      for (LocalDate day : range.days()) {
        range.starting(day);
        JobContext context =
            JobContext.of(spark, config, day, UUID.randomUUID().toString(), options)
                .inRange(range.last())
                .auditedIn(audit);
        try {
          runAudited(range.runName(), job, context);
        } finally {
          // What one day cached must not pile up over the next days of a range run.
          spark.catalog().clearCache();
        }
      }
    } catch (Throwable e) {
      // The rows of the days before the failed one, whatever failed.
      try {
        audit.flush();
      } catch (RuntimeException auditFailure) {
        e.addSuppressed(auditFailure);
      }
      throw e;
    }
    audit.flush();
    range.finished();
  }

  private static String where(RangeRun range) {
    return range == null ? "" : range.failedAt();
  }

  /** Runs the job in an existing session and appends its audit row, also when it fails. */
  public static JobResult runAudited(String jobName, Job job, JobContext unnamed) {
    JobContext context = unnamed.forJob(jobName);
    Instant started = Instant.now();
    LOG.info(
        "{} ds={} run_id={} config={}",
        jobName,
        context.ds(),
        context.runId(),
        context.config().origin());
    AuditLog audit = context.audit();
    JobResult result;
    try {
      result = job.run(context);
    } catch (Throwable e) {
      long millis = Duration.between(started, Instant.now()).toMillis();
      // What the run wrote before it failed: a failed gate leaves its rows written.
      JobResult sofar = context.progress().snapshot(String.valueOf(e.getMessage()));
      AuditRecord failed =
          new AuditRecord(
              context.runId(),
              jobName,
              sofar.source(),
              context.ds(),
              AuditRecord.FAILED,
              sofar.rowsRead(),
              sofar.rowsWritten(),
              sofar.rowsQuarantined(),
              Map.of(),
              sofar.versionsWritten(),
              started,
              millis,
              sofar.summary());
      try {
        audit.record(failed);
      } catch (RuntimeException auditFailure) {
        e.addSuppressed(auditFailure);
      }
      publishMetrics(context.config(), failed);
      throw e;
    }
    long millis = Duration.between(started, Instant.now()).toMillis();
    AuditRecord succeeded =
        new AuditRecord(
            context.runId(),
            jobName,
            result.source(),
            context.ds(),
            AuditRecord.SUCCEEDED,
            result.rowsRead(),
            result.rowsWritten(),
            result.rowsQuarantined(),
            result.versionsRead(),
            result.versionsWritten(),
            started,
            millis,
            result.summary());
    audit.record(succeeded);
    publishMetrics(context.config(), succeeded);
    LOG.info(
        "{} ds={} succeeded in {} s: read {}, wrote {}, quarantined {}. {}",
        jobName,
        context.ds(),
        millis / 1000.0,
        result.rowsRead(),
        result.rowsWritten(),
        result.rowsQuarantined(),
        result.summary());
    return result;
  }

  /**
   * Pushes the audit row's numbers to the Pushgateway when {@code
   * lakepipe.monitoring.pushgateway-url} is set. Monitoring must never fail a job: a failed push is
   * one WARN line and nothing else.
   */
  static void publishMetrics(LakepipeConfig config, AuditRecord run) {
    String url = config.string("monitoring.pushgateway-url");
    if (url.isBlank()) {
      return;
    }
    // Credentials in the URL (user:password@) stay out of the log.
    String shown = url.replaceFirst("//[^/@]*@", "//***@");
    try {
      new PushgatewayPublisher(
              URI.create(url),
              Duration.ofSeconds(config.integer("monitoring.push-timeout-seconds")))
          .push(run);
      LOG.info("{} ds={}: metrics pushed to the Pushgateway at {}", run.job(), run.ds(), shown);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.warn("{} ds={}: metrics not pushed to {}: interrupted", run.job(), run.ds(), shown);
    } catch (Exception | LinkageError e) {
      LOG.warn(
          "{} ds={}: metrics not pushed to the Pushgateway at {} ({}); the run itself is unaffected."
              + " Check lakepipe.monitoring.pushgateway-url and that the gateway is up.",
          run.job(),
          run.ds(),
          shown,
          e.toString());
    }
  }
}
