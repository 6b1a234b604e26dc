// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.lakepipe.core.table.DsPredicates;
import io.lakepipe.features.FeatureCatalog.DailySum;
import io.lakepipe.features.FeatureCatalog.Entity;
import io.lakepipe.features.FeatureCatalog.History;
import io.lakepipe.features.FeatureCatalog.Statistic;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * History features of a day's rows from the daily stats of the days before it: for each entity,
 * window and statistic, the statistic over the window's summed daily sums. Only days strictly
 * before {@code ds} count, so nothing a row's own day (or a later one) holds can leak into its
 * features. Statistics are computed per key (for flights, a few thousand airports and routes), then
 * joined to the rows. Pure transformation, no I/O.
 */
final class HistoryFeatures {
  private HistoryFeatures() {}

  /**
   * Adds every history feature column to {@code rows} (bronze columns, one ds). {@code stats} may
   * hold any days; rows outside the windows are ignored.
   */
  static Dataset<Row> attach(Dataset<Row> rows, Dataset<Row> stats, History history, LocalDate ds) {
    Dataset<Row> out = rows;
    Column before = DsPredicates.dsBefore(ds);
    for (Entity entity : history.entities()) {
      String rowKey = "__" + entity.name() + "_key";
      String statsKey = "__" + entity.name() + "_stats_key";
      Dataset<Row> perKey =
          perKey(
                  stats.where(col(DailyStats.ENTITY).equalTo(entity.name()).and(before)),
                  entity,
                  history,
                  ds)
              .withColumnRenamed(DailyStats.KEY, statsKey);
      List<Object> noHistory = statisticsOfNoRows(entity, history, perKey);

      List<Column> columns = new ArrayList<>();
      for (String column : out.columns()) {
        columns.add(col(column));
      }
      int i = 0;
      for (int days : history.windowDays()) {
        for (Statistic statistic : history.statistics()) {
          String name = FeatureCatalog.historyColumn(entity, statistic, days);
          // A key without a row in any window has no stats row: its statistics are those of
          // zero sums (0 rows, no mean), as for a key without rows in one window.
          columns.add(
              when(col(statsKey).isNull(), lit(noHistory.get(i++))).otherwise(col(name)).as(name));
        }
      }
      // A few thousand keys (airports, routes): broadcast them to the day's rows.
      out =
          out.withColumn(rowKey, DailyStats.key(rows, entity))
              .join(broadcast(perKey), col(rowKey).equalTo(col(statsKey)), "left")
              .select(columns.toArray(Column[]::new));
    }
    return out;
  }

  /** Per key of the entity: every statistic of every window, from the days of the windows. */
  private static Dataset<Row> perKey(
      Dataset<Row> stats, Entity entity, History history, LocalDate ds) {
    List<Column> windowSums = new ArrayList<>();
    for (int days : history.windowDays()) {
      Column inWindow = DsPredicates.dsAtLeast(ds.minusDays(days));
      for (DailySum s : history.dailySums()) {
        windowSums.add(
            coalesce(sum(when(inWindow, col(s.name()))), lit(0L)).as(windowSum(s, days)));
      }
    }
    Dataset<Row> sums =
        stats
            .groupBy(col(DailyStats.KEY))
            .agg(
                windowSums.get(0), windowSums.subList(1, windowSums.size()).toArray(Column[]::new));
    List<Column> statistics = new ArrayList<>(List.of(col(DailyStats.KEY)));
    for (int days : history.windowDays()) {
      statistics.addAll(statisticsOfWindow(sums, entity, history, days));
    }
    return sums.select(statistics.toArray(Column[]::new));
  }

  /**
   * A statistic names the sums (e.g. {@code delay_minutes / flights}); for one window its names are
   * rewritten to that window's sum columns, after checking the expression against the sums.
   */
  private static List<Column> statisticsOfWindow(
      Dataset<Row> sums, Entity entity, History history, int days) {
    List<Column> bound = new ArrayList<>();
    for (DailySum s : history.dailySums()) {
      bound.add(col(windowSum(s, days)).as(s.name()));
    }
    Dataset<Row> window = sums.select(bound.toArray(Column[]::new));
    List<Column> evaluated = new ArrayList<>();
    for (Statistic statistic : history.statistics()) {
      String name = FeatureCatalog.historyColumn(entity, statistic, days);
      Column value = SqlExpressions.over(window, name, statistic.expr());
      evaluated.add(
          SqlExpressions.renamed(
                  value,
                  sumName ->
                      history.dailySums().stream()
                          .filter(s -> s.name().equals(sumName))
                          .findFirst()
                          .map(s -> windowSum(s, days))
                          .orElse(null))
              .as(name));
    }
    return evaluated;
  }

  /** The statistics of a key with no rows at all, in column order, computed on the driver. */
  private static List<Object> statisticsOfNoRows(
      Entity entity, History history, Dataset<Row> perKey) {
    List<Column> zeros = new ArrayList<>();
    List<Object> values = new ArrayList<>();
    for (int days : history.windowDays()) {
      for (DailySum s : history.dailySums()) {
        zeros.add(lit(0L).as(windowSum(s, days)));
        values.add(0L);
      }
    }
    Dataset<Row> zeroSums =
        perKey
            .sparkSession()
            .createDataFrame(
                List.of(RowFactory.create(values.toArray())),
                perKey.sparkSession().range(1).select(zeros.toArray(Column[]::new)).schema());
    List<Column> statistics = new ArrayList<>();
    for (int days : history.windowDays()) {
      statistics.addAll(statisticsOfWindow(zeroSums, entity, history, days));
    }
    // A local relation: Spark folds this projection on the driver, without a job.
    Row row = zeroSums.select(statistics.toArray(Column[]::new)).head();
    List<Object> result = new ArrayList<>();
    for (int i = 0; i < row.length(); i++) {
      result.add(row.get(i));
    }
    return result;
  }

  private static String windowSum(DailySum sum, int days) {
    return "__" + sum.name() + "_" + days;
  }
}
