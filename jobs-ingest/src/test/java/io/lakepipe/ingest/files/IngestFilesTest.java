// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.cli.JobOptions;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.ingest.source.FileSource;
import io.lakepipe.ingest.source.SourceDeclarations;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.commons.io.FileUtils;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file ingest of the declared flights source on the corpus of nasty inputs under test
 * resources: every bad line ends in quarantine with its reason, every good one in bronze, and the
 * counts reconcile.
 */
class IngestFilesTest extends SparkTestBase {
  static final LocalDate DS = LocalDate.parse("2001-01-15");

  @TempDir Path home;

  /** The csv corpus ingested once (run-1), for the tests that only read what it wrote. */
  @TempDir static Path csvHome;

  static JobResult csvIngest;

  /**
   * Makes this test's home a copy of the csv corpus's ingest, run once for the class, and returns
   * that run's result.
   */
  private JobResult ingestedCsv() throws IOException, URISyntaxException {
    if (csvIngest == null) {
      csvIngest = ingest(csvHome, "csv", "csv", Map.of());
    }
    FileUtils.copyDirectory(csvHome.toFile(), home.toFile());
    return csvIngest;
  }

  private JobResult ingest(String corpus, String format, Map<String, Object> extra)
      throws IOException, URISyntaxException {
    return ingest(home, corpus, format, extra);
  }

  private JobResult ingest(Path home, String corpus, String format, Map<String, Object> extra)
      throws IOException, URISyntaxException {
    Path landing = home.resolve("landing");
    FileUtils.copyDirectory(
        Path.of(getClass().getResource("/corpus/" + corpus).toURI()).toFile(), landing.toFile());
    Map<String, Object> overrides =
        new HashMap<>(
            Map.of(
                "lakepipe.sources.flights.location",
                landing.toString(),
                "lakepipe.sources.flights.format",
                format,
                "lakepipe.sources.flights.max-bad-share",
                1.0));
    overrides.putAll(extra);
    return IngestFiles.of("flights")
        .run(JobContext.of(spark, testConfig(home, overrides), DS, "run-1"));
  }

  private LakepipeConfig config(Map<String, Object> overrides) {
    return testConfig(home, overrides);
  }

  private Map<String, String> quarantineReasons() {
    return spark
        .read()
        .format("delta")
        .load(home.resolve("lakehouse/quarantine/flights").toString())
        .collectAsList()
        .stream()
        .collect(
            Collectors.toMap(
                r -> abbreviate(r.<String>getAs("raw_record")),
                r -> r.<String>getAs("reason"),
                (a, b) -> a + " | " + b));
  }

  private List<Row> bronze() {
    return spark
        .read()
        .format("delta")
        .load(home.resolve("lakehouse/bronze/flights").toString())
        .orderBy("flight_ts")
        .collectAsList();
  }

  private static String abbreviate(String raw) {
    return raw.length() > 60 ? raw.substring(0, 60) + "..." : raw;
  }

  @Test
  void everyNastyCsvLineIsQuarantinedWithItsReason() throws Exception {
    JobResult result = ingestedCsv();

    assertThat(quarantineReasons())
        .containsOnly(
            Map.entry(
                "2001-01-15 07:00:00,12,300,ORD",
                "malformed CSV line (wrong number of columns"
                    + " or unbalanced quotes): 5 columns declared, 4 delimited fields found"),
            Map.entry(
                "2001-01-15 07:05:00,12,300,ORD,SFO,extra",
                "malformed CSV line (wrong number of"
                    + " columns or unbalanced quotes): 5 columns declared, 6 delimited fields found"),
            Map.entry("2001-01-15 07:10:00,abc,300,ORD,SFO", "delay is not an integer: 'abc'"),
            Map.entry("2001-01-15 07:15:00,12,12.5,ORD,SFO", "distance is not an integer: '12.5'"),
            Map.entry("yesterday,12,300,ORD,SFO", "date is not a timestamp: 'yesterday'"),
            Map.entry("2001-01-15 07:20:00,,300,ORD,SFO", "missing delay"),
            Map.entry(
                "2001-01-15 07:25:00,12,300,atlanta,SFO",
                "origin is not a 3-character airport code"),
            Map.entry("2001-01-15 07:30:00,5000,300,ORD,SFO", "delay outside [-180, 1800] minutes"),
            Map.entry("2001-01-15 07:35:00,12,300,SFO,SFO", "origin equals destination"),
            Map.entry(
                "2001-01-16 07:40:00,12,300,ORD,SFO",
                "flight date 2001-01-16 is outside the landing folder's ds 2001-01-15"),
            Map.entry(
                "2001-01-15 07:45:00,12,300,\"ORD,SFO",
                "malformed CSV line (wrong number of"
                    + " columns or unbalanced quotes): 5 columns declared, 5 delimited fields found"),
            Map.entry("2001-01-15 08:00:00,7,500,DEN,LAX", "duplicate of an identical record"),
            Map.entry(
                "date,delay,distance,origin",
                "malformed CSV line (wrong number of columns or"
                    + " unbalanced quotes): 5 columns declared, 4 delimited fields found"),
            Map.entry(
                "base64:MjAwMS0wMS0xNSAwOTowMDowMCwxLDEwMCxC//5TLEpGSw==",
                "line is not valid UTF-8 (raw bytes kept base64-encoded)"),
            Map.entry(
                abbreviate("2001-01-15 10:00:00,1,100,BOS," + "J".repeat(20000)),
                "line has 20030 characters, above the limit of 10000"));
    assertThat(bronze())
        .extracting(r -> r.getAs("origin") + "-" + r.getAs("destination"))
        .containsExactly("LAS-PHL", "ATL-SAV", "DEN-LAX", "MCI-MDW");
    assertThat(result.rowsRead()).isEqualTo(19);
    assertThat(result.rowsWritten()).isEqualTo(4);
    assertThat(result.rowsQuarantined()).isEqualTo(15);
  }

  @Test
  void bronzeRowsCarryTheirFileRunAndDs() throws Exception {
    ingestedCsv();

    Row first = bronze().get(0);
    assertThat(first.<String>getAs("_source")).isEqualTo("file");
    assertThat(first.<String>getAs("_source_location")).endsWith("/ds=2001-01-15/good.csv");
    assertThat(first.<String>getAs("_run_id")).isEqualTo("run-1");
    assertThat(first.<java.sql.Date>getAs("ds").toLocalDate()).isEqualTo(DS);
    assertThat(first.<Integer>getAs("delay")).isEqualTo(33);
  }

  @Test
  void bronzeHasThePublishedSchemaThatReadersBuildOn() throws Exception {
    ingestedCsv();

    StructType written =
        spark
            .read()
            .format("delta")
            .load(home.resolve("lakehouse/bronze/flights").toString())
            .schema();
    FileSource flights = SourceDeclarations.files(config(Map.of()), "flights");
    assertThat(written).isEqualTo(LandedRecords.bronzeSchema(spark, flights));
  }

  @Test
  void everyNastyJsonLineIsQuarantinedWithItsReason() throws Exception {
    JobResult result = ingest("json", "json", Map.of());

    Map<String, String> reasons = quarantineReasons();
    assertThat(reasons)
        .containsOnly(
            Map.entry(
                abbreviate(
                    "{\"date\":\"2001-01-15 07:10:00\",\"delay\":\"late\",\"distance\":300,"
                        + "\"origin\":\"ORD\",\"destination\":\"SFO\"}"),
                "delay is not an integer: 'late'"),
            Map.entry(
                abbreviate(
                    "{\"date\":\"2001-01-15 07:15:00\",\"delay\":1,\"distance\":300,"
                        + "\"origin\":\"ORD\"}"),
                "missing destination"),
            Map.entry(
                abbreviate(
                    "{\"date\":\"2001-01-15 07:20:00\",\"delay\":1,\"distance\":300,"
                        + "\"origin\":\"ORD\",\"destination\":\"SFO\",\"gate\":\"B12\"}"),
                "unexpected fields: gate"),
            Map.entry("[1,2,3]", "not a JSON object"),
            Map.entry("{\"date\":\"2001-01-15 07:30:00\",\"delay\":1,", "not a JSON object"));
    assertThat(bronze()).extracting(r -> r.<Integer>getAs("delay")).containsExactly(33, -5);
    assertThat(result.rowsRead()).isEqualTo(7);
    assertThat(result.rowsWritten() + result.rowsQuarantined()).isEqualTo(result.rowsRead());
  }

  @Test
  void parquetWithAnotherSchemaIsAClearError() throws Exception {
    Path day = home.resolve("landing/ds=2001-01-15");
    spark
        .sql(
            "SELECT timestamp'2001-01-15 08:00:00' AS date, 'late' AS delay, 300 AS distance,"
                + " 'ORD' AS origin, 'SFO' AS destination")
        .write()
        .parquet(day.toString());

    assertThatThrownBy(
            () ->
                IngestFiles.of("flights")
                    .run(
                        JobContext.of(
                            spark,
                            config(
                                Map.of(
                                    "lakepipe.sources.flights.location",
                                    home.resolve("landing").toString(),
                                    "lakepipe.sources.flights.format",
                                    "parquet")),
                            DS,
                            "run-1")))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("Cannot read " + day)
        .hasMessageContaining("does not match the schema declared");
  }

  @Test
  void aTruncatedGzipFileIsAClearErrorNamingTheFile() throws Exception {
    Path day = Files.createDirectories(home.resolve("landing/ds=2001-01-15"));
    byte[] good =
        Files.readAllBytes(
            Path.of(getClass().getResource("/corpus/csv/ds=2001-01-15/good.csv").toURI()));
    java.io.ByteArrayOutputStream gzipped = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(gzipped)) {
      out.write(good);
    }
    Files.write(day.resolve("part-0.csv.gz"), gzipped.toByteArray());
    byte[] whole = gzipped.toByteArray();
    Path truncated = day.resolve("part-1.csv.gz");
    Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 2));

    assertThatThrownBy(
            () ->
                IngestFiles.of("flights")
                    .run(
                        JobContext.of(
                            spark,
                            config(
                                Map.of(
                                    "lakepipe.sources.flights.location",
                                    home.resolve("landing").toString())),
                            DS,
                            "run-1")))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining(truncated.getFileName().toString())
        .hasMessageNotContaining("part-0.csv.gz")
        .hasMessageContaining("truncated or corrupt");
  }

  @Test
  void aMissingDayIsAClearError() {
    assertThatThrownBy(
            () ->
                IngestFiles.of("flights")
                    .run(
                        JobContext.of(
                            spark,
                            config(
                                Map.of(
                                    "lakepipe.sources.flights.location",
                                    home.resolve("landing").toString())),
                            DS,
                            "run-1")))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("No files landed for ds=2001-01-15 in " + home.resolve("landing"));
  }

  @Test
  void aDayOfOnlyEmptyFilesIsAClearError() throws Exception {
    Path day = Files.createDirectories(home.resolve("landing/ds=2001-01-15"));
    Files.createFile(day.resolve("part-0.csv"));

    assertThatThrownBy(
            () ->
                IngestFiles.of("flights")
                    .run(
                        JobContext.of(
                            spark,
                            config(
                                Map.of(
                                    "lakepipe.sources.flights.location",
                                    home.resolve("landing").toString())),
                            DS,
                            "run-1")))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("hold no records");
  }

  @Test
  void tooManyBadRowsFailTheRunAfterKeepingThemInQuarantine() throws Exception {
    assertThatThrownBy(
            () -> ingest("csv", "csv", Map.of("lakepipe.sources.flights.max-bad-share", 0.5)))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("Quarantined 15 of 19 rows");
    assertThat(quarantineReasons()).hasSize(15);
    assertThat(Files.exists(home.resolve("lakehouse/bronze/flights"))).isFalse();
  }

  @Test
  void rerunningADayLeavesTheTablesAsOneRunWould() throws Exception {
    ingest("csv", "csv", Map.of());
    List<Row> once = bronze();
    Map<String, String> quarantinedOnce = quarantineReasons();

    ingest("csv", "csv", Map.of());

    assertThat(bronze())
        .extracting(r -> r.getAs("flight_ts") + "/" + r.getAs("origin"))
        .containsExactlyElementsOf(
            once.stream().map(r -> r.getAs("flight_ts") + "/" + r.getAs("origin")).toList());
    assertThat(quarantineReasons()).isEqualTo(quarantinedOnce);
  }

  @Test
  void aBreachOfAFailExpectationFailsTheRunAfterQuarantineAndBeforeBronze() throws Exception {
    assertThatThrownBy(
            () ->
                ingest(
                    "csv",
                    "csv",
                    Map.of(
                        "lakepipe.sources.flights.expectations",
                        List.of(
                            Map.of(
                                "name",
                                "origin equals destination",
                                "sql",
                                "origin <> destination",
                                "action",
                                "fail")))))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining(
            "Source lakepipe.sources.flights for ds=2001-01-15: 1 row(s) broke"
                + " expectations declared with action = fail, such as 'origin equals destination'");
    assertThat(quarantineReasons())
        .containsEntry("2001-01-15 07:35:00,12,300,SFO,SFO", "origin equals destination");
    assertThat(Files.exists(home.resolve("lakehouse/bronze/flights"))).isFalse();
  }

  @Test
  void timestampsAreReadInTheSourcesTimeZoneAndTheirDateTakenThere() throws Exception {
    Path day = Files.createDirectories(home.resolve("landing/ds=2001-01-15"));
    Files.writeString(
        day.resolve("part-0.csv"),
        "date,delay,distance,origin,destination\n2001-01-15 23:30:00,5,300,JFK,BOS\n");

    JobResult result =
        IngestFiles.of("flights")
            .run(
                JobContext.of(
                    spark,
                    config(
                        Map.of(
                            "lakepipe.sources.flights.location", home.resolve("landing").toString(),
                            "lakepipe.sources.flights.time-zone", "America/New_York",
                            "lakepipe.sources.flights.bronze-columns",
                                List.of(
                                    Map.of(
                                        "name", "flight_ts", "sql", "CAST(date AS TIMESTAMP_NTZ)"),
                                    Map.of("name", "departure", "sql", "date")))),
                    DS,
                    "run-1"));

    assertThat(result.rowsQuarantined()).isZero();
    Row row = bronze().get(0);
    assertThat(row.<Object>getAs("flight_ts")).hasToString("2001-01-15T23:30");
    assertThat(row.<java.sql.Timestamp>getAs("departure").toInstant())
        .hasToString("2001-01-16T04:30:00Z");
    assertThat(spark.conf().get("spark.sql.session.timeZone")).isEqualTo("UTC");
  }

  @Test
  void theJobTakesItsSourceAndIsAuditedUnderIt() {
    JobOptions options =
        JobOptions.parse(
            IngestFiles.OPTIONS, "--config", "c.conf", "--ds", "2001-01-15", "--source", "flights");

    assertThat(options.values()).containsEntry("source", "flights");
    assertThat(options.runName("ingest-files")).isEqualTo("ingest-files:flights");
    assertThatThrownBy(
            () -> JobOptions.parse(IngestFiles.OPTIONS, "--config", "c.conf", "--ds", "2001-01-15"))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("--source");
  }
}
