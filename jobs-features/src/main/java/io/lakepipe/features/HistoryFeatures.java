package io.lakepipe.features;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.lakepipe.core.table.DeltaTables;
import io.lakepipe.features.FeatureCatalog.DailySum;
import io.lakepipe.features.FeatureCatalog.Entity;
import io.lakepipe.features.FeatureCatalog.History;
import io.lakepipe.features.FeatureCatalog.Statistic;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * History features of a day's flights from the daily stats of the days before it: for each entity,
 * window and statistic, the statistic over the window's summed daily sums. Only days strictly
 * before {@code ds} count, so nothing a flight's own day (or a later one) holds can leak into its
 * features. Pure transformation, no I/O.
 */
final class HistoryFeatures {
  private HistoryFeatures() {}

  /**
   * Adds every history feature column to {@code flights} (bronze columns, one ds). {@code stats} may
   * hold any days; rows outside the windows are ignored.
   */
  static Dataset<Row> attach(Dataset<Row> flights, Dataset<Row> stats, History history,
      LocalDate ds) {
    Dataset<Row> out = flights;
    Column before = col(DeltaTables.DS).lt(lit(java.sql.Date.valueOf(ds)));
    for (Entity entity : history.entities()) {
      String flightKey = "__" + entity.name() + "_key";
      String statsKey = "__" + entity.name() + "_stats_key";
      List<Column> windowSums = new ArrayList<>();
      for (int days : history.windowDays()) {
        Column inWindow = col(DeltaTables.DS).geq(lit(java.sql.Date.valueOf(ds.minusDays(days))));
        for (DailySum s : history.dailySums()) {
          windowSums.add(sum(when(inWindow, col(s.name()))).as(windowSum(entity, s, days)));
        }
      }
      Dataset<Row> perKey = stats
          .where(col(DailyStats.ENTITY).equalTo(entity.name()).and(before))
          .groupBy(col(DailyStats.KEY).as(statsKey))
          .agg(windowSums.get(0), windowSums.subList(1, windowSums.size()).toArray(Column[]::new));
      // A few thousand keys (airports, routes): broadcast them to the day's flights.
      out = out.withColumn(flightKey, DailyStats.key(flights, entity))
          .join(broadcast(perKey), col(flightKey).equalTo(col(statsKey)), "left");
      for (int days : history.windowDays()) {
        out = withStatistics(out, entity, history, days);
      }
      out = out.drop(flightKey, statsKey);
    }
    return out;
  }

  /**
   * Evaluates the statistics of one window. A statistic names the sums (e.g. {@code delay_minutes /
   * flights}), so the window's sums are bound to those names for the evaluation, 0 when the key had
   * no flights in the window, then removed.
   */
  private static Dataset<Row> withStatistics(Dataset<Row> rows, Entity entity, History history,
      int days) {
    List<Column> bound = new ArrayList<>(Arrays.stream(rows.columns()).map(c -> col(c)).toList());
    for (DailySum s : history.dailySums()) {
      bound.add(coalesce(col(windowSum(entity, s, days)), lit(0L)).as(s.name()));
    }
    Dataset<Row> withSums = rows.select(bound.toArray(Column[]::new));
    List<Column> evaluated = new ArrayList<>(Arrays.stream(rows.columns()).map(c -> col(c)).toList());
    for (Statistic statistic : history.statistics()) {
      String name = FeatureCatalog.historyColumn(entity, statistic, days);
      evaluated.add(SqlExpressions.over(withSums, name, statistic.expr()).as(name));
    }
    return withSums.select(evaluated.toArray(Column[]::new))
        .drop(history.dailySums().stream().map(s -> windowSum(entity, s, days))
            .toArray(String[]::new));
  }

  private static String windowSum(Entity entity, DailySum sum, int days) {
    return "__" + entity.name() + "_" + sum.name() + "_" + days;
  }
}
