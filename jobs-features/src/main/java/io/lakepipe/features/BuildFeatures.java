package io.lakepipe.features;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.table.DeltaTables;
import io.lakepipe.core.table.TableLayout;
import io.lakepipe.core.table.TableRead;
import java.time.LocalDate;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the features and labels of one logical date. It first brings the daily stats of the days its
 * history windows cover up to date with bronze (usually only ds itself is new), then computes the day's
 * features from the day's bronze, the airport versions and the stats of the days before. The result
 * depends only on bronze and the airports, never on which dates were built before or in what order.
 */
public final class BuildFeatures {
  private static final Logger LOG = LoggerFactory.getLogger(BuildFeatures.class);

  private BuildFeatures() {}

  public static JobResult run(JobContext context) {
    FeatureCatalog catalog = FeatureCatalog.from(context.config());
    DeltaTables tables = context.tables();
    LocalDate ds = context.ds();
    String bronzePath = context.config().tablePath("bronze-flights");
    String statsPath = context.config().tablePath("features-daily-stats");

    JobResult.Builder result = JobResult.builder();
    long started = System.nanoTime();
    try (DailyStatsRefresh refresh =
        new DailyStatsRefresh(tables, bronzePath, statsPath, catalog)) {
      TableRead stats = null;
      if (!catalog.history().entities().isEmpty()) {
        DailyStatsRefresh.Refreshed refreshed = refresh.refresh(ds);
        stats = refreshed.before();
        result.read(statsPath, stats.version()).wrote(statsPath, refreshed.version());
        LOG.info("Daily stats up to date (v{}) in {} s", refreshed.version(), seconds(started));
      }
      return build(context, catalog, stats, result, started);
    }
  }

  private static JobResult build(JobContext context, FeatureCatalog catalog, TableRead stats,
      JobResult.Builder result, long started) {
    DeltaTables tables = context.tables();
    LocalDate ds = context.ds();
    String bronzePath = context.config().tablePath("bronze-flights");
    String airportsPath = context.config().tablePath("bronze-airports");
    String featuresPath = context.config().tablePath("features-flights");
    String labelsPath = context.config().tablePath("labels-flights");
    TableRead bronze = tables.readDs("bronze-flights", bronzePath, ds);
    Dataset<Row> day = bronze.rows().persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long read = day.count();
      if (read == 0) {
        throw LakepipeErrors.partitionMissing("bronze-flights", bronzePath, ds.toString());
      }
      TableRead airports = tables.readAll("bronze-airports", airportsPath);
      Dataset<Row> features = FlightFeatures.build(day, airports.rows(),
          stats == null ? null : stats.rows(), catalog, ds);
      long featuresVersion = tables.replaceDs(features, featuresPath, ds,
          TableLayout.withChangeDataFeed(catalog.featureComments()));
      long labelsVersion = tables.replaceDs(
          FlightFeatures.labels(day, catalog.delayThresholdMinutes()), labelsPath, ds,
          TableLayout.withChangeDataFeed(labelComments(catalog)));
      LOG.info("Features of {} flights of ds={}: {} columns, from bronze v{}, airports v{}, in {} s",
          read, ds, catalog.columns().size(), bronze.version(), airports.version(), seconds(started));
      return result
          .rowsRead(read)
          .rowsWritten(read)
          .read(bronzePath, bronze.version())
          .read(airportsPath, airports.version())
          .wrote(featuresPath, featuresVersion)
          .wrote(labelsPath, labelsVersion)
          .summary("features " + featuresPath + " v" + featuresVersion + ", labels " + labelsPath
              + " v" + labelsVersion)
          .build();
    } finally {
      day.unpersist();
    }
  }

  private static String seconds(long startedNanos) {
    return String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - startedNanos) / 1e9);
  }

  private static Map<String, String> labelComments(FeatureCatalog catalog) {
    return Map.of(
        FeatureCatalog.FLIGHT_ID, "Key of the flight, as in the feature table",
        FeatureCatalog.FLIGHT_TS, "Scheduled departure time of the flight, as ingested",
        "delay", "Delay of the flight in minutes, as ingested",
        FeatureCatalog.LABEL, "1 when the delay is above " + catalog.delayThresholdMinutes()
            + " minutes, else 0",
        DeltaTables.DS, "Logical date: the day of the departure");
  }
}
