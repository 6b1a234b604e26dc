// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazon.deequ.VerificationResult;
import com.amazon.deequ.checks.CheckStatus;
import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.TableRows;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.config.TestConfigs;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.table.DeltaTables;
import io.lakepipe.ingest.files.LandedRecords;
import io.lakepipe.ingest.quality.DeclaredConstraint.Complete;
import io.lakepipe.ingest.quality.DeclaredConstraint.Condition;
import io.lakepipe.ingest.quality.DeclaredConstraint.Declared;
import io.lakepipe.ingest.source.SourceDeclarations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The declared gate: good days pass and keep their metrics, bad days fail and say why, a table
 * declared in a config file is checked without code, and a declaration that does not fit the
 * table's columns stops before Deequ runs.
 */
class CheckTableTest extends SparkTestBase {
  static final LocalDate DS = LocalDate.parse("2001-01-15");
  static final LocalDateTime T = LocalDateTime.parse("2001-01-15T08:30:00");
  static final Declared AT =
      new Declared("lakepipe.checks.bronze-flights.constraints[0]", "t.conf:3");

  @TempDir Path home;

  /** The context of the last check, whose progress a failed run's audit row takes. */
  private JobContext lastRun;

  /** The bronze flights table as the ingest of the declared flights source writes it. */
  static StructType bronze() {
    return LandedRecords.bronzeSchema(
        spark, SourceDeclarations.files(TestConfigs.flights(Map.of()), "flights"));
  }

  /** A bronze flight; its lineage and ds columns, which the checks ignore, stay null. */
  static Object[] flight(
      LocalDateTime ts, Integer delay, Integer distance, String origin, String destination) {
    return TableRows.row(
        bronze(),
        "flight_ts",
        ts,
        "delay",
        delay,
        "distance",
        distance,
        "origin",
        origin,
        "destination",
        destination);
  }

  private JobResult check(Object[]... bronzeRows) {
    LakepipeConfig config = testConfig(home, Map.of());
    new DeltaTables(spark)
        .replaceDs(rows(bronze(), bronzeRows), config.tablePath("bronze-flights"), DS);
    lastRun = JobContext.of(spark, config, DS, "check-run");
    return CheckTable.prepare(config, Map.of("table", "bronze-flights")).run(lastRun);
  }

  private List<Row> metrics() {
    return spark
        .read()
        .format("delta")
        .load(home.resolve("lakehouse/quality/bronze_flights").toString())
        .collectAsList();
  }

  private static CheckDeclaration declaring(DeclaredConstraint... constraints) {
    return new CheckDeclaration(
        "bronze-flights", "quality-bronze-flights", AT, List.of(constraints));
  }

  @Test
  void aCleanDayPassesAndKeepsItsMetrics() {
    JobResult result = check(flight(T, 5, 300, "ORD", "SFO"), flight(T, -3, 1200, "JFK", "LAX"));

    assertThat(result.rowsRead()).isEqualTo(2);
    assertThat(result.rowsWritten()).isEqualTo(2);
    assertThat(result.versionsWritten())
        .containsOnlyKeys(home.resolve("lakehouse/quality/bronze_flights").toString());
    assertThat(metrics())
        .filteredOn(r -> "constraint".equals(r.getAs("kind")))
        .isNotEmpty()
        .allMatch(r -> "Success".equals(r.getAs("status")));
    assertThat(metrics())
        .filteredOn(
            r ->
                "metric".equals(r.getAs("kind"))
                    && "Completeness".equals(r.getAs("name"))
                    && "origin".equals(r.getAs("instance")))
        .extracting(r -> r.<Double>getAs("value"))
        .containsExactly(1.0);
    assertThat(metrics().get(0).schema()).isEqualTo(DeltaTables.withDs(QualityResults.SCHEMA));
  }

  @Test
  void aFailedConstraintFailsTheGateAndIsRecorded() {
    assertThatThrownBy(
            () ->
                check(
                    flight(T, 5, 300, "ORD", "SFO"),
                    flight(T, 5, 300, "ORD", "SFO"),
                    flight(T, 5000, 300, "ORD", null)))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("Data-quality checks on bronze-flights for ds=2001-01-15 failed")
        .hasMessageContaining("CompletenessConstraint(Completeness(destination")
        .hasMessageContaining("UniquenessConstraint")
        .hasMessageContaining("delay");

    assertThat(metrics())
        .filteredOn(
            r -> "constraint".equals(r.getAs("kind")) && "Failure".equals(r.getAs("status")))
        .hasSizeGreaterThanOrEqualTo(3);
    // The failed run's audit row holds the rows it checked and the results it wrote.
    JobResult sofar = lastRun.progress().snapshot("failed");
    assertThat(sofar.rowsRead()).isEqualTo(3);
    assertThat(sofar.versionsWritten())
        .containsKey(home.resolve("lakehouse/quality/bronze_flights").toString());
  }

  @Test
  void aTableDeclaredInAConfigFileIsCheckedWithoutCode() throws Exception {
    Path file =
        Files.writeString(
            home.resolve("orders.conf"),
            String.join(
                "\n",
                "lakepipe.home = \"" + home + "\"",
                "lakepipe.lakehouse = \"" + home.resolve("lakehouse") + "\"",
                "lakepipe.tables.bronze-orders = ${lakepipe.lakehouse}\"/bronze/orders\"",
                "lakepipe.tables.quality-orders = ${lakepipe.lakehouse}\"/quality/orders\"",
                "lakepipe.checks.bronze-orders {",
                "  results-table = quality-orders",
                "  constraints = [",
                "    { kind = condition, name = \"paid orders\", sql = \"amount > 0\", min-share = 0.5 }",
                "    { kind = pattern, column = sku, regex = \"^[A-Z]+-[0-9]+$\", hint = \"SKUs are AB-12\" }",
                "  ]",
                "}"));
    LakepipeConfig config = LakepipeConfig.load(file);
    StructType orders =
        new StructType().add("sku", DataTypes.StringType).add("amount", DataTypes.DoubleType);
    new DeltaTables(spark)
        .replaceDs(
            rows(orders, new Object[] {"AB-1", 10.0}, new Object[] {"CD-2", 0.0}),
            config.tablePath("bronze-orders"),
            DS);

    JobResult result =
        CheckTable.prepare(config, Map.of("table", "bronze-orders"))
            .run(JobContext.of(spark, config, DS, "orders-run", Map.of("table", "bronze-orders")));

    assertThat(result.rowsRead()).isEqualTo(2);
    List<Row> results =
        spark
            .read()
            .format("delta")
            .load(config.tablePath("quality-orders"))
            .where("kind = 'constraint'")
            .collectAsList();
    assertThat(results)
        .extracting(r -> r.<String>getAs("name") + " " + r.<String>getAs("status"))
        .containsExactly(
            "ComplianceConstraint(Compliance(paid orders,amount > 0,None,List(),None))"
                + " Success",
            "PatternMatchConstraint(sku, ^[A-Z]+-[0-9]+$) Success");
    assertThat(results)
        .extracting(r -> r.<String>getAs("table_name"))
        .containsOnly("bronze-orders");
  }

  @Test
  void aConditionBelowItsShareFailsWithItsHint() {
    Dataset<Row> day =
        rows(bronze(), flight(T, 5, 300, "ORD", "SFO"), flight(T, 5, 300, "ORD", "ORD"));
    CheckDeclaration declaration =
        declaring(
            new Condition(
                AT, "no round trips", "origin <> destination", 1.0, "a flight joins two airports"));

    VerificationResult result = CheckTable.verify(day, declaration, "bronze-flights ds=2001-01-15");

    assertThat(result.status()).isEqualTo(CheckStatus.Error());
    assertThat(
            QualityResults.rows(spark, result, "bronze-flights", "r")
                .where("kind = 'constraint'")
                .select("name", "message")
                .collectAsList())
        .extracting(Row::toString)
        .containsExactly(
            "[ComplianceConstraint(Compliance(no round trips,origin <> destination,None,"
                + "List(),None)),Value: 0.5 does not meet the constraint requirement! a flight joins two"
                + " airports]");
  }

  @Test
  void aColumnTheTableLacksStopsBeforeDeequRuns() {
    Dataset<Row> day = rows(bronze(), flight(T, 5, 300, "ORD", "SFO"));
    CheckDeclaration declaration =
        declaring(new Complete(AT, List.of("origin", "flight_time"), null));

    assertThatThrownBy(() -> CheckTable.verify(day, declaration, "d"))
        .isInstanceOf(LakepipeException.class)
        .hasMessage(
            "Check declaration lakepipe.checks.bronze-flights.constraints[0].columns"
                + " (t.conf:3) is invalid: 'flight_time' is not a column of bronze-flights (its columns:"
                + " flight_ts, delay, distance, origin, destination, _source, _source_location,"
                + " _run_id, _ingested_at, ds). Name a column of the table, spelt as in its schema;"
                + " the kinds of constraint and their keys are described under"
                + " lakepipe.checks in jobs-core's lakepipe-defaults.conf.");
  }

  @Test
  void aConditionMustBeABooleanOverTheTablesColumns() {
    Dataset<Row> day = rows(bronze(), flight(T, 5, 300, "ORD", "SFO"));

    assertThatThrownBy(
            () ->
                CheckTable.verify(
                    day, declaring(new Condition(AT, "late", "arrival_delay > 0", 1.0, null)), "d"))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("lakepipe.checks.bronze-flights.constraints[0].sql (t.conf:3)")
        .hasMessageContaining("'arrival_delay > 0' does not work on the columns of bronze-flights")
        .hasMessageContaining("arrival_delay")
        .hasMessageNotContaining("\n");
    assertThatThrownBy(
            () ->
                CheckTable.verify(
                    day, declaring(new Condition(AT, "delay", "delay + 1", 1.0, null)), "d"))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("'delay + 1' is of type int, not a boolean");
  }
}
