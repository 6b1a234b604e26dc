// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features.quality;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.table.DeltaTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.commons.io.FileUtils;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The check-features job on a small synthetic features table in a temporary lakehouse. */
class CheckFeaturesTest extends SparkTestBase {
  static final LocalDate DS = LocalDate.parse("2001-01-15");
  static final int ROWS_PER_DAY = 300;
  static final List<String> FEATURES =
      List.of(
          "hour",
          "day_of_week",
          "month",
          "distance",
          "origin",
          "origin_state",
          "origin_latitude",
          "origin_delay_mean_7d",
          "origin_flights_1d");

  @TempDir Path home;
  LakepipeConfig config;
  String featuresPath;

  /**
   * A clean day checked once (run-1) on 7 days of reference, shared by the tests that assert on
   * that same state: built by the first of them, copied by a test that changes it.
   */
  @TempDir static Path cleanHome;

  static LakepipeConfig cleanConfig;
  static JobResult cleanCheck;

  @BeforeEach
  void config() {
    config = testConfig(home, Map.of());
    featuresPath = config.tablePath("features-flights");
  }

  /** The result of checking the shared clean lakehouse, which the first caller builds. */
  private JobResult checkedCleanDay() {
    if (cleanCheck == null) {
      cleanConfig = testConfig(cleanHome, Map.of());
      writeReference(cleanConfig.tablePath("features-flights"), 7);
      writeDay(cleanConfig.tablePath("features-flights"), 0);
      cleanCheck =
          CheckFeatures.prepare(cleanConfig, Map.of("view", "flights"))
              .run(JobContext.of(spark, cleanConfig, DS, "run-1"));
    }
    return cleanCheck;
  }

  /** Makes this test's lakehouse a copy of the shared clean one, checked once. */
  private JobResult useCheckedCleanDay() {
    JobResult result = checkedCleanDay();
    try {
      FileUtils.copyDirectory(cleanHome.toFile(), home.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return result;
  }

  /**
   * One day of features shaped like features-flights: the same distributions every day, except the
   * calendar columns (one weekday per day), origin_flights_1d (which follows the weekday), a tenth
   * of origin_delay_mean_7d null (no flights in the window), and distance moved by {@code
   * distanceShift} miles.
   */
  static Dataset<Row> day(LocalDate ds, int distanceShift) {
    return spark
        .range(ROWS_PER_DAY)
        .selectExpr(
            "concat('" + ds + "-', id) AS flight_id",
            "make_timestamp_ntz("
                + ds.getYear()
                + ", "
                + ds.getMonthValue()
                + ", "
                + ds.getDayOfMonth()
                + ", CAST(id % 24 AS INT), 0, 0) AS flight_ts",
            "DATE'" + ds + "' AS ds",
            "CAST(id % 24 AS INT) AS hour",
            "dayofweek(DATE'" + ds + "') AS day_of_week",
            "month(DATE'" + ds + "') AS month",
            "CAST(100 + (id * 37) % 2000 + " + distanceShift + " AS INT) AS distance",
            "element_at(array('ORD', 'ATL', 'SFO', 'JFK', 'LAX'), CAST(id % 5 + 1 AS INT)) AS origin",
            "element_at(array('IL', 'GA', 'CA', 'NY', 'CA'), CAST(id % 5 + 1 AS INT)) AS origin_state",
            "element_at(array(41.98, 33.64, 37.62, 40.64, 33.94), CAST(id % 5 + 1 AS INT))"
                + " AS origin_latitude",
            "CASE WHEN id % 10 = 0 THEN NULL ELSE CAST((id * 7) % 60 - 10 AS DOUBLE) END"
                + " AS origin_delay_mean_7d",
            "(id % 50) * dayofweek(DATE'" + ds + "') AS origin_flights_1d",
            "'test-run' AS _run_id");
  }

  /** Writes the days {@code ds - days .. ds - 1} as the reference, in one commit. */
  private void writeReference(int days) {
    writeReference(featuresPath, days);
  }

  static void writeReference(String featuresPath, int days) {
    Dataset<Row> all = null;
    for (int back = days; back >= 1; back--) {
      Dataset<Row> one = day(DS.minusDays(back), 0);
      all = all == null ? one : all.unionByName(one);
    }
    all.write().format("delta").partitionBy(DeltaTables.DS).save(featuresPath);
  }

  private void writeDay(int distanceShift) {
    writeDay(featuresPath, distanceShift);
  }

  static void writeDay(String featuresPath, int distanceShift) {
    new DeltaTables(spark).replaceDs(day(DS, distanceShift), featuresPath, DS);
  }

  private JobResult check(String runId) {
    return check(JobContext.of(spark, config, DS, runId));
  }

  private JobResult check(JobContext context) {
    return CheckFeatures.prepare(config, Map.of("view", "flights")).run(context);
  }

  private List<Row> metricsOfTheDay() {
    return spark
        .read()
        .format("delta")
        .load(config.tablePath("quality-features-flights"))
        .where(col("ds").equalTo(java.sql.Date.valueOf(DS)))
        .collectAsList();
  }

  private static Row metric(List<Row> metrics, String feature) {
    return metrics.stream()
        .filter(r -> feature.equals(r.getAs("feature")))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aCleanDayPassesAndCountsTheRowsItCheckedAsReadAndWritten() {
    JobResult result = useCheckedCleanDay();

    assertThat(result.rowsRead()).isEqualTo(ROWS_PER_DAY);
    assertThat(result.rowsWritten()).isEqualTo(ROWS_PER_DAY);
    // The shared lakehouse's tables, which this test's are copies of.
    assertThat(result.versionsRead()).containsKey(cleanConfig.tablePath("features-flights"));
    assertThat(result.versionsWritten())
        .containsKey(cleanConfig.tablePath("quality-features-flights"));
    List<Row> metrics = metricsOfTheDay();
    assertThat(metrics)
        .extracting(r -> r.<String>getAs("feature"))
        .containsExactlyInAnyOrderElementsOf(FEATURES);
    assertThat(metrics).allMatch(r -> r.<Long>getAs("reference_rows") == 7 * ROWS_PER_DAY);
    assertThat(metric(metrics, "distance").<String>getAs("gate")).isEqualTo(FeatureGate.PASS);
    assertThat(metric(metrics, "distance").<Double>getAs("psi")).isLessThan(0.01);
    // A single weekday against seven: drift, but exempt; a tenth of nulls, exempt too.
    assertThat(metric(metrics, "day_of_week").<String>getAs("gate")).isEqualTo(FeatureGate.EXEMPT);
    assertThat(metric(metrics, "origin_delay_mean_7d").<String>getAs("gate_reason"))
        .isEqualTo(
            "null share 0.1000 above the limit 0.05,"
                + " exempt by null-share-exempt '*_delay_mean_*d'");
    assertThat(metric(metrics, "origin").<Long>getAs("distinct_values")).isEqualTo(5);
    assertThat(metric(metrics, "month").<String>getAs("gate")).isEqualTo(FeatureGate.PASS);
  }

  @Test
  void aDriftedDayFailsNamingTheFeatureAndKeepsItsMetrics() {
    writeReference(7);
    writeDay(5000);
    JobContext context = JobContext.of(spark, config, DS, "run-1");

    assertThatThrownBy(() -> check(context))
        .isInstanceOf(LakepipeException.class)
        .hasMessageStartingWith(
            "Feature checks on features-flights for ds=2001-01-15 failed:" + " distance: psi ")
        .hasMessageContaining("above the limit 0.25")
        .hasMessageContaining("lakepipe.quality.features")
        .hasMessageNotContaining("day_of_week")
        .hasMessageNotContaining("\n");

    List<Row> metrics = metricsOfTheDay();
    assertThat(metrics).hasSize(FEATURES.size());
    Row distance = metric(metrics, "distance");
    assertThat(distance.<String>getAs("gate")).isEqualTo(FeatureGate.FAIL);
    assertThat(distance.<String>getAs("gate_reason")).startsWith("psi ");
    assertThat(distance.<Double>getAs("min")).isEqualTo(5100.0);
    assertThat(distance.<String>getAs("run_id")).isEqualTo("run-1");
    // What the failed run's audit row will hold: the rows it checked and the metrics it wrote.
    JobResult sofar = context.progress().snapshot("failed");
    assertThat(sofar.rowsRead()).isEqualTo(ROWS_PER_DAY);
    assertThat(sofar.versionsWritten()).containsKey(config.tablePath("quality-features-flights"));
  }

  @Test
  void aModeratelyShiftedDayPassesAndMarksTheShiftedFeatureForRetraining() {
    writeReference(7);
    // 150 miles moves about three quarters of the first decile's share into the last: a PSI
    // between retrain-psi (0.1) and max-psi (0.25).
    writeDay(150);

    JobResult result = check("run-1");

    List<Row> metrics = metricsOfTheDay();
    Row distance = metric(metrics, "distance");
    assertThat(distance.<String>getAs("gate")).isEqualTo(FeatureGate.PASS);
    assertThat(distance.<Double>getAs("psi")).isBetween(0.1, 0.25);
    assertThat(distance.<Boolean>getAs("retrain")).isTrue();
    // Drifted too, but drift-exempt: the weekday is no reason to retrain.
    assertThat(metric(metrics, "day_of_week").<Boolean>getAs("retrain")).isFalse();
    assertThat(metrics)
        .filteredOn(r -> r.<Boolean>getAs("retrain"))
        .extracting(r -> r.<String>getAs("feature"))
        .containsExactly("distance");
    assertThat(result.summary()).contains("1 drifted beyond retrain-psi").doesNotContain("MLflow");
  }

  @Test
  void anUnshiftedDayMarksNoFeatureForRetraining() {
    JobResult result = useCheckedCleanDay();

    assertThat(metricsOfTheDay()).extracting(r -> r.<Boolean>getAs("retrain")).containsOnly(false);
    assertThat(result.summary()).contains("0 drifted beyond retrain-psi");
  }

  @Test
  void rerunningADateLeavesOneSetOfMetricsRows() {
    // Checked once as run-1 already.
    useCheckedCleanDay();
    assertThat(metricsOfTheDay()).extracting(r -> r.<String>getAs("run_id")).containsOnly("run-1");

    check("run-2");

    List<Row> metrics = metricsOfTheDay();
    assertThat(metrics).hasSize(FEATURES.size());
    assertThat(metrics).extracting(r -> r.<String>getAs("run_id")).containsOnly("run-2");
  }

  @Test
  void theFirstDayHasNoReferenceAndPasses() {
    writeDay(0);

    check("run-1");

    assertThat(metricsOfTheDay())
        .extracting(r -> r.<String>getAs("gate"))
        .containsOnly(FeatureGate.NO_REFERENCE, FeatureGate.EXEMPT);
    assertThat(metricsOfTheDay()).allMatch(r -> r.getAs("psi") == null);
  }

  @Test
  void aMissingDateIsThePartitionMissingError() {
    writeReference(2);

    assertThatThrownBy(() -> check("run-1"))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("has no rows for ds=2001-01-15");
  }

  @Test
  void aMissingTableIsThePartitionMissingError() {
    assertThatThrownBy(() -> check("run-1"))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("Table features-flights at " + featuresPath)
        .hasMessageContaining("has no rows for ds=2001-01-15");
  }
}
