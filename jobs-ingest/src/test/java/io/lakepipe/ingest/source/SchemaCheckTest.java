// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.source;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.config.TestConfigs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What only Spark's analyzer knows of a declaration: the types of its expressions. */
class SchemaCheckTest extends SparkTestBase {
  private static FileSource flights(Map<String, Object> overrides) {
    return SourceDeclarations.files(TestConfigs.flights(overrides), "flights");
  }

  @Test
  void theFlightsDeclarationFitsItsSchema() {
    assertThatCode(() -> SchemaCheck.check(spark, flights(Map.of()))).doesNotThrowAnyException();
  }

  @Test
  void anExpectationThatIsNoConditionIsRefused() {
    FileSource source =
        flights(
            Map.of(
                "lakepipe.sources.flights.expectations",
                List.of(Map.of("name", "x", "sql", "delay + 1"))));

    assertThatThrownBy(() -> SchemaCheck.check(spark, source))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("lakepipe.sources.flights.expectations[0].sql")
        .hasMessageContaining("'delay + 1' is of type int, not boolean")
        .hasMessageContaining("Write a condition that is true for a good row");
  }

  @Test
  void aDsThatIsNoDateIsRefused() {
    FileSource source = flights(Map.of("lakepipe.sources.flights.ds.sql", "date"));

    assertThatThrownBy(() -> SchemaCheck.check(spark, source))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("lakepipe.sources.flights.ds.sql")
        .hasMessageContaining("'date' is of type timestamp, not date");
  }

  @Test
  void anExpressionSparkCannotResolveIsRefusedInOneLine() {
    FileSource source =
        flights(
            Map.of(
                "lakepipe.sources.flights.bronze-columns",
                List.of(Map.of("name", "km", "sql", "miles_to_km(distance)"))));

    assertThatThrownBy(() -> SchemaCheck.check(spark, source))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("lakepipe.sources.flights.bronze-columns[0].sql")
        .hasMessageContaining("'miles_to_km(distance)' does not fit the declared schema")
        .hasMessageNotContaining("\n");
  }
}
