// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.bench;

import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.spark.SparkSessions;
import io.lakepipe.core.table.DeltaTables;
import io.lakepipe.ingest.files.IngestFiles;
import io.lakepipe.ingest.files.LandingArea;
import io.lakepipe.ingest.files.LandingAreas;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
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
 * <p>With {@code one-day}, the files of all those days are one big day instead: linked under one ds
 * (the day after the last), whose flights the source's date rule then takes as that ds, and each
 * method runs once on it, after a warm-up on the first day. This is where fixed costs per day
 * (commits, table state) weigh least.
 *
 * <p>Args: config file, first day, number of days, work folder, optionally {@code one-day}.
 */
public final class FileIngestBench {
  private static final String[] METHODS = {
    "lakepipe ingest (all checks, 2 tables)",
    "plain Spark CSV -> Delta (replaceWhere)",
    "plain Spark CSV -> Parquet"
  };

  private FileIngestBench() {}

  public static void main(String[] args) throws Exception {
    LocalDate first = LocalDate.parse(args[1]);
    int days = Integer.parseInt(args[2]);
    Path work = Path.of(args[3]);
    boolean oneDay = args.length > 4 && args[4].equals("one-day");
    String lakehouse = work.resolve("lakehouse").toString();
    // The given config (its flights source and Spark master) with a lakehouse of the bench's own.
    LakepipeConfig config =
        LakepipeConfig.load(Path.of(args[0]), Map.of("lakepipe.lakehouse", lakehouse));
    SparkSession spark = SparkSessions.create("lakepipe-bench-file-ingest", config);
    Methods methods =
        new Methods(spark, work, StructType.fromDDL(config.string("sources.flights.schema")));

    long[] nanos = new long[3];
    long rows = 0;
    long quarantined = 0;
    String measured;
    if (oneDay) {
      LocalDate bigDs = first.plusDays(days);
      Path landing = work.resolve("one-day-landing");
      long files = linkAsOneDay(spark, config, first, days, landing.resolve("ds=" + bigDs));
      LakepipeConfig big =
          LakepipeConfig.load(
              Path.of(args[0]),
              Map.of(
                  "lakepipe.lakehouse",
                  lakehouse,
                  "lakepipe.sources.flights.location",
                  landing.toString(),
                  "lakepipe.sources.flights.ds.sql",
                  "DATE'" + bigDs + "'"));
      Progress progress = new Progress("file-ingest", 4, 1);
      progress.step("warm-up on " + first + ", each of the 3 methods");
      for (int method = 0; method < 3; method++) {
        methods.run(method, config, first);
      }
      for (int method = 0; method < 3; method++) {
        progress.step(METHODS[method] + " on one day of " + files + " files (ds " + bigDs + ")");
        long start = System.nanoTime();
        JobResult result = methods.run(method, big, bigDs);
        nanos[method] = System.nanoTime() - start;
        if (result != null) {
          rows = result.rowsRead();
          quarantined = result.rowsQuarantined();
        }
      }
      measured = "one day of the " + files + " CSV files of " + days + " days from " + first;
    } else {
      // Day 0 warms up the JVM and creates the tables; it is not counted.
      Progress progress = new Progress("file-ingest", days + 1, 10);
      for (int i = -1; i < days; i++) {
        LocalDate ds = first.plusDays(Math.max(i, 0));
        progress.step(i < 0 ? "warm-up on " + ds : "day " + ds + ", each of the 3 methods");
        for (int turn = 0; turn < 3; turn++) {
          int method = Math.floorMod(i + turn, 3);
          long start = System.nanoTime();
          JobResult result = methods.run(method, config, ds);
          if (i >= 0) {
            nanos[method] += System.nanoTime() - start;
            if (result != null) {
              rows += result.rowsRead();
              quarantined += result.rowsQuarantined();
            }
          }
        }
      }
      measured = days + " daily CSV files from " + first;
    }
    report(measured, rows, quarantined, nanos);
    spark.stop();
  }

  /** The three ways of writing a day's files; the ingest's result, or null for the plain copies. */
  private record Methods(SparkSession spark, Path work, StructType schema) {
    JobResult run(int method, LakepipeConfig dayConfig, LocalDate ds) {
      if (method == 0) {
        return IngestFiles.of("flights").run(JobContext.of(spark, dayConfig, ds, "bench"));
      }
      List<String> files =
          LandingAreas.of(dayConfig.string("sources.flights.location"), dayConfig, spark).files(ds);
      Dataset<Row> read =
          spark.read().schema(schema).option("header", true).csv(files.toArray(String[]::new));
      if (method == 1) {
        new DeltaTables(spark).replaceDs(read, work.resolve("plain-delta").toString(), ds);
      } else {
        read.write()
            .mode(SaveMode.Overwrite)
            .parquet(work.resolve("plain-parquet").resolve("ds=" + ds).toString());
      }
      return null;
    }
  }

  /** Hard links to the landed files of each day, all in {@code folder}; returns how many. */
  private static long linkAsOneDay(
      SparkSession spark, LakepipeConfig config, LocalDate first, int days, Path folder)
      throws IOException {
    // run.sh removes the folder of a previous run first.
    Files.createDirectories(folder);
    LandingArea landing = LandingAreas.of(config.string("sources.flights.location"), config, spark);
    long linked = 0;
    for (int i = 0; i < days; i++) {
      LocalDate ds = first.plusDays(i);
      for (String file : landing.files(ds)) {
        Path source = file.startsWith("file:") ? Path.of(URI.create(file)) : Path.of(file);
        Files.createLink(folder.resolve(ds + "-" + source.getFileName()), source);
        linked++;
      }
    }
    return linked;
  }

  private static void report(String measured, long rows, long quarantined, long[] nanos) {
    double ingest = nanos[0] / 1e9;
    double delta = nanos[1] / 1e9;
    double parquet = nanos[2] / 1e9;
    System.out.printf(
        Locale.ROOT,
        "%nFile ingest of %s: %,d rows (%,d quarantined)%n",
        measured,
        rows,
        quarantined);
    System.out.printf(
        Locale.ROOT,
        "%-44s %10s %12s %s%n",
        "method",
        "seconds",
        "rows/s",
        "speed vs lakepipe ingest");
    for (int method = 0; method < 3; method++) {
      double seconds = nanos[method] / 1e9;
      System.out.printf(
          Locale.ROOT,
          "%-44s %10.1f %12.0f %.2f%n",
          METHODS[method],
          seconds,
          rows / seconds,
          ingest / seconds);
    }
    System.out.printf(
        Locale.ROOT,
        "%nlakepipe ingest throughput as a share of plain Spark: %.2fx of the"
            + " Delta copy (goal >= 0.9x), %.2fx of the Parquet copy%n",
        delta / ingest,
        parquet / ingest);
  }
}
