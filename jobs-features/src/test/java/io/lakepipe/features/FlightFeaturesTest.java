package io.lakepipe.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.SparkTestBase;
import java.time.LocalDateTime;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class FlightFeaturesTest extends SparkTestBase {
  static final StructType BRONZE = new StructType()
      .add("flight_ts", DataTypes.TimestampNTZType)
      .add("delay", DataTypes.IntegerType)
      .add("distance", DataTypes.IntegerType)
      .add("origin", DataTypes.StringType)
      .add("destination", DataTypes.StringType)
      .add("_run_id", DataTypes.StringType);

  @Test
  void buildsCalendarFeaturesAndTheLabel() {
    // 2001-01-15 was a Monday: Spark's dayofweek counts Sunday as 1, so Monday is 2.
    Dataset<Row> bronze = rows(BRONZE,
        new Object[] {LocalDateTime.of(2001, 1, 15, 7, 5), 16, 2176, "LAS", "PHL", "r"},
        new Object[] {LocalDateTime.of(2001, 1, 20, 23, 59), 15, 215, "ATL", "SAV", "r"});

    List<String> features = FlightFeatures.build(bronze, 15).orderBy("flight_ts").collectAsList()
        .stream().map(Row::toString).toList();

    assertThat(features).containsExactly(
        "[2001-01-15T07:05,7,2,1,2176,LAS,PHL,1]",
        "[2001-01-20T23:59,23,7,1,215,ATL,SAV,0]");
  }

  @Test
  void dropsLineageAndKeepsTheDeclaredColumns() {
    Dataset<Row> bronze = rows(BRONZE,
        new Object[] {LocalDateTime.of(2001, 1, 15, 7, 5), 1, 10, "AAA", "BBB", "r"});

    assertThat(FlightFeatures.build(bronze, 15).columns()).containsExactly(
        "flight_ts", "hour", "day_of_week", "month", "distance", "origin", "destination", "delayed");
  }

  @Test
  void missingInputColumnIsAnError() {
    Dataset<Row> bronze = rows(BRONZE,
        new Object[] {LocalDateTime.of(2001, 1, 15, 7, 5), 1, 10, "AAA", "BBB", "r"}).drop("delay");

    assertThatThrownBy(() -> FlightFeatures.build(bronze, 15)).hasMessageContaining("[delay]");
  }
}
