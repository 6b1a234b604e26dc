package io.lakepipe.train.evaluation;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The naive model every trained model is reported against: a flight is as likely to be delayed as
 * the flights of its route were on the days the models were fit on. A route not flown then gets the
 * share of all flights.
 */
public final class RouteBaseline {
  /** The column the baseline adds: its probability of a delay. */
  public static final String PROBABILITY = "baseline_probability";
  static final String ORIGIN = "origin";
  static final String DESTINATION = "destination";

  private RouteBaseline() {}

  /** Adds {@link #PROBABILITY} to {@code rows}, learnt from the {@code label} of {@code fitRows}. */
  public static Dataset<Row> score(Dataset<Row> fitRows, Dataset<Row> rows, String label) {
    double overall = fitRows.agg(avg(col(label).cast("double"))).head().getDouble(0);
    Dataset<Row> routes = fitRows
        .groupBy(col(ORIGIN).as("__origin"), col(DESTINATION).as("__destination"))
        .agg(avg(col(label).cast("double")).as("__route_share"));
    return rows
        .join(routes, col(ORIGIN).eqNullSafe(col("__origin"))
            .and(col(DESTINATION).eqNullSafe(col("__destination"))), "left")
        .withColumn(PROBABILITY, coalesce(col("__route_share"), lit(overall)))
        .drop("__origin", "__destination", "__route_share");
  }
}
