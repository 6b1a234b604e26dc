// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.to_date;

import com.typesafe.config.ConfigUtil;
import io.lakepipe.core.cli.JobRunner;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.spark.SparkSessions;
import io.lakepipe.features.BuildFeatures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;

/**
 * The feature job rebuilding one day (D = 2001-01-01 + N days) in a lakehouse where the N days
 * before it are already built, against building D in a lakehouse whose bronze holds D alone. The
 * job should cost what its day costs, not what the history costs: goal history/alone <= 1.2.
 *
 * <p>Each case has its own lakehouse and config file (config/local.conf with lakepipe.lakehouse
 * moved), bronze flights and airports written by one plain Spark write each. Every run goes through
 * {@link JobRunner#execute}, the job's own entry, which starts and stops a session per run; the
 * wall clock is measured around it, and the audit table's duration (the job alone) is printed
 * beside it. The timed runs of the two cases alternate, and so does which case goes first, so that
 * load from elsewhere on the machine and the order itself weigh on both alike.
 *
 * <p>Args: base config file, history days N, work folder, airports CSV.
 */
public final class FeaturesRebuildBench {
  private static final String JOB = "build-features";
  private static final String VIEW = "flights";
  private static final LocalDate FIRST = LocalDate.of(2001, 1, 1);
  private static final LocalDate AIRPORTS_DS = LocalDate.of(2000, 12, 31);
  private static final Instant AIRPORTS_VALID_FROM = Instant.parse("2000-12-31T00:00:00Z");
  private static final String RUN_ID = "bench-features-rebuild";
  private static final int TIMED_RUNS = 3;

  private FeaturesRebuildBench() {}

  /** One lakehouse and the config file that points the job at it. */
  private record Case(String label, Path dir, Path configFile, double[] seconds) {
    Path lakehouse() {
      return dir.resolve("lakehouse");
    }
  }

  public static void main(String[] args) throws Exception {
    Path baseConfig = Path.of(args[0]).toAbsolutePath();
    int historyDays = Integer.parseInt(args[1]);
    Path work = Path.of(args[2]).toAbsolutePath();
    Path airports = Path.of(args[3]).toAbsolutePath();
    LocalDate day = FIRST.plusDays(historyDays);
    Case history =
        newCase(
            "rebuild after " + historyDays + " days of history",
            work.resolve("history"),
            baseConfig);
    Case alone = newCase("the day alone", work.resolve("alone"), baseConfig);

    // Prepare both lakehouses in one session; the first job run stops it (JobRunner closes the
    // session it gets, and getOrCreate hands it this one), so stop it here explicitly.
    long started = System.nanoTime();
    long dayRows;
    LakepipeConfig config = LakepipeConfig.load(history.configFile());
    SparkSession spark = SparkSessions.create("lakepipe-bench-features-rebuild", config);
    try {
      String flights = config.string("demo.flights-data");
      long historyRows = writeBronze(spark, history, flights, airports, FIRST, day);
      // The alone case holds day D only, so its bronze rows are the day's rows.
      dayRows = writeBronze(spark, alone, flights, airports, day, day);
      System.out.printf(
          Locale.ROOT,
          "Prepared in %.1f s: bronze flights %s..%s (%,d rows) and %s alone"
              + " (%,d rows), airports valid from %s, under %s%n",
          seconds(started),
          FIRST,
          day,
          historyRows,
          day,
          dayRows,
          AIRPORTS_VALID_FROM,
          work);
    } finally {
      spark.stop();
    }

    // Phase A: the history, day by day in order, as a daily schedule or a backfill builds it.
    long historyStarted = System.nanoTime();
    Progress progress = new Progress("features-rebuild, history", historyDays, 10);
    double previousDay = Double.NaN;
    for (int i = 0; i < historyDays; i++) {
      LocalDate ds = FIRST.plusDays(i);
      progress.step(
          String.format(Locale.ROOT, "day %s (the day before took %.1f s)", ds, previousDay));
      previousDay = runJob(history, ds);
    }
    double historySeconds = seconds(historyStarted);
    System.out.printf(
        Locale.ROOT,
        "history of %d days built in %.1f s (%.1f s a day)%n%n",
        historyDays,
        historySeconds,
        historySeconds / historyDays);

    // Phase B and the timed runs of phase A, alternating, the case that goes first alternating too:
    // run 1 builds D, runs 2 and 3 rebuild it.
    for (int run = 0; run < TIMED_RUNS; run++) {
      for (Case c : run % 2 == 0 ? List.of(history, alone) : List.of(alone, history)) {
        c.seconds()[run] = runJob(c, day);
        System.out.printf(
            Locale.ROOT,
            "%s, %s run %d/%d (%s): %.1f s%n",
            day,
            c.label(),
            run + 1,
            TIMED_RUNS,
            run == 0 ? "build" : "rebuild",
            c.seconds()[run]);
      }
    }

    spark = SparkSessions.create("lakepipe-bench-features-rebuild-report", config);
    try {
      report(spark, historyDays, day, dayRows, history, alone);
    } finally {
      spark.stop();
    }
  }

  /**
   * A fresh case folder with a config file: the base config, the lakehouse moved into the folder.
   */
  private static Case newCase(String label, Path dir, Path baseConfig) throws Exception {
    if (Files.exists(dir)) {
      throw new IllegalStateException(
          dir + " exists: the benchmark starts from nothing; delete it");
    }
    Files.createDirectories(dir);
    Path configFile = dir.resolve("lakepipe.conf");
    Files.writeString(
        configFile,
        String.join(
            "\n",
            "# Written by bench/features-rebuild: "
                + baseConfig.getFileName()
                + " with its own lakehouse.",
            "include file(" + ConfigUtil.quoteString(baseConfig.toString()) + ")",
            "lakepipe.lakehouse = " + ConfigUtil.quoteString(dir.resolve("lakehouse").toString()),
            ""),
        StandardCharsets.UTF_8);
    return new Case(label, dir, configFile, new double[TIMED_RUNS]);
  }

  /**
   * Writes bronze flights of {@code [from, to]} and bronze airports into the case's lakehouse, one
   * plain partitioned Delta write each, in the ingest's bronze schemas. Returns the bronze flights
   * rows.
   */
  private static long writeBronze(
      SparkSession spark,
      Case c,
      String flightsPath,
      Path airportsCsv,
      LocalDate from,
      LocalDate to) {
    LakepipeConfig config = LakepipeConfig.load(c.configFile());
    Dataset<Row> flights =
        spark
            .read()
            .parquet(flightsPath)
            .withColumn("ds", to_date(col("date")))
            .where(col("ds").between(Date.valueOf(from), Date.valueOf(to)))
            .select(
                col("date").cast("timestamp_ntz").as("flight_ts"),
                col("delay").cast("int").as("delay"),
                col("distance").cast("int").as("distance"),
                col("origin"),
                col("destination"),
                lit("file").as("_source"),
                lit(flightsPath).as("_source_location"),
                lit(RUN_ID).as("_run_id"),
                current_timestamp().as("_ingested_at"),
                col("ds"))
            // One file per day, as a daily ingest writes.
            .repartition(col("ds"));
    flights.write().format("delta").partitionBy("ds").save(config.tablePath("bronze-flights"));

    Dataset<Row> airports =
        spark
            .read()
            .schema(
                "iata STRING, name STRING, city STRING, state STRING, country STRING,"
                    + " latitude DOUBLE, longitude DOUBLE")
            .option("header", true)
            .csv(airportsCsv.toString())
            .select(
                col("iata"),
                col("name"),
                col("city"),
                col("state"),
                col("country"),
                col("latitude"),
                col("longitude"),
                lit(Timestamp.from(AIRPORTS_VALID_FROM)).as("updated_at"),
                // Dense ids in iata order, as the PostgreSQL reference table numbers them.
                row_number().over(Window.orderBy("iata")).as("airport_id"),
                lit("jdbc").as("_source"),
                lit("reference.airports").as("_source_location"),
                lit(RUN_ID).as("_run_id"),
                current_timestamp().as("_ingested_at"),
                lit(Date.valueOf(AIRPORTS_DS)).as("ds"));
    airports.write().format("delta").partitionBy("ds").save(config.tablePath("bronze-airports"));

    return spark.read().format("delta").load(config.tablePath("bronze-flights")).count();
  }

  /** Runs the feature job for one day through its entry point; stops the benchmark if it fails. */
  private static double runJob(Case c, LocalDate ds) {
    long started = System.nanoTime();
    int exit =
        JobRunner.execute(
            JOB,
            new String[] {
              "--config", c.configFile().toString(), "--ds", ds.toString(), "--view", VIEW
            },
            BuildFeatures.OPTIONS,
            BuildFeatures::prepare);
    double s = seconds(started);
    if (exit != 0) {
      System.out.printf(
          Locale.ROOT,
          "%n%s failed for ds %s in %s (exit code %d, the reason is on"
              + " stderr); benchmark stopped%n",
          JOB,
          ds,
          c.dir(),
          exit);
      System.exit(exit);
    }
    return s;
  }

  private static void report(
      SparkSession spark, int historyDays, LocalDate day, long dayRows, Case history, Case alone)
      throws Exception {
    double historyMedian = median(history.seconds());
    double aloneMedian = median(alone.seconds());
    List<Row> historyAudit = auditRuns(spark, history, day);
    List<Row> aloneAudit = auditRuns(spark, alone, day);

    System.out.printf(
        Locale.ROOT,
        "%nfeatures-rebuild: day %s, %,d bronze flights; wall clock of"
            + " JobRunner.execute (session start and stop included)%n",
        day,
        dayRows);
    System.out.printf(
        Locale.ROOT, "%-38s %-20s %10s %10s%n", "case", "runs (s)", "median (s)", "rows");
    for (Case c : List.of(history, alone)) {
      List<Row> audit = c == history ? historyAudit : aloneAudit;
      String rows =
          audit.isEmpty()
              ? "?"
              : String.format(
                  Locale.ROOT, "%,d", audit.get(audit.size() - 1).<Long>getAs("rows_written"));
      System.out.printf(
          Locale.ROOT,
          "%-38s %-20s %10.1f %10s%n",
          c.label(),
          runs(c.seconds()),
          median(c.seconds()),
          rows);
    }
    double ratio = historyMedian / aloneMedian;
    System.out.printf(Locale.ROOT, "ratio history/alone = %.2f (goal <= 1.10)%n", ratio);

    String jobRatio = "n/a";
    if (historyAudit.size() == TIMED_RUNS && aloneAudit.size() == TIMED_RUNS) {
      System.out.printf(
          Locale.ROOT,
          "%naudit rows of the timed runs (<lakehouse>/audit/job_runs;"
              + " job (s) = duration_ms, the job without session start and audit write)%n");
      System.out.printf(
          Locale.ROOT,
          "%-8s %3s %8s %8s %10s %10s  %s%n",
          "case",
          "run",
          "wall (s)",
          "job (s)",
          "rows read",
          "written",
          "versions read -> written");
      for (Case c : List.of(history, alone)) {
        List<Row> audit = c == history ? historyAudit : aloneAudit;
        for (int i = 0; i < TIMED_RUNS; i++) {
          Row r = audit.get(i);
          System.out.printf(
              Locale.ROOT,
              "%-8s %3d %8.1f %8.1f %,10d %,10d  %s -> %s%n",
              c.dir().getFileName(),
              i + 1,
              c.seconds()[i],
              r.<Long>getAs("duration_ms") / 1000.0,
              r.<Long>getAs("rows_read"),
              r.<Long>getAs("rows_written"),
              versions(r, "versions_read", c),
              versions(r, "versions_written", c));
        }
      }
      double jobHistory = median(auditSeconds(historyAudit));
      double jobAlone = median(auditSeconds(aloneAudit));
      jobRatio = String.format(Locale.ROOT, "%.2f", jobHistory / jobAlone);
      System.out.printf(
          Locale.ROOT,
          "job time (audit) medians: history %.1f s, alone %.1f s," + " ratio %s%n",
          jobHistory,
          jobAlone,
          jobRatio);
    } else {
      System.out.printf(
          Locale.ROOT,
          "%nThe audit tables hold %d and %d succeeded %s runs of %s, not %d"
              + " each: audit columns not shown%n",
          historyAudit.size(),
          aloneAudit.size(),
          JOB,
          day,
          TIMED_RUNS);
    }

    Path work = history.dir().getParent();
    Files.writeString(
        work.resolve("last-result.txt"),
        String.format(
            Locale.ROOT,
            "history_days=%d day=%s rows=%d history=%s alone=%s ratio=%.2f job_ratio=%s%n",
            historyDays,
            day,
            dayRows,
            runs(history.seconds()).trim(),
            runs(alone.seconds()).trim(),
            ratio,
            jobRatio),
        StandardCharsets.UTF_8);
  }

  /** The succeeded runs of the job for {@code day} in the case's audit table, oldest first. */
  private static List<Row> auditRuns(SparkSession spark, Case c, LocalDate day) {
    String path = LakepipeConfig.load(c.configFile()).tablePath("audit-runs");
    return spark
        .read()
        .format("delta")
        .load(path)
        .where(
            col("job")
                // The audit names a job with a view by both (build-features:flights).
                .equalTo(JOB + ":" + VIEW)
                .and(col("ds").equalTo(Date.valueOf(day)))
                .and(col("status").equalTo("SUCCEEDED")))
        .orderBy("started_at")
        .collectAsList();
  }

  /** A versions map of an audit row, with table paths relative to the case's lakehouse. */
  private static String versions(Row row, String column, Case c) {
    Map<String, Long> map = row.getJavaMap(row.fieldIndex(column));
    if (map == null || map.isEmpty()) {
      return "-";
    }
    String prefix = c.lakehouse().toString() + "/";
    return new TreeMap<>(map)
        .entrySet().stream()
            .map(
                e ->
                    (e.getKey().startsWith(prefix)
                            ? e.getKey().substring(prefix.length())
                            : e.getKey())
                        + " v"
                        + e.getValue())
            .collect(Collectors.joining(", "));
  }

  private static double[] auditSeconds(List<Row> audit) {
    return audit.stream().mapToDouble(r -> r.<Long>getAs("duration_ms") / 1000.0).toArray();
  }

  private static String runs(double[] seconds) {
    List<String> values = new ArrayList<>();
    for (double s : seconds) {
      values.add(String.format(Locale.ROOT, "%.1f", s));
    }
    return String.join(" ", values);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }
}
