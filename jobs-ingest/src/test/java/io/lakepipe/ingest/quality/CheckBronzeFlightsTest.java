package io.lakepipe.ingest.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.table.DeltaTables;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Deequ gate on bronze: good days pass and keep their metrics, bad days fail and say why. */
class CheckBronzeFlightsTest extends SparkTestBase {
  static final LocalDate DS = LocalDate.parse("2001-01-15");
  static final StructType BRONZE = new StructType()
      .add("flight_ts", DataTypes.TimestampNTZType)
      .add("delay", DataTypes.IntegerType)
      .add("distance", DataTypes.IntegerType)
      .add("origin", DataTypes.StringType)
      .add("destination", DataTypes.StringType);
  static final LocalDateTime T = LocalDateTime.parse("2001-01-15T08:30:00");

  @TempDir Path home;

  private JobResult check(Object[]... bronzeRows) {
    LakepipeConfig config = testConfig(home, Map.of());
    new DeltaTables(spark).replaceDs(rows(BRONZE, bronzeRows), config.tablePath("bronze-flights"),
        DS);
    return CheckBronzeFlights.run(JobContext.of(spark, config, DS, "check-run"));
  }

  private List<Row> metrics() {
    return spark.read().format("delta").load(home.resolve("lakehouse/quality/bronze_flights")
        .toString()).collectAsList();
  }

  @Test
  void aCleanDayPassesAndKeepsItsMetrics() {
    JobResult result = check(
        new Object[] {T, 5, 300, "ORD", "SFO"},
        new Object[] {T, -3, 1200, "JFK", "LAX"});

    assertThat(result.rowsRead()).isEqualTo(2);
    assertThat(metrics()).filteredOn(r -> "constraint".equals(r.getAs("kind")))
        .isNotEmpty()
        .allMatch(r -> "Success".equals(r.getAs("status")));
    assertThat(metrics()).filteredOn(r -> "metric".equals(r.getAs("kind"))
            && "Completeness".equals(r.getAs("name")) && "origin".equals(r.getAs("instance")))
        .extracting(r -> r.<Double>getAs("value")).containsExactly(1.0);
  }

  @Test
  void aFailedConstraintFailsTheGateAndIsRecorded() {
    assertThatThrownBy(() -> check(
            new Object[] {T, 5, 300, "ORD", "SFO"},
            new Object[] {T, 5, 300, "ORD", "SFO"},
            new Object[] {T, 5000, 300, "ORD", null}))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("Data-quality checks on bronze-flights for ds=2001-01-15 failed")
        .hasMessageContaining("CompletenessConstraint(Completeness(destination")
        .hasMessageContaining("UniquenessConstraint")
        .hasMessageContaining("delay");

    assertThat(metrics()).filteredOn(r -> "constraint".equals(r.getAs("kind"))
        && "Failure".equals(r.getAs("status"))).hasSizeGreaterThanOrEqualTo(3);
  }
}
