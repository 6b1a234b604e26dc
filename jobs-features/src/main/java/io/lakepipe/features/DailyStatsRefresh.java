// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features;

import static org.apache.spark.sql.functions.col;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.table.DeltaTables;
import io.lakepipe.core.table.DsPredicates;
import io.lakepipe.core.table.TableLayout;
import io.lakepipe.core.table.TableRead;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the daily stats of the days a build reads in step with bronze. Each stats day records the
 * fingerprint of the bronze partition it was computed from; a day whose bronze was written since (a
 * late or corrected day), or that has no stats yet (dates built out of order), is recomputed from
 * its bronze partition alone. In the usual daily run only ds itself is computed; on the first day
 * of a range run, every day of the range that bronze has, in one pass and one commit, so that the
 * range's later days find their stats up to date (the rows are the same as day by day).
 */
final class DailyStatsRefresh implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DailyStatsRefresh.class);

  private final DeltaTables tables;
  private final String bronzePath;
  private final String statsPath;
  private final FeatureView view;
  private final FeatureCatalog catalog;

  /** The stats of the window as read before the refresh, cached: usually all the history needs. */
  private Dataset<Row> cached;

  /** The stats of the days before ds as the features read them, and the table's version after. */
  record Refreshed(TableRead before, long version) {}

  DailyStatsRefresh(DeltaTables tables, FeatureView view, String bronzePath, String statsPath) {
    this.tables = tables;
    this.view = view;
    this.bronzePath = bronzePath;
    this.statsPath = statsPath;
    this.catalog = view.catalog();
  }

  /**
   * Brings the stats of {@code [ds - longest window, until]} up to date and returns those of the
   * days before ds. The window is read once: when only ds and later days were (re)computed, as in a
   * daily run, the rows read before the refresh are the history, since those are not part of it.
   *
   * @param until the last day of the range run ds is part of (ds itself in a daily run)
   */
  Refreshed refresh(LocalDate ds, LocalDate until) {
    LocalDate from = ds.minusDays(catalog.maxWindowDays());
    Map<LocalDate, String> bronzeFiles = tables.partitionFingerprints(bronzePath, from, until);
    if (!bronzeFiles.containsKey(ds)) {
      throw LakepipeErrors.partitionMissing(view.entityTable(), bronzePath, ds.toString());
    }
    String definition = catalog.dailyStatsDefinition();
    Map<LocalDate, String> expected = new TreeMap<>();
    bronzeFiles.forEach(
        (day, files) -> expected.put(day, FeatureCatalog.sha256(files + "\n" + definition)));
    TableRead window = null;
    Map<LocalDate, String> stored = new TreeMap<>();
    if (tables.exists(statsPath)) {
      window = tables.readDsRange(view.tables().dailyStats(), statsPath, from, until);
      cached = window.rows().persist(StorageLevel.MEMORY_AND_DISK());
      stored = storedSources(cached);
    }

    TreeSet<LocalDate> stale = new TreeSet<>();
    for (Map.Entry<LocalDate, String> day : expected.entrySet()) {
      if (!day.getValue().equals(stored.get(day.getKey()))) {
        stale.add(day.getKey());
      }
    }
    TreeSet<LocalDate> gone = new TreeSet<>(stored.keySet());
    gone.removeAll(expected.keySet());

    if (!stale.isEmpty()) {
      LOG.info("Daily stats: computing {} day(s) from bronze: {}", stale.size(), stale);
      List<java.sql.Date> days = stale.stream().map(java.sql.Date::valueOf).toList();
      Dataset<Row> bronze =
          tables
              .readDsRange(view.entityTable(), bronzePath, stale.first(), stale.last())
              .rows()
              .where(col(DeltaTables.DS).isin(days.toArray()));
      Map<LocalDate, String> sources = new LinkedHashMap<>();
      stale.forEach(day -> sources.put(day, expected.get(day)));
      tables.replacePartitions(
          DailyStats.compute(bronze, catalog, sources),
          statsPath,
          stale,
          new TableLayout(comments(), Map.of()));
    }
    if (!gone.isEmpty()) {
      LOG.info("Daily stats: removing {} day(s) that bronze no longer has: {}", gone.size(), gone);
      tables.deletePartitions(statsPath, gone);
    }
    long version = tables.latestVersion(statsPath);
    Column before = DsPredicates.dsBefore(ds);
    boolean historyUnchanged =
        window != null && gone.isEmpty() && (stale.isEmpty() || !stale.first().isBefore(ds));
    TableRead history =
        historyUnchanged
            ? new TableRead(statsPath, window.version(), cached.where(before))
            : tables.readDsRange(view.tables().dailyStats(), statsPath, from, ds.minusDays(1));
    return new Refreshed(history, version);
  }

  /** Releases the cached window. */
  @Override
  public void close() {
    if (cached != null) {
      cached.unpersist();
    }
  }

  /** The source fingerprint of each stats day; a day with mixed sources gets none. */
  private static Map<LocalDate, String> storedSources(Dataset<Row> window) {
    Map<LocalDate, String> sources = new TreeMap<>();
    List<Row> rows =
        window
            .groupBy(col(DeltaTables.DS))
            .agg(functions.min(DailyStats.SOURCE), functions.max(DailyStats.SOURCE))
            .collectAsList();
    for (Row row : rows) {
      String min = row.getString(1);
      sources.put(
          row.getDate(0).toLocalDate(),
          min != null && min.equals(row.getString(2)) ? min : "mixed");
    }
    return sources;
  }

  private Map<String, String> comments() {
    Map<String, String> comments = new LinkedHashMap<>();
    comments.put(DailyStats.ENTITY, "Whose rows: an entity of the view's history features");
    comments.put(
        DailyStats.KEY, "The entity's key, parts joined by '|' (e.g. ATL|SAV for a route)");
    catalog
        .history()
        .dailySums()
        .forEach(
            s -> comments.put(s.name(), "Sum of " + s.expr() + " over the day's rows of the key"));
    comments.put(
        DailyStats.SOURCE,
        "Hash of the bronze partition's files and the sums' definition this day was computed from");
    comments.put(DeltaTables.DS, "Logical date: the day of the rows summed");
    return comments;
  }
}
