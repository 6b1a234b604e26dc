// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.LakepipeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LakepipeConfigTest {
  @TempDir Path dir;

  private Path write(String text) throws IOException {
    Path file = dir.resolve("test.conf");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void tablePathsFollowTheHomeSetInTheFile() throws IOException {
    LakepipeConfig config = LakepipeConfig.load(write("lakepipe.home = \"/data/lp\"\n"));

    assertThat(config.tablePath("audit-runs"))
        .isEqualTo("/data/lp/.lakepipe/lakehouse/audit/job_runs");
    assertThat(config.string("demo.flights-data"))
        .isEqualTo("/data/lp/.lakepipe/data/flights-3m.parquet");
  }

  @Test
  void fileValuesOverrideDefaultsAndSparkConfKeysKeepTheirDots() throws IOException {
    LakepipeConfig config =
        LakepipeConfig.load(
            write(
                String.join(
                    "\n",
                    "lakepipe.train.window-days = 3",
                    "lakepipe.spark.conf { \"spark.sql.shuffle.partitions\" = \"4\", \"spark.foo.bar\" = 1 }")));

    assertThat(config.integer("train.window-days")).isEqualTo(3);
    assertThat(config.sparkConf())
        .containsEntry("spark.sql.shuffle.partitions", "4")
        .containsEntry("spark.foo.bar", "1")
        .containsEntry("spark.sql.session.timeZone", "UTC");
  }

  @Test
  void unknownKeyStopsWithItsName() throws IOException {
    Path file = write("lakepipe.train.windowdays = 3\n");

    assertThatThrownBy(() -> LakepipeConfig.load(file))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("unknown keys lakepipe.train.windowdays")
        .hasMessageNotContaining("\n");
  }

  @Test
  void nullKeyIsReportedAsMissing() throws IOException {
    Path file = write("lakepipe.tables.audit-runs = null\n");

    assertThatThrownBy(() -> LakepipeConfig.load(file))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("lakepipe.tables.audit-runs")
        .hasMessageContaining("missing or null");
  }

  @Test
  void wrongTypeIsReportedWhenRead() throws IOException {
    LakepipeConfig config = LakepipeConfig.load(write("lakepipe.train.window-days = seven\n"));

    assertThatThrownBy(() -> config.integer("train.window-days"))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("window-days");
  }

  @Test
  void missingFileIsAClearError() {
    assertThatThrownBy(() -> LakepipeConfig.load(dir.resolve("nope.conf")))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("nope.conf does not exist");
  }

  @Test
  void syntaxErrorNamesTheFile() throws IOException {
    Path file = write("lakepipe { train = \n");

    assertThatThrownBy(() -> LakepipeConfig.load(file))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("test.conf is invalid");
  }

  @Test
  void aConfigFileDeclaresNewTablesAndChecksWithoutARebuild() throws IOException {
    LakepipeConfig config =
        TestConfigs.flights(
            write(
                String.join(
                    "\n",
                    "lakepipe.tables.bronze-orders = \"/data/orders\"",
                    "lakepipe.checks.bronze-orders {",
                    "  results-table = quality-orders",
                    "  constraints = [{ kind = row-count, min = 1 }]",
                    "}")));

    assertThat(config.keys("tables")).contains("bronze-orders", "bronze-flights");
    assertThat(config.keys("checks")).containsExactly("bronze-flights", "bronze-orders");
    assertThat(config.section("checks").section("bronze-orders").sections("constraints"))
        .singleElement()
        .satisfies(
            c ->
                assertThat(c.path("kind"))
                    .isEqualTo("lakepipe.checks.bronze-orders.constraints[0].kind"))
        .satisfies(c -> assertThat(c.originOf("kind")).isEqualTo(dir.resolve("test.conf") + ":4"));
    assertThat(config.originOf("checks.bronze-flights.results-table"))
        .startsWith(TestConfigs.flightsFile() + ":");
  }

  @Test
  void keysOutsideTheOpenSectionsAreStillRefused() throws IOException {
    // The section that lakepipe.checks replaced: a file still setting it learns so at once.
    Path file = write("lakepipe.quality.bronze-flights.min-rows = 1\n");

    assertThatThrownBy(() -> LakepipeConfig.load(file))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("unknown keys lakepipe.quality.bronze-flights.min-rows");
  }
}
