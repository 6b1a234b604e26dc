// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakepipe.core.cli.Validation;
import io.lakepipe.core.config.TestConfigs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./lakepipe validate} on jobs-ingest's declarations: every one is read, each gets its line.
 */
class ValidateIngestDeclarationsTest {
  @TempDir Path dir;

  private record Outcome(int exitCode, List<String> lines) {}

  private Outcome validate(String config) throws IOException {
    // As config/local.conf does: the flights declarations first, the test's own over them.
    Path file =
        Files.writeString(
            dir.resolve("pipeline.conf"), TestConfigs.includeFlights() + "\n" + config);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code =
        Validation.run(
            new String[] {"--config", file.toString()},
            List.of(ValidateIngestDeclarations::declarations),
            new PrintStream(out, true, StandardCharsets.UTF_8));
    return new Outcome(code, out.toString(StandardCharsets.UTF_8).lines().toList());
  }

  @Test
  void aConfigWithoutDataProductsHasNothingToReport() throws IOException {
    Path file = Files.writeString(dir.resolve("empty.conf"), "lakepipe.home = \"" + dir + "\"\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code =
        Validation.run(
            new String[] {"--config", file.toString()},
            List.of(ValidateIngestDeclarations::declarations),
            new PrintStream(out, true, StandardCharsets.UTF_8));

    assertThat(code).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void theFlightsDeclarationsAreValid() throws IOException {
    Outcome outcome = validate("lakepipe.home = \"" + dir + "\"\n");

    assertThat(outcome.exitCode()).isZero();
    assertThat(outcome.lines())
        .containsExactly(
            "ok   lakepipe.checks.bronze-flights",
            "ok   lakepipe.sources.airports",
            "ok   lakepipe.sources.flight-events",
            "ok   lakepipe.sources.flights",
            "ok   lakepipe.sources.prediction-log-flights");
  }

  @Test
  void everyBrokenDeclarationIsReportedNotOnlyTheFirst() throws IOException {
    Outcome outcome =
        validate(
            String.join(
                "\n",
                "lakepipe.tables.quality-labels = \"/tmp/q\"",
                "lakepipe.tables.quality-features = \"/tmp/f\"",
                "lakepipe.checks.labels-flights {",
                "  results-table = quality-labels",
                "  constraints = [{ kind = rang, column = delay, min = 0, max = 1 }]",
                "}",
                "lakepipe.checks.features-flights {",
                "  results-table = quality-features",
                "  constraints = [{ kind = condition, name = x, sql = \"distance >\" }]",
                "}"));

    assertThat(outcome.exitCode()).isEqualTo(1);
    assertThat(outcome.lines()).hasSize(7);
    assertThat(outcome.lines().get(0)).isEqualTo("ok   lakepipe.checks.bronze-flights");
    assertThat(outcome.lines().get(1))
        .startsWith("FAIL lakepipe.checks.features-flights: ")
        .contains("does not parse as Spark SQL");
    assertThat(outcome.lines().get(2))
        .startsWith("FAIL lakepipe.checks.labels-flights: ")
        .contains("unknown kind 'rang'");
  }

  @Test
  void aConfigThatDoesNotLoadIsOneLine() throws IOException {
    Outcome outcome = validate("lakepipe.spark.mastr = \"local\"\n");

    assertThat(outcome.exitCode()).isEqualTo(1);
    assertThat(outcome.lines())
        .singleElement()
        .asString()
        .startsWith("FAIL ")
        .contains("lakepipe.spark.mastr");
  }

  @Test
  void aBrokenSourceAndAMisspeltKindAreReported() throws IOException {
    Outcome outcome =
        validate(
            String.join(
                "\n",
                "lakepipe.sources.flights.expectations = [{ name = x, sql = \"distance >\" }]",
                "lakepipe.sources.bookings { kind = file }"));

    assertThat(outcome.exitCode()).isEqualTo(1);
    assertThat(outcome.lines()).hasSize(6);
    assertThat(outcome.lines().get(2))
        .startsWith("FAIL lakepipe.sources.bookings: ")
        .contains("lakepipe.sources.bookings.kind")
        .contains("unknown kind 'file'");
    assertThat(outcome.lines().get(4))
        .startsWith("FAIL lakepipe.sources.flights: ")
        .contains("lakepipe.sources.flights.expectations[0].sql")
        .contains("does not parse as Spark SQL");
  }

  @Test
  void aJdbcTableNameThatIsNotAPlainNameIsReportedWithoutCredentials() throws IOException {
    Outcome outcome =
        validate(
            String.join(
                "\n",
                "lakepipe.sources.airports.table = \"reference.airports; DROP TABLE x\"",
                "lakepipe.sources.airports.user = \"\""));

    assertThat(outcome.exitCode()).isEqualTo(1);
    assertThat(outcome.lines())
        .anySatisfy(
            line ->
                assertThat(line)
                    .startsWith("FAIL lakepipe.sources.airports: ")
                    .contains(
                        "lakepipe.sources.airports.table is 'reference.airports; DROP TABLE x'"));
  }
}
