// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.lakepipe.core.SparkTestBase;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Metrics and PSI of feature columns, checked against values computed by hand. */
class FeatureMetricsTest extends SparkTestBase {
  static final double FLOOR = 1e-4;
  static final LocalDate DS = LocalDate.parse("2001-01-15");

  /** One column of a features table, with the ds the metrics must leave out. */
  private static Dataset<Row> column(
      String name, org.apache.spark.sql.types.DataType type, Object... values) {
    StructType schema = new StructType().add("ds", DataTypes.DateType).add(name, type);
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      rows.add(new Object[] {java.sql.Date.valueOf(DS), values[i]});
    }
    return rows(schema, rows.toArray(Object[][]::new));
  }

  /** {@code count} copies of {@code value}, to build a distribution by its bucket counts. */
  private static List<Object> times(int count, Object value) {
    return java.util.Collections.nCopies(count, value);
  }

  @SafeVarargs
  private static Object[] concat(List<Object>... parts) {
    // A loop rather than Arrays.stream(parts): passing the generic varargs array on is what javac
    // flags as possible heap pollution.
    List<Object> all = new ArrayList<>();
    for (List<Object> part : parts) {
      all.addAll(part);
    }
    return all.toArray();
  }

  private static FeatureMetric only(List<FeatureMetric> metrics) {
    assertThat(metrics).hasSize(1);
    return metrics.get(0);
  }

  /** One PSI term of a bucket, from its two shares, with the floor of the definition. */
  private static double term(double dayShare, double referenceShare) {
    double day = Math.max(dayShare, FLOOR);
    double reference = Math.max(referenceShare, FLOOR);
    return (day - reference) * Math.log(day / reference);
  }

  @Test
  void identicalDistributionsHaveAPsiOfZero() {
    Object[] distances = concat(times(7, 300), times(5, 1200), times(3, 2500), times(2, null));
    Object[] origins = concat(times(6, "ORD"), times(4, "ATL"), times(1, null));

    FeatureMetric distance =
        only(
            FeatureMetrics.compute(
                column("distance", DataTypes.IntegerType, distances),
                column("distance", DataTypes.IntegerType, distances),
                10));
    FeatureMetric origin =
        only(
            FeatureMetrics.compute(
                column("origin", DataTypes.StringType, origins),
                column("origin", DataTypes.StringType, origins),
                10));

    assertThat(distance.psi()).isCloseTo(0.0, within(1e-12));
    assertThat(origin.psi()).isCloseTo(0.0, within(1e-12));
  }

  @Test
  void aShiftedNumericDistributionHasThePsiOfItsDecileBuckets() {
    // Reference: cumulative shares 0.15, 0.45, 0.75, 1.0, so its deciles are 1,2,2,2,3,3,3,4,4
    // whatever the rank convention, and no gap lies within half a bin of one: edges 1, 2, 3, 4.
    // Above 4 the reference has nothing, so that bin merges into its neighbour: right-closed
    // buckets (-inf,1] (1,2] (2,3] (3,inf), null.
    Object[] reference = concat(times(15, 1), times(30, 2), times(30, 3), times(25, 4));
    Object[] day =
        concat(
            times(10, 1), times(20, 2), times(30, 3), times(20, 4), times(10, 5), times(10, null));

    FeatureMetric distance =
        only(
            FeatureMetrics.compute(
                column("distance", DataTypes.IntegerType, day),
                column("distance", DataTypes.IntegerType, reference),
                10));

    double expected =
        term(0.10, 0.15) + term(0.20, 0.30) + term(0.30, 0.30) + term(0.30, 0.25) + term(0.10, 0.0);
    assertThat(distance.psi()).isCloseTo(expected, within(1e-9));
    assertThat(distance.referenceRows()).isEqualTo(100);
  }

  /**
   * Ten airports of a tenth of the rows each, whose rows share one value a day, such as the flights
   * from the origin over 7 days: {@code base + wiggle} per airport, the bases 100 apart.
   */
  private static Object[] airports(int... wiggles) {
    List<Object> values = new ArrayList<>();
    for (int airport = 0; airport < 10; airport++) {
      for (int wiggle : wiggles) {
        values.addAll(times(100, (long) (1000 + 100 * airport + wiggle)));
      }
    }
    return values.toArray();
  }

  @Test
  void anAirportsValueMovingByOneIsNoDriftButAShiftOfTheWholeDistributionIs() {
    // Seven reference days: every airport's value moves by one a day. Edges at the deciles would
    // sit on airports' highest values, and today's values, one above, would move every airport's
    // rows to the next bin.
    Dataset<Row> reference =
        column("origin_flights_7d", DataTypes.LongType, airports(0, 1, 2, 3, 4, 5, 6));

    FeatureMetric oneMore =
        only(
            FeatureMetrics.compute(
                column("origin_flights_7d", DataTypes.LongType, airports(7)), reference, 10));
    FeatureMetric oneLess =
        only(
            FeatureMetrics.compute(
                column("origin_flights_7d", DataTypes.LongType, airports(-1)), reference, 10));
    FeatureMetric shifted =
        only(
            FeatureMetrics.compute(
                column("origin_flights_7d", DataTypes.LongType, airports(100)), reference, 10));

    assertThat(oneMore.psi()).isCloseTo(0.0, within(1e-12));
    assertThat(oneLess.psi()).isCloseTo(0.0, within(1e-12));
    // Every airport took the next one's value: the lowest bin emptied, and the top bin, which is
    // open above, holds the two highest airports.
    assertThat(shifted.psi()).isCloseTo(term(0.0, 0.1) + term(0.2, 0.1), within(1e-9));
    assertThat(shifted.psi()).isGreaterThan(0.25);
  }

  @Test
  void edgesLieInTheWidestGapNearTheirQuantileAndBinsAreRightClosed() {
    // 199 quantiles of a reference half 1.0 and half spread over 2.0 .. 2.99.
    List<Object> quantiles = new ArrayList<>();
    for (int j = 1; j < 200; j++) {
      quantiles.add(j <= 100 ? 1.0 : 2.0 + (j - 101) / 100.0);
    }

    double[] edges = FeatureMetrics.binEdges(quantiles, 10);

    // The edge of the median falls in the gap (1.0, 2.0). The edges of 0.1 .. 0.4 are 1.0 itself
    // (no gap); the bin (1.0, 1.5] that leaves empty goes with that edge, not with the gap's.
    assertThat(edges).contains(1.5).doesNotContain(1.0, 2.0);
    assertThat(java.util.Arrays.stream(edges).min().orElseThrow()).isEqualTo(1.5);
    assertThat(FeatureMetrics.bin(1.5, edges)).isZero();
    assertThat(FeatureMetrics.bin(1.51, edges)).isEqualTo(1);
    assertThat(FeatureMetrics.bin(100, edges)).isEqualTo(edges.length);
    assertThat(FeatureMetrics.binEdges(java.util.Arrays.asList(null, null), 10)).isEmpty();
  }

  @Test
  void categoriesTheReferenceNeverSawArePooledIntoOneOtherBucket() {
    Object[] reference = concat(times(50, "ORD"), times(30, "ATL"), times(20, "SFO"));
    Object[] day =
        concat(
            times(40, "ORD"), times(20, "ATL"), times(15, "JFK"), times(5, "LAX"), times(20, null));

    FeatureMetric origin =
        only(
            FeatureMetrics.compute(
                column("origin", DataTypes.StringType, day),
                column("origin", DataTypes.StringType, reference),
                10));

    // Buckets ORD, ATL, SFO (absent today), other (JFK + LAX), null.
    double expected =
        term(0.40, 0.50) + term(0.20, 0.30) + term(0.0, 0.20) + term(0.20, 0.0) + term(0.20, 0.0);
    assertThat(origin.psi()).isCloseTo(expected, within(1e-9));
    assertThat(origin.kind()).isEqualTo(FeatureMetric.CATEGORICAL);
    assertThat(origin.distinctValues()).isEqualTo(4);
    assertThat(origin.nullShare()).isEqualTo(0.2);
    assertThat(origin.min()).isNull();
    assertThat(origin.mean()).isNull();
  }

  @Test
  void nullShareMinMaxAndMeanAreExactAndNanCountsAsNull() {
    FeatureMetric delayMean =
        only(
            FeatureMetrics.compute(
                column(
                    "origin_delay_mean_7d",
                    DataTypes.DoubleType,
                    2.5,
                    Double.NaN,
                    null,
                    -1.0,
                    10.0),
                spark.emptyDataFrame(),
                10));

    assertThat(delayMean.kind()).isEqualTo(FeatureMetric.NUMERIC);
    assertThat(delayMean.rows()).isEqualTo(5);
    assertThat(delayMean.nulls()).isEqualTo(2);
    assertThat(delayMean.nullShare()).isEqualTo(0.4);
    assertThat(delayMean.min()).isEqualTo(-1.0);
    assertThat(delayMean.max()).isEqualTo(10.0);
    assertThat(delayMean.mean()).isEqualTo(11.5 / 3);
    assertThat(delayMean.distinctValues()).isNull();
  }

  @Test
  void nanIsTheNullBucketOfThePsi() {
    FeatureMetric delayMean =
        only(
            FeatureMetrics.compute(
                column("origin_delay_mean_7d", DataTypes.DoubleType, 1.0, Double.NaN),
                column("origin_delay_mean_7d", DataTypes.DoubleType, 1.0, null),
                10));

    assertThat(delayMean.psi()).isCloseTo(0.0, within(1e-12));
  }

  @Test
  void aSingleValueColumnHasOneEdgeAndAFinitePsi() {
    Dataset<Row> january = column("month", DataTypes.IntegerType, 1, 1, 1, 1);
    Dataset<Row> february = column("month", DataTypes.IntegerType, 2, 2);

    FeatureMetric same = only(FeatureMetrics.compute(january, january, 10));
    FeatureMetric moved = only(FeatureMetrics.compute(february, january, 10));

    assertThat(same.psi()).isCloseTo(0.0, within(1e-12));
    // Buckets (-inf,1] and (1,inf): every row moved from the first to the second.
    assertThat(moved.psi()).isCloseTo(term(0.0, 1.0) + term(1.0, 0.0), within(1e-9));
    assertThat(moved.psi()).isFinite();
  }

  @Test
  void anAllNullColumnHasNoMinMaxOrMeanAndAFinitePsi() {
    Dataset<Row> allNull = column("origin_latitude", DataTypes.DoubleType, null, null, null);
    Dataset<Row> valued = column("origin_latitude", DataTypes.DoubleType, 41.9, 33.6);

    FeatureMetric nulls = only(FeatureMetrics.compute(allNull, allNull, 10));
    FeatureMetric appeared = only(FeatureMetrics.compute(valued, allNull, 10));

    assertThat(nulls.nullShare()).isEqualTo(1.0);
    assertThat(nulls.min()).isNull();
    assertThat(nulls.max()).isNull();
    assertThat(nulls.mean()).isNull();
    assertThat(nulls.psi()).isCloseTo(0.0, within(1e-12));
    // The reference has no edges: one bucket for every value, one for null.
    assertThat(appeared.psi()).isCloseTo(term(1.0, 0.0) + term(0.0, 1.0), within(1e-9));
  }

  @Test
  void anEmptyReferenceGivesNoPsiAndTheGateSaysNoReference() {
    Dataset<Row> day = column("distance", DataTypes.IntegerType, 300, 1200);

    FeatureMetric distance = only(FeatureMetrics.compute(day, day.limit(0), 10));
    FeatureGate.Verdict verdict = FeatureGate.judge(distance, FeatureGateTest.settings());

    assertThat(distance.psi()).isNull();
    assertThat(distance.referenceRows()).isZero();
    assertThat(verdict.gate()).isEqualTo(FeatureGate.NO_REFERENCE);
    assertThat(verdict.reason()).contains("no reference rows");
    assertThat(verdict.failures()).isEmpty();
  }

  @Test
  void anEmptyDayGivesNoSharesAndFailsTheGateOnRows() {
    Dataset<Row> reference = column("distance", DataTypes.IntegerType, 300, 1200);

    FeatureMetric distance = only(FeatureMetrics.compute(reference.limit(0), reference, 10));

    assertThat(distance.rows()).isZero();
    assertThat(distance.nullShare()).isNull();
    assertThat(distance.mean()).isNull();
    assertThat(distance.psi()).isNull();
    assertThat(FeatureGate.failures(List.of(distance), FeatureGateTest.settings()))
        .extracting(Object::toString)
        .containsExactly("distance: rows 0 below the minimum 1");
  }

  @Test
  void aFeatureTheReferenceLacksHasNoPsi() {
    StructType schema =
        new StructType()
            .add("distance", DataTypes.IntegerType)
            .add("origin_flights_1d", DataTypes.LongType);
    Dataset<Row> day = rows(schema, new Object[] {300, 5L}, new Object[] {1200, 7L});
    Dataset<Row> reference = day.drop("origin_flights_1d");

    List<FeatureMetric> metrics = FeatureMetrics.compute(day, reference, 10);

    assertThat(metrics)
        .extracting(FeatureMetric::feature)
        .containsExactly("distance", "origin_flights_1d");
    assertThat(metrics.get(0).psi()).isCloseTo(0.0, within(1e-12));
    assertThat(metrics.get(1).psi()).isNull();
    assertThat(FeatureGate.judge(metrics.get(1), FeatureGateTest.settings()).reason())
        .contains("absent from the reference");
  }

  @Test
  void featuresAreEveryColumnButDsAndLineageByKind() {
    StructType schema =
        new StructType()
            .add("hour", DataTypes.IntegerType)
            .add("origin", DataTypes.StringType)
            .add("origin_flights_1d", DataTypes.LongType)
            .add("is_weekend", DataTypes.BooleanType)
            .add("_run_id", DataTypes.StringType)
            .add("ds", DataTypes.DateType);

    assertThat(FeatureMetrics.features(schema))
        .extracting(f -> f.name() + ":" + f.kind())
        .containsExactly(
            "hour:numeric",
            "origin:categorical",
            "origin_flights_1d:numeric",
            "is_weekend:categorical");
    assertThatThrownBy(() -> FeatureMetrics.features(schema.add("scheduled", DataTypes.DateType)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("scheduled has type date");
  }

  @Test
  void theNumberOfSparkJobsDoesNotGrowWithTheNumberOfColumns() throws Exception {
    assertThat(sparkJobsToMeasure(30)).isEqualTo(sparkJobsToMeasure(2));
  }

  /**
   * Spark jobs that {@link FeatureMetrics#compute} starts on a table of {@code columns} features.
   */
  private static int sparkJobsToMeasure(int columns) throws java.util.concurrent.TimeoutException {
    StructType schema = new StructType();
    for (int i = 0; i < columns; i++) {
      schema =
          i % 2 == 0
              ? schema.add("numeric_" + i, DataTypes.DoubleType)
              : schema.add("category_" + i, DataTypes.StringType);
    }
    List<Object[]> values = new ArrayList<>();
    for (int row = 0; row < 50; row++) {
      Object[] value = new Object[columns];
      for (int i = 0; i < columns; i++) {
        value[i] = i % 2 == 0 ? (Object) (double) (row % 7) : "c" + (row % 3);
      }
      values.add(value);
    }
    Dataset<Row> table = rows(schema, values.toArray(Object[][]::new)).cache();
    table.count();
    AtomicInteger jobs = new AtomicInteger();
    SparkListener listener =
        new SparkListener() {
          @Override
          public void onJobStart(SparkListenerJobStart jobStart) {
            jobs.incrementAndGet();
          }
        };
    spark.sparkContext().listenerBus().waitUntilEmpty();
    spark.sparkContext().addSparkListener(listener);
    try {
      FeatureMetrics.compute(table, table, 10);
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } finally {
      spark.sparkContext().removeSparkListener(listener);
      table.unpersist();
    }
    return jobs.get();
  }
}
