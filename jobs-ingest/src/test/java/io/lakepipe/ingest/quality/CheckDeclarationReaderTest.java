// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.config.TestConfigs;
import io.lakepipe.ingest.quality.DeclaredConstraint.Complete;
import io.lakepipe.ingest.quality.DeclaredConstraint.MinAbove;
import io.lakepipe.ingest.quality.DeclaredConstraint.PatternMatch;
import io.lakepipe.ingest.quality.DeclaredConstraint.Range;
import io.lakepipe.ingest.quality.DeclaredConstraint.RowCount;
import io.lakepipe.ingest.quality.DeclaredConstraint.Unique;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Check declarations are read and validated without Spark: each mistake is one line naming the key,
 * the file and line that declared it, and the fix.
 */
class CheckDeclarationReaderTest {
  static final String FLIGHT_COLUMNS = "[flight_ts, delay, distance, origin, destination]";

  @TempDir Path dir;

  private LakepipeConfig config(String... lines) throws IOException {
    return TestConfigs.flights(
        Files.writeString(dir.resolve("checks.conf"), String.join("\n", lines)));
  }

  /** The declaration of bronze-flights with these constraint lines, from line 3 of checks.conf. */
  private AbstractThrowableAssert<?, ? extends Throwable> readingConstraints(String... constraints)
      throws IOException {
    String[] lines = new String[constraints.length + 3];
    lines[0] = "lakepipe.checks.bronze-flights.results-table = quality-bronze-flights";
    lines[1] = "lakepipe.checks.bronze-flights.constraints = [";
    System.arraycopy(constraints, 0, lines, 2, constraints.length);
    lines[lines.length - 1] = "]";
    LakepipeConfig config = config(lines);
    return assertThatThrownBy(() -> CheckDeclarationReader.read(config, "bronze-flights"))
        .isInstanceOf(LakepipeException.class)
        .hasMessageNotContaining("\n");
  }

  private String file() {
    return dir.resolve("checks.conf").toString();
  }

  @Test
  void theFlightsCheckIsDeclaredInItsPipelineFileAndFollowsTheIngestLimits() {
    LakepipeConfig config =
        TestConfigs.flights(Map.of("lakepipe.sources.flights.params.delay-min-minutes", -60));

    CheckDeclaration flights = CheckDeclarationReader.read(config, "bronze-flights");

    assertThat(flights.table()).isEqualTo("bronze-flights");
    assertThat(flights.resultsTable()).isEqualTo("quality-bronze-flights");
    assertThat(flights.constraints())
        .extracting(c -> c.getClass().getSimpleName())
        .containsExactly(
            "RowCount", "Complete", "Unique", "Range", "MinAbove", "PatternMatch", "PatternMatch");
    assertThat(flights.constraints().get(0))
        .isInstanceOfSatisfying(RowCount.class, c -> assertThat(c.min()).isEqualTo(1));
    assertThat(flights.constraints().get(1))
        .isInstanceOfSatisfying(
            Complete.class,
            c ->
                assertThat(c.columns())
                    .containsExactly("flight_ts", "delay", "distance", "origin", "destination"));
    assertThat(flights.constraints().get(2))
        .isInstanceOfSatisfying(
            Unique.class, c -> assertThat(c.hint()).isEqualTo("each flight record once"));
    assertThat(flights.constraints().get(3))
        .isInstanceOfSatisfying(
            Range.class,
            c -> {
              assertThat(c.min()).isEqualTo(-60.0);
              assertThat(c.max()).isEqualTo(1800.0);
            });
    assertThat(flights.constraints().get(4))
        .isInstanceOfSatisfying(MinAbove.class, c -> assertThat(c.value()).isEqualTo(0.0));
    assertThat(flights.constraints().get(6))
        .isInstanceOfSatisfying(
            PatternMatch.class,
            c -> {
              assertThat(c.column()).isEqualTo("destination");
              assertThat(c.name()).isEqualTo("destination code pattern");
              assertThat(c.minShare()).isEqualTo(1.0);
            });
    assertThat(flights.constraints().get(3).declared().key())
        .isEqualTo("lakepipe.checks.bronze-flights.constraints[3]");
    assertThat(flights.constraints().get(3).declared().origin())
        .startsWith(TestConfigs.flightsFile() + ":");
  }

  @Test
  void anUnknownKindNamesItsKeyItsLineAndTheKinds() throws IOException {
    readingConstraints(
            "  { kind = row-count, min = 1 }",
            "  { kind = rang, column = delay, min = 0, max = 10 }")
        .hasMessage(
            "Check declaration lakepipe.checks.bronze-flights.constraints[1].kind ("
                + file()
                + ":4) is invalid: unknown kind 'rang'. Use one of row-count, complete, unique, range,"
                + " min-above, pattern, condition; the kinds of constraint and their keys are described"
                + " under lakepipe.checks in jobs-core's lakepipe-defaults.conf.");
  }

  @Test
  void aMissingKeyIsNamedWithWhatTheKindNeeds() throws IOException {
    readingConstraints("  { kind = range, column = delay, min = 0 }")
        .hasMessageContaining(
            "lakepipe.checks.bronze-flights.constraints[0].max (" + file() + ":3)")
        .hasMessageContaining("the key is missing. A range constraint needs column, min, max");
    readingConstraints("  { column = delay }")
        .hasMessageContaining(
            "constraints[0].kind ("
                + file()
                + ":3) is invalid: the key is missing."
                + " Add kind = one of row-count, complete,");
  }

  @Test
  void anUnknownKeyIsRefusedWithTheKeysTheKindTakes() throws IOException {
    readingConstraints("  { kind = complete, colums = " + FLIGHT_COLUMNS + " }")
        .hasMessageContaining(
            "constraints[0].colums ("
                + file()
                + ":3) is invalid: unknown key"
                + " 'colums'. Remove it or correct its spelling. A complete constraint takes kind,"
                + " columns, hint");
  }

  @Test
  void sqlThatDoesNotParseStopsBeforeSparkStarts() throws IOException {
    readingConstraints("  { kind = condition, name = late, sql = \"delay >\" }")
        .hasMessageContaining(
            "constraints[0].sql ("
                + file()
                + ":3) is invalid: 'delay >' does not"
                + " parse as Spark SQL: [PARSE_SYNTAX_ERROR]")
        .hasMessageContaining("Write one boolean Spark SQL expression over a row's columns");
  }

  @Test
  void valuesOutsideTheirRangeAndBadRegexesAreRefused() throws IOException {
    readingConstraints("  { kind = pattern, column = origin, regex = \"[A-Z\" }")
        .hasMessageContaining(
            "constraints[0].regex ("
                + file()
                + ":3) is invalid: '[A-Z' is no"
                + " regular expression");
    readingConstraints("  { kind = condition, name = x, sql = \"delay > 0\", min-share = 1.5 }")
        .hasMessageContaining(
            "constraints[0].min-share ("
                + file()
                + ":3) is invalid: the share 1.5"
                + " is not in 0..1");
    readingConstraints("  { kind = range, column = delay, min = 10, max = 0 }")
        .hasMessageContaining(
            "constraints[0].max (" + file() + ":3) is invalid: max 0.0 is below" + " min 10.0");
    readingConstraints("  { kind = complete, columns = [] }")
        .hasMessageContaining(
            "constraints[0].columns ("
                + file()
                + ":3) is invalid: the list must"
                + " name at least one column");
  }

  @Test
  void tablesMustBeDeclaredInTheTablesSection() throws IOException {
    LakepipeConfig resultsUndeclared =
        config("lakepipe.checks.bronze-flights.results-table = quality-flights");
    assertThatThrownBy(() -> CheckDeclarationReader.read(resultsUndeclared, "bronze-flights"))
        .hasMessage(
            "Check declaration lakepipe.checks.bronze-flights.results-table ("
                + file()
                + ":1) is invalid: 'quality-flights' is not declared in lakepipe.tables. Declare"
                + " lakepipe.tables.quality-flights = <path or URI>, or name a declared table; the kinds"
                + " of constraint and their keys are described under lakepipe.checks in jobs-core's"
                + " lakepipe-defaults.conf.");

    LakepipeConfig checkedUndeclared =
        config(
            "lakepipe.checks.bronze-orders { results-table = quality-bronze-flights,",
            "  constraints = [{ kind = row-count, min = 1 }] }");
    assertThatThrownBy(() -> CheckDeclarationReader.read(checkedUndeclared, "bronze-orders"))
        .hasMessageStartingWith(
            "Check declaration lakepipe.checks.bronze-orders ("
                + file()
                + ":1) is invalid: the checked table 'bronze-orders' is not declared in lakepipe.tables."
                + " Declare lakepipe.tables.bronze-orders = <path or URI>");
  }

  @Test
  void aTableWithoutChecksNamesTheTablesThatHaveSome() throws IOException {
    LakepipeConfig config = config("lakepipe.home = /tmp");

    assertThatThrownBy(() -> CheckDeclarationReader.read(config, "bronze-flight"))
        .isInstanceOf(LakepipeException.class)
        .hasMessageStartingWith(
            "Check declaration lakepipe.checks.bronze-flight ("
                + file()
                + ") is invalid: no checks are declared for table 'bronze-flight'. Pass --table with a"
                + " table that has checks (bronze-flights), or declare lakepipe.checks.bronze-flight in"
                + " the config;");
  }

  @Test
  void twoChecksCannotShareAResultsTable() throws IOException {
    LakepipeConfig config =
        config(
            "lakepipe.checks.bronze-airports { results-table = quality-bronze-flights,",
            "  constraints = [{ kind = complete, columns = [iata] }] }");

    assertThatThrownBy(() -> CheckDeclarationReader.read(config, "bronze-airports"))
        .hasMessageContaining(
            "lakepipe.checks.bronze-airports.results-table ("
                + file()
                + ":1) is"
                + " invalid: 'quality-bronze-flights' is also the results table of"
                + " lakepipe.checks.bronze-flights");
  }

  @Test
  void aCheckWithAnUnknownKeyOrNoConstraintsIsRefused() throws IOException {
    LakepipeConfig misspelt = config("lakepipe.checks.bronze-flights.result-table = x");
    assertThatThrownBy(() -> CheckDeclarationReader.read(misspelt, "bronze-flights"))
        .hasMessageContaining(
            "lakepipe.checks.bronze-flights.result-table ("
                + file()
                + ":1) is"
                + " invalid: unknown key 'result-table'");

    LakepipeConfig empty = config("lakepipe.checks.bronze-flights.constraints = []");
    assertThatThrownBy(() -> CheckDeclarationReader.read(empty, "bronze-flights"))
        .hasMessageContaining(
            "lakepipe.checks.bronze-flights.constraints ("
                + file()
                + ":1) is"
                + " invalid: the list is empty");
  }
}
