// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features.quality;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.cli.JobOption;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.Job;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.spark.DriverThreads;
import io.lakepipe.core.table.DsPredicates;
import io.lakepipe.core.table.TableRead;
import io.lakepipe.core.tracking.MlflowTracking;
import io.lakepipe.core.tracking.TrainingTrigger;
import io.lakepipe.features.FeatureCatalog;
import io.lakepipe.features.FeatureView;
import io.lakepipe.features.FeatureViewReader;
import io.lakepipe.features.quality.FeatureGate.Failure;
import io.lakepipe.features.quality.FeatureGate.Settings;
import io.lakepipe.features.quality.FeatureGate.Verdict;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data-quality gate after the features: measures every feature column of one ds of a feature
 * view's features table against the previous {@code reference-days} days (null share, min, max,
 * mean, distinct values, PSI), replaces the day's rows of the feature metrics table, and only then
 * fails when the gate fails, so that a failed day's metrics are there to inspect. Like the bronze
 * gate it writes no data rows: the rows it checked count as read and written.
 *
 * <p>Each metrics row also says whether the feature drifted beyond {@code retrain-psi} (column
 * {@code retrain}). With {@code lakepipe.training.trigger = on-drift}, a day that passes then logs
 * its drift verdict to MLflow (see {@link TrainingTrigger}), from which the daily DAG decides
 * whether the day triggers a training.
 */
public final class CheckFeatures {
  private static final Logger LOG = LoggerFactory.getLogger(CheckFeatures.class);
  static final String VIEW = "view";

  /** The view whose features to check; part of the audit name, so two views stay apart. */
  public static final List<JobOption> OPTIONS =
      List.of(
          JobOption.required(
                  VIEW, "the feature view whose features to check, a key of lakepipe.views")
              .inAuditName());

  /**
   * The columns of the feature metrics table that {@link #metricsRows} writes, before {@code ds}
   * (which the write adds): what the report and its tests read.
   */
  public static final StructType METRICS_SCHEMA =
      new StructType()
          .add("feature", DataTypes.StringType)
          .add("kind", DataTypes.StringType)
          .add("rows", DataTypes.LongType)
          .add("nulls", DataTypes.LongType)
          .add("null_share", DataTypes.DoubleType)
          .add("min", DataTypes.DoubleType)
          .add("max", DataTypes.DoubleType)
          .add("mean", DataTypes.DoubleType)
          .add("distinct_values", DataTypes.LongType)
          .add("reference_rows", DataTypes.LongType)
          .add("psi", DataTypes.DoubleType)
          .add("gate", DataTypes.StringType)
          .add("gate_reason", DataTypes.StringType)
          .add("run_id", DataTypes.StringType)
          .add("checked_at", DataTypes.TimestampType)
          // Added after the first release: older partitions read it as null (the write merges it
          // in).
          .add("retrain", DataTypes.BooleanType);

  private CheckFeatures() {}

  /** Reads and validates the view and the gate's settings before Spark starts. */
  public static Job prepare(LakepipeConfig config, Map<String, String> options) {
    FeatureView view = FeatureViewReader.read(config, options.get(VIEW));
    Settings settings =
        Settings.fromConfig(
            config.overlaid(Settings.CONFIG_SECTION, "views." + view.name() + ".feature-gate"));
    TrainingTrigger trigger = TrainingTrigger.fromConfig(config);
    return context -> run(context, view, settings, trigger);
  }

  public static JobResult run(
      JobContext context, FeatureView view, Settings settings, TrainingTrigger trigger) {
    FeatureCatalog catalog = view.catalog();
    String table = view.tables().features();
    String metricsTable = view.tables().featureQuality();
    String featuresPath = context.config().tablePath(table);
    String metricsPath = context.config().tablePath(metricsTable);
    LocalDate ds = context.ds();
    LocalDate from = ds.minusDays(settings.referenceDays());

    // One read for the day and its reference, so that both come from the same table version.
    TableRead read = context.tables().readDsRange(table, featuresPath, from, ds);
    // The entity's id and time are keys, not features.
    Dataset<Row> features = read.rows().drop(view.id(), view.timestamp());
    Dataset<Row> day = features.where(DsPredicates.dsIs(ds)).cache();
    Dataset<Row> reference = features.where(DsPredicates.dsBefore(ds)).cache();
    try {
      long rows = day.count();
      if (rows == 0) {
        throw LakepipeErrors.partitionMissing(table, featuresPath, ds.toString());
      }
      LOG.info(
          "Checking {} rows of {} ds={} (v{}) against the days {}..{}",
          rows,
          table,
          ds,
          read.version(),
          from,
          ds.minusDays(1));
      String statsPath = context.config().tablePath(view.tables().dailyStats());
      // The first day of history, from the stats table's log, while the metrics are computed.
      DriverThreads.Both<LocalDate, List<FeatureMetric>> measured =
          DriverThreads.both(
              "lakepipe-history-start",
              () ->
                  context
                      .tables()
                      .partitionFingerprints(statsPath, from.minusDays(catalog.maxWindowDays()), ds)
                      .keySet()
                      .stream()
                      .findFirst()
                      .orElse(null),
              () -> FeatureMetrics.compute(day, reference, settings.psiBins()));
      LocalDate firstHistoryDay = measured.first();
      List<FeatureMetric> metrics = measured.second();
      Map<String, String> warmingUp =
          FeatureGate.warmingUp(
              catalog.historyWindows(), ds, settings.referenceDays(), firstHistoryDay);
      if (!warmingUp.isEmpty()) {
        LOG.info(
            "{} history features warm up (history from {}): drift and null share waived",
            warmingUp.size(),
            firstHistoryDay);
      }
      List<Verdict> verdicts = FeatureGate.judge(metrics, settings, warmingUp);
      long metricsVersion =
          context
              .tables()
              .replaceDs(
                  metricsRows(context.spark(), metrics, verdicts, context.runId()),
                  metricsPath,
                  ds);
      // A failing gate leaves its metrics written: its audit row says so.
      context
          .progress()
          .source(featuresPath)
          .rows(rows, rows, 0)
          .wrote(metricsPath, metricsVersion);
      logVerdicts(table, ds, metrics, verdicts, metricsPath, metricsVersion);

      List<Failure> failures = verdicts.stream().flatMap(v -> v.failures().stream()).toList();
      if (!failures.isEmpty()) {
        throw LakepipeErrors.featureChecksFailed(
            table,
            ds.toString(),
            failures.stream().map(Failure::toString).collect(Collectors.joining("; ")),
            metricsPath + " (ds=" + ds + ")",
            Settings.CONFIG_SECTION
                + " (for this view, under"
                + " lakepipe.views."
                + view.name()
                + ".feature-gate)");
      }
      Map<String, Double> drift = FeatureGate.retrainDrift(metrics, verdicts);
      LOG.info(
          "{} ds={}: {}",
          table,
          ds,
          drift.isEmpty()
              ? "no feature drifted beyond retrain-psi " + settings.retrainPsi()
              : "drifted beyond retrain-psi " + settings.retrainPsi() + ": " + drift);
      String verdictRun =
          trigger.onDrift()
              ? " (drift verdict: MLflow run "
                  + logDriftVerdict(context, trigger, view.name(), metrics, drift, settings)
                  + ")"
              : "";
      return JobResult.builder()
          .source(featuresPath)
          .rowsRead(rows)
          .rowsWritten(rows)
          .read(featuresPath, read.version())
          .wrote(metricsPath, metricsVersion)
          .summary(
              metrics.size()
                  + " features checked, none failed ("
                  + count(verdicts, FeatureGate.EXEMPT)
                  + " exempt, "
                  + count(verdicts, FeatureGate.NO_REFERENCE)
                  + " without reference, "
                  + drift.size()
                  + " drifted beyond retrain-psi); metrics in "
                  + metricsPath
                  + " v"
                  + metricsVersion
                  + verdictRun)
          .build();
    } finally {
      day.unpersist();
      reference.unpersist();
    }
  }

  /**
   * Logs the day's drift verdict as a run of the drift experiment (tags of {@link
   * TrainingTrigger#verdictTags}, every measured PSI as a metric {@code psi.<feature>}) and returns
   * the run's id. A rerun logs a new run; readers take the newest finished one.
   */
  private static String logDriftVerdict(
      JobContext context,
      TrainingTrigger trigger,
      String view,
      List<FeatureMetric> metrics,
      Map<String, Double> drift,
      Settings settings) {
    Map<String, String> tags =
        new LinkedHashMap<>(TrainingTrigger.verdictTags(context.ds(), view, drift));
    tags.put("lakepipe.job_run_id", context.runId());
    tags.put("mlflow.source.name", CheckFeaturesJob.class.getName());
    Map<String, Double> psi = new LinkedHashMap<>();
    metrics.stream()
        .filter(m -> m.psi() != null && Double.isFinite(m.psi()))
        .forEach(m -> psi.put("psi." + m.feature(), m.psi()));
    try (MlflowTracking tracking = MlflowTracking.connect(context.config())) {
      String experimentId = tracking.experimentId(trigger.driftExperiment());
      String runId =
          tracking.withRun(
              experimentId,
              "drift-" + view + "-" + context.ds(),
              tags,
              run -> {
                run.log(
                    Map.of("retrain_psi", String.valueOf(settings.retrainPsi())), psi, Map.of());
                return run.runId();
              });
      LOG.info(
          "Drift verdict for view {} ds={}: retrain={}, MLflow run {} of experiment {}",
          view,
          context.ds(),
          !drift.isEmpty(),
          runId,
          trigger.driftExperiment());
      return runId;
    }
  }

  /** The metrics and verdicts as rows of the feature metrics table (without ds). */
  static Dataset<Row> metricsRows(
      SparkSession spark, List<FeatureMetric> metrics, List<Verdict> verdicts, String runId) {
    List<Row> rows = new ArrayList<>();
    Timestamp checkedAt = Timestamp.from(Instant.now());
    for (int i = 0; i < metrics.size(); i++) {
      FeatureMetric m = metrics.get(i);
      Verdict v = verdicts.get(i);
      rows.add(
          RowFactory.create(
              m.feature(),
              m.kind(),
              m.rows(),
              m.nulls(),
              m.nullShare(),
              m.min(),
              m.max(),
              m.mean(),
              m.distinctValues(),
              m.referenceRows(),
              m.psi(),
              v.gate(),
              v.reason(),
              runId,
              checkedAt,
              v.retrain()));
    }
    return spark.createDataFrame(rows, METRICS_SCHEMA);
  }

  /** One summary line, then one line for the failed and one for the exempt features, if any. */
  private static void logVerdicts(
      String table,
      LocalDate ds,
      List<FeatureMetric> metrics,
      List<Verdict> verdicts,
      String metricsPath,
      long metricsVersion) {
    LOG.info(
        "{} ds={}: {} features, reference {} rows: {} pass, {} fail, {} exempt, {} no-reference;"
            + " metrics in {} v{}",
        table,
        ds,
        metrics.size(),
        metrics.isEmpty() ? 0 : metrics.get(0).referenceRows(),
        count(verdicts, FeatureGate.PASS),
        count(verdicts, FeatureGate.FAIL),
        count(verdicts, FeatureGate.EXEMPT),
        count(verdicts, FeatureGate.NO_REFERENCE),
        metricsPath,
        metricsVersion);
    for (String gate : List.of(FeatureGate.FAIL, FeatureGate.EXEMPT)) {
      String features =
          verdicts.stream()
              .filter(v -> gate.equals(v.gate()))
              .map(v -> v.feature() + " (" + v.reason() + ")")
              .collect(Collectors.joining(", "));
      if (!features.isEmpty()) {
        LOG.info(
            "{} ds={} {} features: {}",
            table,
            ds,
            FeatureGate.FAIL.equals(gate) ? "failed" : "exempt",
            features);
      }
    }
  }

  private static long count(List<Verdict> verdicts, String gate) {
    return verdicts.stream().filter(v -> gate.equals(v.gate())).count();
  }
}
