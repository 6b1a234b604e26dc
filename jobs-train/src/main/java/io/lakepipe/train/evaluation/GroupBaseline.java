// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.evaluation;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.lakepipe.core.spark.Columns;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The naive model every trained model is reported against and must beat: a row is as likely to be
 * positive as the rows of its group (the model's declared baseline keys, such as a flight's route)
 * were on the days the models were fit on. A group not seen then gets the share of all rows.
 */
public final class GroupBaseline {
  /** The column the baseline adds: its probability of the positive class. */
  public static final String PROBABILITY = "baseline_probability";

  private static final String SHARE = "__group_share";

  private GroupBaseline() {}

  /**
   * Adds {@link #PROBABILITY} to {@code rows}, learnt from the {@code label} of {@code fitRows}
   * grouped by {@code keys}.
   */
  public static Dataset<Row> score(
      Dataset<Row> fitRows, Dataset<Row> rows, String label, List<String> keys) {
    Columns.require(fitRows, "the training rows", keys);
    double overall = fitRows.agg(avg(col(label).cast("double"))).head().getDouble(0);
    // The group's keys under names of their own, so that the join can tell them from the rows'.
    List<String> aliases = new ArrayList<>();
    List<Column> groupBy = new ArrayList<>();
    Column match = lit(true);
    for (String key : keys) {
      String alias = "__key_" + aliases.size();
      aliases.add(alias);
      groupBy.add(col(key).as(alias));
      match = match.and(col(key).eqNullSafe(col(alias)));
    }
    Dataset<Row> groups =
        fitRows
            .groupBy(groupBy.toArray(Column[]::new))
            .agg(avg(col(label).cast("double")).as(SHARE));
    aliases.add(SHARE);
    return rows.join(groups, match, "left")
        .withColumn(PROBABILITY, coalesce(col(SHARE), lit(overall)))
        .drop(aliases.toArray(String[]::new));
  }
}
