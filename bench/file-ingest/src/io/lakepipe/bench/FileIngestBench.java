// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.bench;

import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.spark.SparkSessions;
import io.lakepipe.core.table.DeltaTables;
import io.lakepipe.ingest.files.IngestFiles;
import io.lakepipe.ingest.files.LandingAreas;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * The file ingest (parse, every check, quarantine, bronze, counts) against plain Spark reading the
 * same daily CSV files with the same declared schema and writing them to Delta (one replaceWhere
 * commit per day, as the ingest does) and to Parquet. Same session, same days; the three are run in
 * turn for each day, in a rotating order, so that load on the machine hits all three alike.
 *
 * <p>Args: config file, first day, number of days, work folder.
 */
public final class FileIngestBench {
  private FileIngestBench() {}

  public static void main(String[] args) throws Exception {
    LocalDate first = LocalDate.parse(args[1]);
    int days = Integer.parseInt(args[2]);
    Path work = Path.of(args[3]);
    // The given config (its flights source and Spark master) with a lakehouse of the bench's own.
    LakepipeConfig config =
        LakepipeConfig.load(
            Path.of(args[0]), Map.of("lakepipe.lakehouse", work.resolve("lakehouse").toString()));
    StructType schema = StructType.fromDDL(config.string("sources.flights.schema"));
    SparkSession spark = SparkSessions.create("lakepipe-bench-file-ingest", config);
    DeltaTables tables = new DeltaTables(spark);
    String plainDelta = work.resolve("plain-delta").toString();
    String plainParquet = work.resolve("plain-parquet").toString();

    long[] nanos = new long[3];
    long rows = 0;
    long quarantined = 0;
    // Day 0 warms up the JVM and creates the tables; it is not counted.
    Progress progress = new Progress("file-ingest", days + 1, 10);
    for (int i = -1; i < days; i++) {
      LocalDate ds = first.plusDays(Math.max(i, 0));
      progress.step(i < 0 ? "warm-up on " + ds : "day " + ds + ", each of the 3 methods");
      List<String> files =
          LandingAreas.of(config.string("sources.flights.location"), config, spark).files(ds);
      for (int turn = 0; turn < 3; turn++) {
        int method = Math.floorMod(i + turn, 3);
        long start = System.nanoTime();
        switch (method) {
          case 0 -> {
            JobResult result =
                IngestFiles.of("flights").run(JobContext.of(spark, config, ds, "bench"));
            if (i >= 0) {
              rows += result.rowsRead();
              quarantined += result.rowsQuarantined();
            }
          }
          case 1 -> tables.replaceDs(plainRead(spark, schema, files), plainDelta, ds);
          default ->
              plainRead(spark, schema, files)
                  .write()
                  .mode(SaveMode.Overwrite)
                  .parquet(plainParquet + "/ds=" + ds);
        }
        if (i >= 0) {
          nanos[method] += System.nanoTime() - start;
        }
      }
    }
    double ingest = nanos[0] / 1e9;
    double delta = nanos[1] / 1e9;
    double parquet = nanos[2] / 1e9;
    System.out.printf(
        Locale.ROOT,
        "%nFile ingest of %d daily CSV files from %s: %,d rows (%,d quarantined)%n",
        days,
        first,
        rows,
        quarantined);
    System.out.printf(
        Locale.ROOT,
        "%-44s %10s %12s %s%n",
        "method",
        "seconds",
        "rows/s",
        "speed vs lakepipe ingest");
    System.out.printf(
        Locale.ROOT,
        "%-44s %10.1f %12.0f %s%n",
        "lakepipe ingest (all checks, 2 tables)",
        ingest,
        rows / ingest,
        "1.00");
    System.out.printf(
        Locale.ROOT,
        "%-44s %10.1f %12.0f %.2f%n",
        "plain Spark CSV -> Delta (replaceWhere)",
        delta,
        rows / delta,
        ingest / delta);
    System.out.printf(
        Locale.ROOT,
        "%-44s %10.1f %12.0f %.2f%n",
        "plain Spark CSV -> Parquet",
        parquet,
        rows / parquet,
        ingest / parquet);
    System.out.printf(
        Locale.ROOT,
        "%nlakepipe ingest throughput as a share of plain Spark: %.2fx of the"
            + " Delta copy (goal >= 0.9x), %.2fx of the Parquet copy%n",
        delta / ingest,
        parquet / ingest);
    spark.stop();
  }

  private static Dataset<Row> plainRead(SparkSession spark, StructType schema, List<String> files) {
    return spark.read().schema(schema).option("header", true).csv(files.toArray(String[]::new));
  }
}
