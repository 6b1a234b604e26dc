package io.lakepipe.features;

import static org.apache.spark.sql.functions.col;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.table.DeltaTables;
import io.lakepipe.core.table.TableLayout;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the daily stats of the days a build reads in step with bronze. Each stats day records the
 * fingerprint of the bronze partition it was computed from; a day whose bronze was written since (a
 * late or corrected day), or that has no stats yet (dates built out of order), is recomputed from
 * its bronze partition alone. In the usual daily run only ds itself is computed.
 */
final class DailyStatsRefresh {
  private static final Logger LOG = LoggerFactory.getLogger(DailyStatsRefresh.class);

  private final DeltaTables tables;
  private final String bronzePath;
  private final String statsPath;
  private final FeatureCatalog catalog;

  DailyStatsRefresh(DeltaTables tables, String bronzePath, String statsPath,
      FeatureCatalog catalog) {
    this.tables = tables;
    this.bronzePath = bronzePath;
    this.statsPath = statsPath;
    this.catalog = catalog;
  }

  /** Brings the stats of {@code [ds - longest window, ds]} up to date; returns the table's version. */
  long refresh(LocalDate ds) {
    LocalDate from = ds.minusDays(catalog.maxWindowDays());
    Map<LocalDate, String> bronzeFiles = tables.partitionFingerprints(bronzePath, from, ds);
    if (!bronzeFiles.containsKey(ds)) {
      throw LakepipeErrors.partitionMissing("bronze-flights", bronzePath, ds.toString());
    }
    String definition = catalog.dailyStatsDefinition();
    Map<LocalDate, String> expected = new TreeMap<>();
    bronzeFiles.forEach((day, files) ->
        expected.put(day, FeatureCatalog.sha256(files + "\n" + definition)));
    Map<LocalDate, String> stored = storedSources(from, ds);

    TreeSet<LocalDate> stale = new TreeSet<>();
    expected.forEach((day, source) -> {
      if (!source.equals(stored.get(day))) {
        stale.add(day);
      }
    });
    TreeSet<LocalDate> gone = new TreeSet<>(stored.keySet());
    gone.removeAll(expected.keySet());

    if (!stale.isEmpty()) {
      LOG.info("Daily stats: computing {} day(s) from bronze: {}", stale.size(), stale);
      List<java.sql.Date> days = stale.stream().map(java.sql.Date::valueOf).toList();
      Dataset<Row> bronze = tables.readDsRange("bronze-flights", bronzePath, stale.first(),
          stale.last()).rows().where(col(DeltaTables.DS).isin(days.toArray()));
      Map<LocalDate, String> sources = new LinkedHashMap<>();
      stale.forEach(day -> sources.put(day, expected.get(day)));
      tables.replacePartitions(DailyStats.compute(bronze, catalog, sources), statsPath, stale,
          new TableLayout(comments(), Map.of()));
    }
    if (!gone.isEmpty()) {
      LOG.info("Daily stats: removing {} day(s) that bronze no longer has: {}", gone.size(), gone);
      tables.deletePartitions(statsPath, gone);
    }
    return tables.latestVersion(statsPath);
  }

  /** The source fingerprint of each stats day in the range; a day with mixed sources gets none. */
  private Map<LocalDate, String> storedSources(LocalDate from, LocalDate to) {
    Map<LocalDate, String> sources = new TreeMap<>();
    if (!tables.exists(statsPath)) {
      return sources;
    }
    List<Row> rows = tables.readDsRange("features-daily-stats", statsPath, from, to).rows()
        .groupBy(col(DeltaTables.DS))
        .agg(functions.min(DailyStats.SOURCE), functions.max(DailyStats.SOURCE))
        .collectAsList();
    for (Row row : rows) {
      String min = row.getString(1);
      if (min != null && min.equals(row.getString(2))) {
        sources.put(row.getDate(0).toLocalDate(), min);
      } else {
        sources.put(row.getDate(0).toLocalDate(), "mixed");
      }
    }
    return sources;
  }

  private Map<String, String> comments() {
    Map<String, String> comments = new LinkedHashMap<>();
    comments.put(DailyStats.ENTITY, "Whose flights: an entity of lakepipe.features.history");
    comments.put(DailyStats.KEY, "The entity's key, parts joined by '|' (e.g. ATL|SAV for a route)");
    catalog.history().dailySums().forEach(s ->
        comments.put(s.name(), "Sum of " + s.expr() + " over the day's flights of the key"));
    comments.put(DailyStats.SOURCE,
        "Hash of the bronze partition's files and the sums' definition this day was computed from");
    comments.put(DeltaTables.DS, "Logical date: the day of the flights summed");
    return comments;
  }
}
