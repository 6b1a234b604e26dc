// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.files;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.xxhash64;
import static org.assertj.core.api.Assertions.assertThat;

import io.delta.tables.DeltaTable;
import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.config.TestConfigs;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file ingest killed (SIGKILL) while it writes bronze leaves the table at its previous version,
 * and the rerun completes it. The job runs as its own JVM so that it can really be killed.
 */
@Tag("faults")
class KillAndRerunIT extends SparkTestBase {
  static final LocalDate DS = LocalDate.parse("2001-03-07");

  /**
   * Copies of the real day per landed file: enough rows (about 50,000) that the bronze write lasts
   * well beyond the 20 ms between two looks for its first data file. (10 copies took 184 s.)
   */
  static final int COPIES = 3;

  @TempDir Path home;

  @Test
  void aRunKilledMidWriteLeavesThePreviousVersionAndTheRerunCompletesIt() throws Exception {
    Path landingDay = home.resolve("landing/ds=" + DS);
    Path configFile = home.resolve("job.conf");
    Files.writeString(
        configFile,
        String.join(
            "\n",
            TestConfigs.includeFlights(),
            "lakepipe.home = \"" + home + "\"",
            "lakepipe.lakehouse = \"" + home.resolve("lakehouse") + "\"",
            "lakepipe.sources.flights.location = \"" + home.resolve("landing") + "\"",
            "lakepipe.spark.master = \"local[2]\"",
            "lakepipe.spark.conf.\"spark.ui.enabled\" = \"false\""));
    LakepipeConfig config = LakepipeConfig.load(configFile);
    String bronzePath = config.tablePath("bronze-flights");

    landCopies(landingDay.resolve("a"), 0);
    JobResult first = IngestFiles.of("flights").run(JobContext.of(spark, config, DS, "first"));
    long versionBefore = DeltaTable.forPath(spark, bronzePath).history(1).head().getLong(0);
    Row bronzeBefore = bronzeFingerprint(bronzePath);

    landCopies(landingDay.resolve("b"), COPIES);
    Set<Path> committedFiles = dataFiles(Path.of(bronzePath));
    Process job = startJob(configFile);
    boolean killedMidWrite = killWhenBronzeWriteStarts(job, Path.of(bronzePath), committedFiles);

    assertThat(killedMidWrite).as("the job was killed while writing bronze").isTrue();
    assertThat(DeltaTable.forPath(spark, bronzePath).history(1).head().getLong(0))
        .isEqualTo(versionBefore);
    assertThat(bronzeFingerprint(bronzePath)).isEqualTo(bronzeBefore);
    assertThat(dataFiles(Path.of(bronzePath)))
        .as("the killed run left uncommitted files")
        .hasSizeGreaterThan(committedFiles.size());

    JobResult rerun = IngestFiles.of("flights").run(JobContext.of(spark, config, DS, "rerun"));

    assertThat(rerun.rowsRead()).isEqualTo(2 * first.rowsRead());
    assertThat(spark.read().format("delta").load(bronzePath).count())
        .isEqualTo(rerun.rowsWritten());
    assertThat(rerun.rowsWritten() + rerun.rowsQuarantined()).isEqualTo(rerun.rowsRead());
  }

  /** Lands COPIES copies of the real day as CSV, each copy made distinct by its distance. */
  private void landCopies(Path folder, int offset) {
    Dataset<Row> day =
        spark
            .read()
            .parquet(lakepipeHome().resolve(".lakepipe/data/flights-3m.parquet").toString())
            .where(to_date(col("date")).equalTo(java.sql.Date.valueOf(DS)));
    spark
        .range(offset, offset + COPIES)
        .crossJoin(day)
        .select(
            date_format(col("date"), "yyyy-MM-dd HH:mm:ss").as("date"),
            col("delay"),
            col("distance").plus(col("id").multiply(10_000)).as("distance"),
            col("origin"),
            col("destination"))
        .coalesce(1)
        .write()
        .mode(SaveMode.Overwrite)
        .option("header", true)
        .csv(folder.toString());
    // The ingest reads the files of the day folder itself, not sub-folders.
    try (Stream<Path> files = Files.list(folder)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".csv")).toList()) {
        Files.move(
            file, folder.getParent().resolve(folder.getFileName() + "-" + file.getFileName()));
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Process startJob(Path configFile) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(
                arg ->
                    arg.startsWith("--add-opens")
                        || arg.startsWith("-XX:+Ignore")
                        || arg.startsWith("-Djdk.reflect"))
            .toList());
    command.addAll(SHORT_LIVED_DRIVER_JVM);
    command.addAll(
        List.of(
            "-Xmx2g",
            "-cp",
            System.getProperty("java.class.path"),
            IngestFilesJob.class.getName(),
            "--config",
            configFile.toString(),
            "--ds",
            DS.toString(),
            "--source",
            "flights"));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(configFile.resolveSibling("job.log").toFile())
        .start();
  }

  /**
   * Kills the job as soon as a data file of the new bronze write appears; false if it never did.
   */
  private static boolean killWhenBronzeWriteStarts(Process job, Path table, Set<Path> committed)
      throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
    while (job.isAlive() && Instant.now().isBefore(deadline)) {
      if (dataFiles(table).size() > committed.size()) {
        job.destroyForcibly().waitFor();
        return true;
      }
      Thread.sleep(20);
    }
    job.destroyForcibly().waitFor();
    return false;
  }

  private static Set<Path> dataFiles(Path table) throws IOException {
    try (Stream<Path> files = Files.walk(table)) {
      return files
          .filter(f -> f.toString().endsWith(".parquet") && !f.toString().contains("_delta_log"))
          .collect(Collectors.toSet());
    }
  }

  /** Row count and an order-independent hash of every bronze row: equal means same contents. */
  private Row bronzeFingerprint(String path) {
    return spark
        .read()
        .format("delta")
        .load(path)
        .agg(
            count(lit(1)),
            sum(
                xxhash64(
                    col("flight_ts"),
                    col("origin"),
                    col("destination"),
                    col("delay"),
                    col("distance"),
                    col("_run_id"))))
        .head();
  }
}
