// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features;

import static io.lakepipe.features.FeatureTestRows.airport;
import static io.lakepipe.features.FeatureTestRows.bronzeAirports;
import static io.lakepipe.features.FeatureTestRows.bronzeFlights;
import static io.lakepipe.features.FeatureTestRows.flight;
import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.Job;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.table.DeltaTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.io.FileUtils;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The feature job against Delta tables in a temporary lakehouse: point-in-time correctness, order
 * independence, late and corrected days. Windows of 1 and 3 days over 6 days of flights, so that a
 * day can fall outside a window. Tables are compared by their full contents.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BuildFeaturesTest extends SparkTestBase {
  static final LocalDate FIRST = LocalDate.parse("2001-01-01");
  static final int DAYS = 6;
  static final List<String> AIRPORT_CODES = List.of("AAA", "BBB", "CCC", "DDD", "EEE");

  @TempDir static Path home;
  DeltaTables tables;

  /** Bronze of the 6 days and the airports, shared by every lakehouse of this class. */
  Map<String, Object> inputs;

  /** The tables built day by day in order: what every other way of building must equal. */
  LakepipeConfig inOrder;

  /** The audit of the in-order build of the last day. */
  JobResult lastInOrderBuild;

  @BeforeAll
  void buildInOrder() {
    tables = new DeltaTables(spark);
    inputs = inputs("source");
    for (int d = 0; d < DAYS; d++) {
      writeBronze(inputs, day(d), flightsOf(day(d), 0));
    }
    writeAirports(inputs, rows(bronzeAirports(), airports("2000-12-31T00:00:00Z", 0)));
    inOrder = lakehouse("in-order", inputs);
    for (int d = 0; d < DAYS; d++) {
      lastInOrderBuild = build(inOrder, day(d));
      if (d <= 1) {
        // Copies of the first days built, so that a test whose first days are built in order on
        // the same bronze files starts from them instead of building them again.
        copy(home.resolve("in-order"), home.resolve(inOrderUntil(d)));
      }
    }
  }

  /** The folder of the in-order lakehouse as it was with the days up to {@code index} built. */
  static String inOrderUntil(int index) {
    return "in-order-until-" + index;
  }

  /**
   * A lakehouse that starts as the in-order one with the days up to {@code index} built, reading
   * {@code inputs}: bronze whose files of those days are the in-order source's (a copy of it), so
   * that their stats are up to date.
   */
  LakepipeConfig lakehouseBuiltInOrderUntil(int index, String name, Map<String, Object> inputs) {
    copy(home.resolve(inOrderUntil(index)), home.resolve(name));
    return lakehouse(name, inputs);
  }

  /** A copy of the in-order source without the bronze of day 3 (index 2): a day that lands late. */
  Map<String, Object> sourceWithoutDay2(String name) {
    copy(home.resolve("source"), home.resolve(name));
    Map<String, Object> copied = inputs(name);
    tables.deletePartitions((String) copied.get("lakepipe.tables.bronze-flights"), List.of(day(2)));
    return copied;
  }

  @Test
  void shuffledOrderAndRerunsGiveTheSameTables() {
    LakepipeConfig shuffled = lakehouse("shuffled", inputs);
    List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5));
    // [3, 0, 1, 2, 5, 4], then day 3 (index 3) again: a rerun of a middle day, built first.
    Collections.shuffle(order, new Random(7));
    order.add(order.get(0));
    order.forEach(d -> build(shuffled, day(d)));

    assertSameOutputs(shuffled, inOrder, true);
  }

  @Test
  void laterDataNeverChangesEarlierFeatures() {
    Map<String, Object> changed = inputs("leak-source");
    for (int d = 0; d < DAYS; d++) {
      // Days 4 to 6 (index 3-5) get other flights: other delays, routes and counts.
      writeBronze(changed, day(d), flightsOf(day(d), d >= 3 ? 99 : 0));
    }
    // A later version of every airport, valid from day 4 on.
    writeAirports(
        changed,
        rows(bronzeAirports(), airports("2000-12-31T00:00:00Z", 0))
            .union(rows(bronzeAirports(), airports("2001-01-04T00:00:00Z", 5))));
    LakepipeConfig later = lakehouse("leak", changed);
    // The last day first: its build computes the daily stats of its window (days 3 to 6), so the
    // changed days' stats are in the table when the days before are built. The features of days 4
    // and 5 would add nothing an earlier day could read.
    for (int d : List.of(DAYS - 1, 2, 1, 0)) {
      build(later, day(d));
    }
    assertThat(statsDays(later)).contains(day(3), day(4), day(5));

    for (String table : List.of("features-flights", "labels-flights")) {
      assertThat(contents(later, table, day(0), day(2)))
          .as("%s of the days before the change", table)
          .isEqualTo(contents(inOrder, table, day(0), day(2)));
      assertThat(contents(later, table, day(DAYS - 1), day(DAYS - 1)))
          .as("%s of a changed day (else this test proves nothing)", table)
          .isNotEqualTo(contents(inOrder, table, day(DAYS - 1), day(DAYS - 1)));
    }
  }

  @Test
  void aLateDayIsPickedUpByRebuildingItAndTheDaysAfter() {
    Map<String, Object> late = sourceWithoutDay2("late-source");
    // Days 1 and 2 (index 0, 1) as built in order; the days after the missing one built here.
    LakepipeConfig lakehouse = lakehouseBuiltInOrderUntil(1, "late", late);
    for (int d = 3; d < DAYS; d++) {
      build(lakehouse, day(d));
    }
    assertThat(contents(lakehouse, "features-flights", day(3), day(5)))
        .isNotEqualTo(contents(inOrder, "features-flights", day(3), day(5)));

    writeBronze(late, day(2), flightsOf(day(2), 0));
    for (int d = 2; d < DAYS; d++) {
      build(lakehouse, day(d));
    }

    assertSameOutputs(lakehouse, inOrder, false);
  }

  @Test
  void aCorrectedDayUpdatesExactlyTheRowsThatDependOnIt() {
    // The days built in order, as copies of the in-order inputs and tables (Delta tables are
    // folders with relative paths), so that only the correction's rebuilds run here.
    copy(home.resolve("source"), home.resolve("corrected-source"));
    copy(home.resolve("in-order"), home.resolve("corrected"));
    Map<String, Object> corrected = inputs("corrected-source");
    LakepipeConfig lakehouse = lakehouse("corrected", corrected);
    List<Row> before = rowsOf(lakehouse, "features-flights");
    assertThat(before).hasSameSizeAs(rowsOf(inOrder, "features-flights"));

    List<Object[]> fixed = new ArrayList<>(flightsOf(day(1), 0));
    Object[] first = fixed.get(0);
    fixed.set(
        0,
        flight(
            first[0].toString(),
            (Integer) first[1] + 120,
            (Integer) first[2],
            (String) first[3],
            (String) first[4]));
    fixed.add(flight(day(1) + "T23:45", 200, 500, "EEE", "AAA"));
    writeBronze(corrected, day(1), fixed);
    // The corrected day and the days whose 3-day window holds it; day 6 (index 5) is not rebuilt,
    // so its equality with the fresh build below shows that it does not depend on the correction.
    for (int d = 1; d <= 4; d++) {
      build(lakehouse, day(d));
    }
    List<Row> after = rowsOf(lakehouse, "features-flights");

    // Expected: the tables of a fresh build on the corrected bronze. Its day 1 (index 0), whose
    // bronze files are the in-order ones, is the in-order build of that day.
    LakepipeConfig fresh = lakehouseBuiltInOrderUntil(0, "corrected-fresh", corrected);
    for (int d = 1; d < DAYS; d++) {
      build(fresh, day(d));
    }
    assertSameOutputs(lakehouse, fresh, true);

    // And what changed is day 2 itself and, within the 3-day window after it, only flights of the
    // airports and routes the two changed flights touched; day 1 and day 6 are untouched.
    Set<String> touched =
        new TreeSet<>(List.of((String) first[3], (String) first[4], "EEE", "AAA"));
    List<String> beforeText = before.stream().map(Row::toString).toList();
    List<String> afterText = after.stream().map(Row::toString).toList();
    List<Row> added = after.stream().filter(r -> !beforeText.contains(r.toString())).toList();
    List<Row> removed = before.stream().filter(r -> !afterText.contains(r.toString())).toList();
    assertThat(added).isNotEmpty();
    for (Row row : concat(added, removed)) {
      String ds = row.getAs("ds").toString();
      assertThat(ds).isBetween(day(1).toString(), day(4).toString());
      if (!ds.equals(day(1).toString())) {
        assertThat(touched)
            .containsAnyOf(row.<String>getAs("origin"), row.<String>getAs("destination"));
      }
    }
    // Rows of day 2 other than the two changed flights keep their features: history only looks
    // back.
    long unchangedOfDay2 =
        after.stream()
            .filter(r -> r.getAs("ds").toString().equals(day(1).toString()))
            .filter(r -> beforeText.contains(r.toString()))
            .count();
    assertThat(unchangedOfDay2).isEqualTo(flightsOf(day(1), 0).size() - 1);
  }

  @Test
  void rangeRunsGiveTheTablesOfDailyRunsWithLateAndCorrectedDaysInsideTheRange() {
    Map<String, Object> late = sourceWithoutDay2("range-source");
    LakepipeConfig lakehouse = lakehouse("range", late);
    // The range stops at the day not landed, as RangeRun does on a failed day. Its first day
    // computed the daily stats of every landed day of the range at once, later ones included.
    assertThatThrownBy(() -> buildRange(lakehouse, 0, DAYS - 1))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining(day(2).toString());
    assertThat(statsDays(lakehouse)).containsExactly(day(0), day(1), day(3), day(4), day(5));

    // Landed late, the day and the rest of the range: the tables of daily runs in order.
    writeBronze(late, day(2), flightsOf(day(2), 0));
    buildRange(lakehouse, 2, DAYS - 1);
    assertSameOutputs(lakehouse, inOrder, false);

    // A corrected day inside a range: day 5 (index 4) delivered again with other flights, and the
    // range from it rebuilt, gives the tables of a fresh range run on the corrected bronze.
    writeBronze(late, day(4), flightsOf(day(4), 7));
    buildRange(lakehouse, 4, DAYS - 1);
    // Days 1 and 2 (index 0, 1), whose bronze files are the in-order ones, as built in order (which
    // equals a range run, as above); the range from the late day on is run fresh.
    LakepipeConfig fresh = lakehouseBuiltInOrderUntil(1, "range-fresh", late);
    buildRange(fresh, 2, DAYS - 1);
    assertSameOutputs(lakehouse, fresh, true);
    assertThat(contents(lakehouse, "features-flights", day(4), day(5)))
        .as("the correction changed the features (else this test proves nothing)")
        .isNotEqualTo(contents(inOrder, "features-flights", day(4), day(5)));
  }

  /** Builds the days {@code first..last} as one range run does: in order, stopping at a failure. */
  void buildRange(LakepipeConfig config, int first, int last) {
    Job job = BuildFeatures.prepare(config, Map.of("view", "flights"));
    for (int d = first; d <= last; d++) {
      job.run(JobContext.of(spark, config, day(d), "run-" + d).inRange(day(last)));
      spark.catalog().clearCache();
    }
  }

  /** The days the daily stats table holds, sorted. */
  List<LocalDate> statsDays(LakepipeConfig config) {
    return spark
        .read()
        .format("delta")
        .load(config.tablePath("features-daily-stats"))
        .select("ds")
        .distinct()
        .collectAsList()
        .stream()
        .map(row -> row.getDate(0).toLocalDate())
        .sorted()
        .toList();
  }

  static List<Row> concat(List<Row> a, List<Row> b) {
    List<Row> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  @Test
  void tablesCarryCommentsAndTheChangeDataFeed() {
    String features = inOrder.tablePath("features-flights");
    Map<String, String> comments = new HashMap<>();
    spark
        .read()
        .format("delta")
        .load(features)
        .schema()
        .foreach(
            field -> {
              comments.put(
                  field.name(), field.getComment().isDefined() ? field.getComment().get() : null);
              return null;
            });
    FeatureCatalog catalog = FeatureViewReader.read(inOrder, "flights").catalog();

    assertThat(comments).containsAllEntriesOf(catalog.featureComments());
    for (String table : List.of(features, inOrder.tablePath("labels-flights"))) {
      Row detail = spark.sql("DESCRIBE DETAIL delta.`" + table + "`").head();
      assertThat(
              detail
                  .<scala.collection.Map<String, String>>getAs("properties")
                  .get("delta.enableChangeDataFeed")
                  .get())
          .isEqualTo("true");
      assertThat(detail.<scala.collection.Seq<String>>getAs("partitionColumns").mkString())
          .isEqualTo("ds");
    }
    // The feed of the last version shows the rows that rebuilding the day replaced.
    long rows =
        spark
            .read()
            .format("delta")
            .option("readChangeFeed", "true")
            .option("startingVersion", 0)
            .load(features)
            .where(col("_change_type").equalTo("insert"))
            .count();
    assertThat(rows).isEqualTo(spark.read().format("delta").load(features).count());
  }

  @Test
  void theAuditCountsAndVersionsOfABuild() {
    // The last in-order build: building a day again here would add versions to the in-order
    // tables, which the change data feed test reads.
    JobResult result = lastInOrderBuild;

    long flights = flightsOf(day(5), 0).size();
    assertThat(result.rowsRead()).isEqualTo(flights);
    assertThat(result.rowsWritten()).isEqualTo(flights);
    assertThat(result.versionsRead())
        .containsKeys(
            inOrder.tablePath("bronze-flights"),
            inOrder.tablePath("bronze-airports"),
            inOrder.tablePath("features-daily-stats"));
    assertThat(result.versionsWritten())
        .containsKeys(inOrder.tablePath("features-flights"), inOrder.tablePath("labels-flights"));
  }

  @Test
  void aDayWithoutBronzeOrAirportsIsAClearError() {
    assertThatThrownBy(() -> build(inOrder, day(DAYS)))
        .hasMessageContaining("bronze-flights")
        .hasMessageContaining("no rows for ds=" + day(DAYS));
    // The day's rows and the stats window, read side by side, are released however the run ends.
    assertThat(spark.sharedState().cacheManager().isEmpty()).isTrue();

    Map<String, Object> noAirports = inputs("no-airports");
    writeBronze(noAirports, day(0), flightsOf(day(0), 0));
    assertThatThrownBy(() -> build(lakehouse("no-airports", noAirports), day(0)))
        .hasMessageContaining("bronze-airports does not exist");
    assertThat(spark.sharedState().cacheManager().isEmpty()).isTrue();
  }

  // ---- helpers ---------------------------------------------------------------------------------

  static LocalDate day(int index) {
    return FIRST.plusDays(index);
  }

  /** 20 to 40 flights a day between 5 airports; a variant gives other flights for the same day. */
  static List<Object[]> flightsOf(LocalDate day, int variant) {
    Random random = new Random(day.toEpochDay() * 31 + variant);
    List<Object[]> flights = new ArrayList<>();
    int count = 20 + random.nextInt(21);
    for (int i = 0; i < count; i++) {
      String origin = AIRPORT_CODES.get(random.nextInt(AIRPORT_CODES.size()));
      String destination =
          AIRPORT_CODES.get(
              (AIRPORT_CODES.indexOf(origin) + 1 + random.nextInt(AIRPORT_CODES.size() - 1))
                  % AIRPORT_CODES.size());
      String time = String.format("%sT%02d:%02d", day, random.nextInt(24), random.nextInt(60));
      flights.add(
          flight(time, random.nextInt(90) - 20, 100 + random.nextInt(900), origin, destination));
    }
    return flights;
  }

  static Object[][] airports(String validFrom, double shift) {
    return AIRPORT_CODES.stream()
        .map(
            code ->
                airport(code, "S" + code.charAt(0), 30 + code.charAt(0) - 'A' + shift, validFrom))
        .toArray(Object[][]::new);
  }

  Map<String, Object> inputs(String name) {
    Path folder = home.resolve(name);
    return Map.of(
        "lakepipe.tables.bronze-flights", folder.resolve("bronze/flights").toString(),
        "lakepipe.tables.bronze-airports", folder.resolve("bronze/airports").toString());
  }

  /** A lakehouse of its own for the feature job's tables, reading the given inputs. */
  LakepipeConfig lakehouse(String name, Map<String, Object> inputs) {
    Map<String, Object> overrides = new HashMap<>(inputs);
    overrides.put("lakepipe.features.history.window-days", List.of(1, 3));
    return testConfig(home.resolve(name), overrides);
  }

  void writeBronze(Map<String, Object> inputs, LocalDate ds, List<Object[]> flights) {
    Dataset<Row> rows = rows(bronzeFlights(), flights.toArray(Object[][]::new)).drop("ds");
    tables.replaceDs(rows, (String) inputs.get("lakepipe.tables.bronze-flights"), ds);
  }

  void writeAirports(Map<String, Object> inputs, Dataset<Row> airports) {
    airports
        .write()
        .format("delta")
        .mode("overwrite")
        .partitionBy("ds")
        .save((String) inputs.get("lakepipe.tables.bronze-airports"));
  }

  static void copy(Path from, Path to) {
    try {
      FileUtils.copyDirectory(from.toFile(), to.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  JobResult build(LakepipeConfig config, LocalDate ds) {
    return BuildFeatures.run(
        JobContext.of(spark, config, ds, "run-" + ds), FeatureViewReader.read(config, "flights"));
  }

  List<Row> rowsOf(LakepipeConfig config, String table) {
    return spark.read().format("delta").load(config.tablePath(table)).collectAsList();
  }

  /** Every row of a table's days, all columns, as sorted strings. */
  List<String> contents(LakepipeConfig config, String table, LocalDate from, LocalDate to) {
    Dataset<Row> rows =
        spark
            .read()
            .format("delta")
            .load(config.tablePath(table))
            .where(col("ds").between(java.sql.Date.valueOf(from), java.sql.Date.valueOf(to)));
    return rows
        .select(
            Arrays.stream(rows.columns())
                .sorted()
                .map(c -> col(c))
                .toList()
                .toArray(org.apache.spark.sql.Column[]::new))
        .collectAsList()
        .stream()
        .map(Row::toString)
        .sorted()
        .toList();
  }

  void assertSameOutputs(LakepipeConfig actual, LakepipeConfig expected, boolean sameBronzeFiles) {
    for (String table : List.of("features-flights", "labels-flights")) {
      assertThat(contents(actual, table, day(0), day(DAYS - 1)))
          .as(table)
          .isEqualTo(contents(expected, table, day(0), day(DAYS - 1)));
    }
    // The stats' source names the bronze files, which differ between bronze tables.
    List<String> statsColumns =
        new ArrayList<>(
            List.of("entity", "key", "flights", "delayed_flights", "delay_minutes", "ds"));
    if (sameBronzeFiles) {
      statsColumns.add("source_fingerprint");
    }
    assertThat(statsContents(actual, statsColumns))
        .as("daily stats")
        .isEqualTo(statsContents(expected, statsColumns));
  }

  List<String> statsContents(LakepipeConfig config, List<String> columns) {
    return spark
        .read()
        .format("delta")
        .load(config.tablePath("features-daily-stats"))
        .select(columns.stream().map(c -> col(c)).toArray(org.apache.spark.sql.Column[]::new))
        .collectAsList()
        .stream()
        .map(Row::toString)
        .sorted()
        .toList();
  }
}
