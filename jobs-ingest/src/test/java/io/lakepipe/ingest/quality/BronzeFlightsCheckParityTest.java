// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.quality;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazon.deequ.VerificationResult;
import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.config.LakepipeConfig;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * The declared flights check (lakepipe.checks.bronze-flights in the defaults) writes the results
 * rows that the hand-written gate it replaced wrote: the same constraint names, metric instances,
 * values, statuses and messages, so that the quality table's history reads on across the change.
 * The expected rows were printed from that gate (BronzeFlightChecks, CheckBronzeFlights) on these
 * same inputs before it was deleted; run_id is fixed and checked_at left out.
 */
class BronzeFlightsCheckParityTest extends SparkTestBase {
  static final LocalDateTime T = CheckTableTest.T;

  private List<String> resultsOf(Dataset<Row> day, String kind) {
    LakepipeConfig config = testConfig(Path.of("/unused"), Map.of());
    CheckDeclaration declaration = CheckDeclarationReader.read(config, "bronze-flights");
    VerificationResult result = CheckTable.verify(day, declaration, "bronze-flights ds=2001-01-15");
    return QualityResults.rows(spark, result, "bronze-flights", "r")
        .where("kind = '" + kind + "'")
        .drop("checked_at")
        .collectAsList()
        .stream()
        .map(r -> r.mkString(" | "))
        .toList();
  }

  private static List<String> lines(String block) {
    return block.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }

  @Test
  void aDayWithFailingRowsGivesTheOldGatesRows() {
    Dataset<Row> day =
        rows(
            CheckTableTest.bronze(),
            CheckTableTest.flight(T, 5, 300, "ORD", "SFO"),
            CheckTableTest.flight(T, 5, 300, "ORD", "SFO"),
            CheckTableTest.flight(T, 5000, 300, "ORD", null),
            CheckTableTest.flight(T, -3, 0, "ORDX", "sfo"),
            CheckTableTest.flight(null, 7, 120, "JFK", "LAX"));

    assertThat(resultsOf(day, "constraint"))
        .containsExactlyElementsOf(
            lines(
                """
        constraint | SizeConstraint(Size(None)) | null | null | Success |  | bronze-flights | r
        constraint | CompletenessConstraint(Completeness(flight_ts,None,None)) | null | null | Failure | Value: 0.8 does not meet the constraint requirement! | bronze-flights | r
        constraint | CompletenessConstraint(Completeness(delay,None,None)) | null | null | Success |  | bronze-flights | r
        constraint | CompletenessConstraint(Completeness(distance,None,None)) | null | null | Success |  | bronze-flights | r
        constraint | CompletenessConstraint(Completeness(origin,None,None)) | null | null | Success |  | bronze-flights | r
        constraint | CompletenessConstraint(Completeness(destination,None,None)) | null | null | Failure | Value: 0.8 does not meet the constraint requirement! | bronze-flights | r
        constraint | UniquenessConstraint(Uniqueness(Buffer(flight_ts, delay, distance, origin, destination),None,None)) | null | null | Failure | Value: 0.6 does not meet the constraint requirement! each flight record once | bronze-flights | r
        constraint | ComplianceConstraint(Compliance(delay between -180.0 and 1800.0,`delay` IS NULL OR (`delay` >= -180.0 AND `delay` <= 1800.0),None,List(delay),None)) | null | null | Failure | Value: 0.8 does not meet the constraint requirement! | bronze-flights | r
        constraint | MinimumConstraint(Minimum(distance,None,None)) | null | null | Failure | Value: 0.0 does not meet the constraint requirement! distances are positive | bronze-flights | r
        constraint | origin code pattern | null | null | Failure | Value: 0.8 does not meet the constraint requirement! airport codes have 3 characters | bronze-flights | r
        constraint | destination code pattern | null | null | Failure | Value: 0.6 does not meet the constraint requirement! airport codes have 3 characters | bronze-flights | r
        """));
    assertThat(resultsOf(day, "metric"))
        .containsExactlyInAnyOrderElementsOf(
            lines(
                """
        metric | Completeness | distance | 1.0 | null | null | bronze-flights | r
        metric | Minimum | distance | 0.0 | null | null | bronze-flights | r
        metric | PatternMatch | destination | 0.6 | null | null | bronze-flights | r
        metric | Uniqueness | flight_ts,delay,distance,origin,destination | 0.6 | null | null | bronze-flights | r
        metric | Completeness | destination | 0.8 | null | null | bronze-flights | r
        metric | Size | * | 5.0 | null | null | bronze-flights | r
        metric | Completeness | origin | 1.0 | null | null | bronze-flights | r
        metric | PatternMatch | origin | 0.8 | null | null | bronze-flights | r
        metric | Compliance | delay between -180.0 and 1800.0 | 0.8 | null | null | bronze-flights | r
        metric | Completeness | flight_ts | 0.8 | null | null | bronze-flights | r
        metric | Completeness | delay | 1.0 | null | null | bronze-flights | r
        """));
  }

  @Test
  void anEmptyDayGivesTheOldGatesRows() {
    Dataset<Row> day = rows(CheckTableTest.bronze());

    assertThat(resultsOf(day, "constraint"))
        .containsExactlyElementsOf(
            lines(
                """
        constraint | SizeConstraint(Size(None)) | null | null | Failure | Value: 0 does not meet the constraint requirement! at least 1 rows | bronze-flights | r
        constraint | CompletenessConstraint(Completeness(flight_ts,None,None)) | null | null | Failure | Empty state for analyzer Completeness(flight_ts,None,None), all input values were NULL. | bronze-flights | r
        constraint | CompletenessConstraint(Completeness(delay,None,None)) | null | null | Failure | Empty state for analyzer Completeness(delay,None,None), all input values were NULL. | bronze-flights | r
        constraint | CompletenessConstraint(Completeness(distance,None,None)) | null | null | Failure | Empty state for analyzer Completeness(distance,None,None), all input values were NULL. | bronze-flights | r
        constraint | CompletenessConstraint(Completeness(origin,None,None)) | null | null | Failure | Empty state for analyzer Completeness(origin,None,None), all input values were NULL. | bronze-flights | r
        constraint | CompletenessConstraint(Completeness(destination,None,None)) | null | null | Failure | Empty state for analyzer Completeness(destination,None,None), all input values were NULL. | bronze-flights | r
        constraint | UniquenessConstraint(Uniqueness(Buffer(flight_ts, delay, distance, origin, destination),None,None)) | null | null | Failure | Empty state for analyzer Uniqueness(Buffer(flight_ts, delay, distance, origin, destination),None,None), all input values were NULL. | bronze-flights | r
        constraint | ComplianceConstraint(Compliance(delay between -180.0 and 1800.0,`delay` IS NULL OR (`delay` >= -180.0 AND `delay` <= 1800.0),None,List(delay),None)) | null | null | Failure | Empty state for analyzer Compliance(delay between -180.0 and 1800.0,`delay` IS NULL OR (`delay` >= -180.0 AND `delay` <= 1800.0),None,List(delay),None), all input values were NULL. | bronze-flights | r
        constraint | MinimumConstraint(Minimum(distance,None,None)) | null | null | Failure | Empty state for analyzer Minimum(distance,None,None), all input values were NULL. | bronze-flights | r
        constraint | origin code pattern | null | null | Failure | Empty state for analyzer PatternMatch(origin,^[A-Z0-9]{3}$,None,None), all input values were NULL. | bronze-flights | r
        constraint | destination code pattern | null | null | Failure | Empty state for analyzer PatternMatch(destination,^[A-Z0-9]{3}$,None,None), all input values were NULL. | bronze-flights | r
        """));
    assertThat(resultsOf(day, "metric"))
        .containsExactly("metric | Size | * | 0.0 | null | null | bronze-flights | r");
  }
}
