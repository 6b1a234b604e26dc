// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.tools.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.ingest.source.FileSource;
import io.lakepipe.ingest.source.SourceDeclarations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo lander: a source's demo file cut into the folders of its deliveries, values as written.
 */
class LandDemoFilesTest extends SparkTestBase {
  @TempDir Path home;

  private LakepipeConfig config(Path file, String ds, String every) {
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("lakepipe.tables.bronze-strikes", home.resolve("bronze").toString());
    overrides.put("lakepipe.tables.quarantine-strikes", home.resolve("quarantine").toString());
    overrides.put("lakepipe.sources.strikes.kind", "files");
    overrides.put("lakepipe.sources.strikes.location", home.resolve("landing").toString());
    overrides.put("lakepipe.sources.strikes.format", "csv");
    overrides.put("lakepipe.sources.strikes.csv.header", true);
    overrides.put("lakepipe.sources.strikes.schema", "state STRING, flight_date DATE, speed INT");
    overrides.put("lakepipe.sources.strikes.max-bad-share", 0.1);
    overrides.put("lakepipe.sources.strikes.bronze-table", "bronze-strikes");
    overrides.put("lakepipe.sources.strikes.quarantine-table", "quarantine-strikes");
    if (ds != null) {
      overrides.put("lakepipe.sources.strikes.ds.sql", ds);
    }
    overrides.put("lakepipe.demo.files.strikes.file", file.toString());
    if (every != null) {
      overrides.put("lakepipe.demo.files.strikes.every", every);
    }
    return testConfig(home, overrides);
  }

  private Path demoFile() throws Exception {
    Path file = home.resolve("Strikes File.csv");
    Files.writeString(
        file,
        String.join(
                "\n",
                "Origin State,Flight Date,Speed IAS in knots",
                "Texas,1999-03-01,140",
                "Ohio,1999-12-31,",
                "Texas,2000-01-05,not a number",
                "Ohio,2003-01-01,90")
            + "\n");
    return file;
  }

  /** The landed lines of each ds folder, header lines left out, sorted. */
  private Map<String, List<String>> landed() throws Exception {
    try (Stream<Path> files = Files.walk(home.resolve("landing"))) {
      return files
          .filter(f -> f.getFileName().toString().endsWith(".csv"))
          .collect(
              Collectors.groupingBy(
                  f -> f.getParent().getFileName().toString(),
                  java.util.TreeMap::new,
                  Collectors.flatMapping(
                      f -> lines(f).stream().filter(l -> !l.startsWith("state,")).sorted(),
                      Collectors.toList())));
    }
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void rowsLandInTheFolderOfTheirDsWithTheirTextAsWrittenAndTheDeclaredHeader() throws Exception {
    LakepipeConfig config = config(demoFile(), "trunc(flight_date, 'YEAR')", null);

    long rows =
        LandDemoFiles.land(
            spark, config, "strikes", LocalDate.parse("1999-01-01"), LocalDate.parse("2000-12-31"));

    assertThat(rows).isEqualTo(3);
    // A value the ingest will quarantine ("not a number") lands as the file holds it.
    assertThat(landed())
        .isEqualTo(
            Map.of(
                "ds=1999-01-01", List.of("Ohio,1999-12-31,", "Texas,1999-03-01,140"),
                "ds=2000-01-01", List.of("Texas,2000-01-05,not a number")));
    FileSource source = SourceDeclarations.files(config, "strikes");
    try (Stream<Path> files = Files.walk(home.resolve("landing"))) {
      Path first = files.filter(f -> f.toString().endsWith(".csv")).findFirst().orElseThrow();
      assertThat(Files.readAllLines(first).get(0))
          .isEqualTo(String.join(",", source.schema().fieldNames()));
    }
  }

  @Test
  void aSourceWithoutDsGetsTheWholeFileInEveryDeliveryOfTheRange() throws Exception {
    LakepipeConfig config = config(demoFile(), null, "year");

    long rows =
        LandDemoFiles.land(
            spark, config, "strikes", LocalDate.parse("1999-01-01"), LocalDate.parse("2000-06-30"));

    assertThat(rows).isEqualTo(8);
    assertThat(landed()).containsOnlyKeys("ds=1999-01-01", "ds=2000-01-01");
    assertThat(landed().get("ds=2000-01-01")).hasSize(4);
  }

  @Test
  void aSourceWithoutDemoDataOrAnUnknownPeriodIsRefusedByName() throws Exception {
    LakepipeConfig config = config(demoFile(), null, "week");

    assertThatThrownBy(
            () ->
                LandDemoFiles.land(
                    spark,
                    config,
                    "strike",
                    LocalDate.parse("1999-01-01"),
                    LocalDate.parse("1999-01-01")))
        .hasMessageContaining("lakepipe.demo.files")
        .hasMessageContaining("strike")
        .hasMessageContaining("[flights, strikes]");
    assertThatThrownBy(
            () ->
                LandDemoFiles.land(
                    spark,
                    config,
                    "strikes",
                    LocalDate.parse("1999-01-01"),
                    LocalDate.parse("1999-01-01")))
        .hasMessageContaining("lakepipe.demo.files.strikes.every")
        .hasMessageContaining("week");
  }
}
