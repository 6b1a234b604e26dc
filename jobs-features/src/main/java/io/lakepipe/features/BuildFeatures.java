// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.cli.JobOption;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.Job;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.spark.DriverThreads;
import io.lakepipe.core.spark.QueryCompilation;
import io.lakepipe.core.table.DeltaTables;
import io.lakepipe.core.table.TableLayout;
import io.lakepipe.core.table.TableRead;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the features and labels of one feature view for one logical date. It first brings the
 * daily stats of the days its history windows cover up to date with bronze (usually only ds itself
 * is new), then computes the day's features from the day's entity rows, the lookup tables and the
 * stats of the days before. The result depends only on the entity and lookup tables, never on which
 * dates were built before or in what order.
 */
public final class BuildFeatures {
  private static final Logger LOG = LoggerFactory.getLogger(BuildFeatures.class);
  static final String VIEW = "view";

  /** The view to build; part of the audit name, so two views built for one ds stay apart. */
  public static final List<JobOption> OPTIONS =
      List.of(
          JobOption.required(VIEW, "the feature view to build, a key of lakepipe.views")
              .inAuditName());

  private BuildFeatures() {}

  /** Reads and validates the view's declaration before Spark starts. */
  public static Job prepare(LakepipeConfig config, Map<String, String> options) {
    FeatureView view = FeatureViewReader.read(config, options.get(VIEW));
    // The last day of a range run whose daily stats an earlier day of the run brought up to date.
    AtomicReference<LocalDate> statsReadyUntil = new AtomicReference<>();
    return Job.startingInterpreted(context -> run(context, view, statsReadyUntil));
  }

  public static JobResult run(JobContext context, FeatureView view) {
    return run(context, view, new AtomicReference<>());
  }

  /**
   * Builds ds. The first day of a range run brings the daily stats of the whole range up to date;
   * the later days of the same run check only their own window, as a daily run does (181 days of
   * stats checked every day took 1.6 s a day).
   */
  static JobResult run(
      JobContext context, FeatureView view, AtomicReference<LocalDate> statsReadyUntil) {
    FeatureCatalog catalog = view.catalog();
    DeltaTables tables = context.tables();
    LocalDate ds = context.ds();
    String bronzePath = context.config().tablePath(view.entityTable());
    String statsPath = context.config().tablePath(view.tables().dailyStats());

    JobResult.Builder result = JobResult.builder();
    long started = System.nanoTime();
    // The day's rows first: how many there are decides whether Spark compiles what follows.
    TableRead entities = tables.readDs(view.entityTable(), bronzePath, ds);
    Dataset<Row> day = entities.rows().persist(StorageLevel.MEMORY_AND_DISK());
    try (DailyStatsRefresh refresh = new DailyStatsRefresh(tables, view, bronzePath, statsPath)) {
      long read = day.count();
      if (read == 0) {
        throw LakepipeErrors.partitionMissing(view.entityTable(), bronzePath, ds.toString());
      }
      QueryCompilation.compileIfMoreRows(context.spark(), context.config(), read);
      TableRead stats = null;
      if (!catalog.history().entities().isEmpty()) {
        LocalDate until = context.until().equals(statsReadyUntil.get()) ? ds : context.until();
        DailyStatsRefresh.Refreshed refreshed = refresh.refresh(ds, until);
        statsReadyUntil.set(context.until());
        stats = refreshed.before();
        result.read(statsPath, stats.version()).wrote(statsPath, refreshed.version());
        context.progress().source(bronzePath).wrote(statsPath, refreshed.version());
        LOG.info("Daily stats up to date (v{}) in {} s", refreshed.version(), seconds(started));
      }
      return build(context, view, stats, entities, day, read, result, started);
    } finally {
      day.unpersist();
    }
  }

  private static JobResult build(
      JobContext context,
      FeatureView view,
      TableRead stats,
      TableRead entities,
      Dataset<Row> day,
      long read,
      JobResult.Builder result,
      long started) {
    DeltaTables tables = context.tables();
    LocalDate ds = context.ds();
    String entityPath = entities.path();
    String featuresPath = context.config().tablePath(view.tables().features());
    String labelsPath = context.config().tablePath(view.tables().labels());
    result.read(entityPath, entities.version());
    // Lookup tables are read whole: an as-of lookup needs every version, and some have no ds;
    // an exact lookup of a table delivered whole per ds takes the latest delivery up to ds.
    Map<String, Dataset<Row>> lookups = new LinkedHashMap<>();
    for (Lookup lookup : view.catalog().lookups()) {
      if (!lookups.containsKey(lookup.table())) {
        String path = context.config().tablePath(lookup.table());
        TableRead table = tables.readAll(lookup.table(), path);
        lookups.put(lookup.table(), LookupJoin.knownAt(table.rows(), lookup, ds));
        result.read(path, table.version());
        LOG.info("Lookup {} v{}", lookup.table(), table.version());
      }
    }
    Dataset<Row> features =
        EntityFeatures.build(day, lookups, stats == null ? null : stats.rows(), view, ds);
    // The two writes at once: different tables, each mostly the driver's planning and commit.
    // A run that fails on one has written the other: its audit row says so.
    DriverThreads.Both<Long, Long> versions =
        DriverThreads.both(
            "lakepipe-labels-write",
            () -> {
              long version =
                  tables.replaceDs(
                      EntityFeatures.labels(day, view),
                      labelsPath,
                      ds,
                      TableLayout.withChangeDataFeed(labelComments(view)));
              context.progress().wrote(labelsPath, version);
              return version;
            },
            () -> {
              long version =
                  tables.replaceDs(
                      features,
                      featuresPath,
                      ds,
                      TableLayout.withChangeDataFeed(view.catalog().featureComments()));
              context
                  .progress()
                  .source(entityPath)
                  .rows(read, read, 0)
                  .wrote(featuresPath, version);
              return version;
            });
    long labelsVersion = versions.first();
    long featuresVersion = versions.second();
    LOG.info(
        "Features of {} rows of {} for ds={}: {} columns, from v{}, in {} s",
        read,
        view.entityTable(),
        ds,
        view.catalog().columns().size(),
        entities.version(),
        seconds(started));
    return result
        .rowsRead(read)
        .rowsWritten(read)
        .wrote(featuresPath, featuresVersion)
        .wrote(labelsPath, labelsVersion)
        .summary(
            "features "
                + featuresPath
                + " v"
                + featuresVersion
                + ", labels "
                + labelsPath
                + " v"
                + labelsVersion)
        .build();
  }

  private static String seconds(long startedNanos) {
    return String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - startedNanos) / 1e9);
  }

  private static Map<String, String> labelComments(FeatureView view) {
    Map<String, String> comments = new LinkedHashMap<>();
    comments.put(view.id(), view.catalog().keys().idComment());
    comments.put(view.timestamp(), view.catalog().keys().timestampComment());
    comments.putAll(view.label().columns());
    comments.put(view.label().name(), view.label().description());
    comments.put(DeltaTables.DS, view.catalog().keys().dsComment());
    return comments;
  }
}
