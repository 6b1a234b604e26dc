// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.cli.JobRunner;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.table.DeltaTables;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * monitor-predictions through JobRunner on real Delta tables in a temporary lakehouse: a day's
 * predictions as serve-export writes them and the labels as build-features writes them, joined on
 * flight_id; the online predictions as ingest-files writes them from the scorer's prediction log,
 * beside them under source "online"; a rerun leaves one row per source; a day without labels has
 * its row with no metric; a day without predictions writes nothing; a Pushgateway that is down
 * changes nothing.
 */
class MonitorPredictionsIT extends SparkTestBase {
  private static final LocalDate DS = LocalDate.parse("2001-01-15");
  private static final LocalDate UNLABELLED = LocalDate.parse("2001-01-16");
  private static final LocalDate UNSCORED = LocalDate.parse("2001-01-17");

  /** The columns of BatchScoring.predict (jobs-serve-export), before ds. */
  private static final StructType PREDICTIONS =
      new StructType()
          .add("flight_id", DataTypes.StringType)
          .add("flight_ts", DataTypes.TimestampNTZType)
          .add("origin", DataTypes.StringType)
          .add("destination", DataTypes.StringType)
          .add("delay_probability", DataTypes.DoubleType)
          .add("predicted_delayed", DataTypes.IntegerType)
          .add("model_name", DataTypes.StringType)
          .add("model_version", DataTypes.StringType);

  /**
   * The bronze columns of lakepipe.sources.prediction-log-flights (config/pipelines/flights.conf).
   */
  private static final StructType ONLINE =
      new StructType()
          .add("prediction_id", DataTypes.StringType)
          .add("flight_id", DataTypes.StringType)
          .add("answered_at", DataTypes.TimestampType)
          .add("endpoint", DataTypes.StringType)
          .add("delay_probability", DataTypes.DoubleType)
          .add("threshold", DataTypes.DoubleType)
          .add("predicted_delayed", DataTypes.IntegerType)
          .add("model_name", DataTypes.StringType)
          .add("model_version", DataTypes.StringType);

  private static final StructType LABELS =
      new StructType()
          .add("flight_id", DataTypes.StringType)
          .add("delayed", DataTypes.IntegerType)
          .add("delay", DataTypes.IntegerType);

  @TempDir Path home;

  private static Object[] prediction(String id, double p) {
    return new Object[] {
      id,
      java.time.LocalDateTime.parse("2001-01-15T08:00:00"),
      "SFO",
      "LAX",
      p,
      p > 0.5 ? 1 : 0,
      "lakepipe_flights_delay",
      "3"
    };
  }

  private static Object[] online(String prediction, String flight, double p) {
    return new Object[] {
      prediction,
      flight,
      Timestamp.valueOf("2026-12-05 09:30:00"),
      "predict",
      p,
      0.5,
      p > 0.5 ? 1 : 0,
      "lakepipe_flights_delay",
      "3"
    };
  }

  private JobResult monitor(LakepipeConfig config, LocalDate ds) {
    return JobRunner.runAudited(
        MonitorPredictionsJob.NAME,
        PredictionMonitoring::run,
        JobContext.of(spark, config, ds, "run-" + ds));
  }

  private List<Row> quality(LakepipeConfig config) {
    return spark
        .read()
        .format("delta")
        .load(config.tablePath(PredictionMonitoring.QUALITY))
        .orderBy("ds", "source")
        .collectAsList();
  }

  @Test
  void writesOneRowPerDayAndVersionWithTheRealisedMetrics() {
    // A gateway nobody listens on: the push fails, the run does not.
    LakepipeConfig config =
        testConfig(
            home,
            Map.of(
                "lakepipe.monitoring.pushgateway-url",
                "http://127.0.0.1:9",
                "lakepipe.monitoring.push-timeout-seconds",
                1));
    DeltaTables tables = new DeltaTables(spark);
    String predictions = config.tablePath(PredictionMonitoring.PREDICTIONS);
    String labels = config.tablePath(PredictionMonitoring.LABELS);
    // Four labelled flights ranked perfectly, one flight whose label is not there (quarantined).
    tables.replaceDs(
        rows(
            PREDICTIONS,
            prediction("a", 0.1),
            prediction("b", 0.3),
            prediction("c", 0.6),
            prediction("d", 0.8),
            prediction("e", 0.5)),
        predictions,
        DS);
    tables.replaceDs(
        rows(
            LABELS,
            new Object[] {"a", 0, 3},
            new Object[] {"b", 0, -2},
            new Object[] {"c", 1, 40},
            new Object[] {"d", 1, 95},
            // A label of another flight, not scored: not counted.
            new Object[] {"z", 1, 60}),
        labels,
        DS);
    tables.replaceDs(rows(PREDICTIONS, prediction("f", 0.4)), predictions, UNLABELLED);
    // The scorer's answers for the same day: a, b, c and d (a asked twice), and a record sent
    // without a flight id, which is scored but can never be labelled.
    tables.replaceDs(
        rows(
            ONLINE,
            online("p1", "a", 0.2),
            online("p2", "b", 0.7),
            online("p3", "c", 0.6),
            online("p4", "d", 0.9),
            online("p5", "a", 0.2),
            online("p6", null, 0.5)),
        config.tablePath(PredictionMonitoring.ONLINE_PREDICTIONS),
        DS);

    JobResult first = monitor(config, DS);
    monitor(config, DS);
    JobResult unlabelled = monitor(config, UNLABELLED);
    JobResult unscored = monitor(config, UNSCORED);

    List<Row> rows = quality(config);
    assertThat(rows).hasSize(3);
    Row day = rows.get(0);
    assertThat(day.<String>getAs("source")).isEqualTo("batch");
    assertThat(day.getDate(day.fieldIndex("ds")).toLocalDate()).isEqualTo(DS);
    assertThat(day.<String>getAs("model_name")).isEqualTo("lakepipe_flights_delay");
    assertThat(day.<String>getAs("model_version")).isEqualTo("3");
    assertThat(day.<Long>getAs("rows_scored")).isEqualTo(5L);
    assertThat(day.<Long>getAs("rows_labelled")).isEqualTo(4L);
    assertThat(day.<Double>getAs("roc_auc")).isEqualTo(1.0);
    assertThat(day.<Double>getAs("mean_predicted")).isCloseTo(0.45, within(1e-12));
    assertThat(day.<Double>getAs("observed_share")).isCloseTo(0.5, within(1e-12));
    // Bins 0.1, 0.3, 0.6, 0.8 hold one row each: gaps 0.1, 0.3, 0.4, 0.2.
    assertThat(day.<Double>getAs("calibration_error")).isCloseTo(0.25, within(1e-12));
    assertThat(day.<Double>getAs("log_loss"))
        .isCloseTo(
            -(Math.log(0.9) + Math.log(0.7) + Math.log(0.6) + Math.log(0.8)) / 4, within(1e-12));
    assertThat(day.<Timestamp>getAs("computed_at")).isNotNull();
    assertThat(first.rowsRead()).isEqualTo(5 + 6);
    assertThat(first.summary())
        .contains("lakepipe_flights_delay v3: 5 scored, 4 labelled, ROC AUC 1.0000")
        .contains("online lakepipe_flights_delay v3: 6 scored, 5 labelled, ROC AUC 0.8333");

    // Online, by hand: labelled a 0.2 (0), b 0.7 (0), c 0.6 (1), d 0.9 (1), a 0.2 (0).
    Row live = rows.get(1);
    assertThat(live.<String>getAs("source")).isEqualTo("online");
    assertThat(live.getDate(live.fieldIndex("ds")).toLocalDate()).isEqualTo(DS);
    assertThat(live.<String>getAs("model_version")).isEqualTo("3");
    assertThat(live.<Long>getAs("rows_scored")).isEqualTo(6L);
    assertThat(live.<Long>getAs("rows_labelled")).isEqualTo(5L);
    // Of the 2 x 3 positive-negative pairs, only c (0.6) below b (0.7) is misordered.
    assertThat(live.<Double>getAs("roc_auc")).isCloseTo(5.0 / 6, within(1e-12));
    assertThat(live.<Double>getAs("mean_predicted")).isCloseTo(0.52, within(1e-12));
    assertThat(live.<Double>getAs("observed_share")).isCloseTo(0.4, within(1e-12));
    // Bins 0.2 (two rows, none delayed), 0.6, 0.7, 0.9: gaps 0.4, 0.4, 0.7, 0.1 over 5 rows.
    assertThat(live.<Double>getAs("calibration_error")).isCloseTo(0.32, within(1e-12));
    assertThat(live.<Double>getAs("log_loss"))
        .isCloseTo(
            -(2 * Math.log(0.8) + Math.log(0.3) + Math.log(0.6) + Math.log(0.9)) / 5,
            within(1e-12));

    Row waiting = rows.get(2);
    assertThat(waiting.<String>getAs("source")).isEqualTo("batch");
    assertThat(waiting.<Long>getAs("rows_scored")).isEqualTo(1L);
    assertThat(waiting.<Long>getAs("rows_labelled")).isZero();
    assertThat(waiting.isNullAt(waiting.fieldIndex("roc_auc"))).isTrue();
    assertThat(unlabelled.summary()).contains("no labels yet (rerun when they land)");

    assertThat(unscored.summary()).contains("nothing to monitor for 2001-01-17");
    assertThat(unscored.versionsWritten()).isEmpty();

    List<Row> audit =
        spark
            .read()
            .format("delta")
            .load(config.tablePath("audit-runs"))
            .where("job = 'monitor-predictions'")
            .collectAsList();
    assertThat(audit).hasSize(4).allMatch(r -> "SUCCEEDED".equals(r.getAs("status")));
  }

  @Test
  void aLakehouseWithoutPredictionsIsASkipNotAFailure() {
    LakepipeConfig config = testConfig(home, Map.of());

    JobResult result = monitor(config, DS);

    assertThat(result.summary()).contains("exists; nothing written");
    assertThat(new DeltaTables(spark).exists(config.tablePath(PredictionMonitoring.QUALITY)))
        .isFalse();
  }
}
