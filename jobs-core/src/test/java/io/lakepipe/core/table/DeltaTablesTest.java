// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.SparkTestBase;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeltaTablesTest extends SparkTestBase {
  private static final StructType SCHEMA =
      new StructType().add("id", DataTypes.IntegerType).add("name", DataTypes.StringType);
  private static final LocalDate DAY1 = LocalDate.of(2001, 1, 1);
  private static final LocalDate DAY2 = LocalDate.of(2001, 1, 2);

  @TempDir Path dir;

  private List<String> contents(String path) {
    return spark.read().format("delta").load(path).orderBy("ds", "id").collectAsList().stream()
        .map(Row::toString)
        .toList();
  }

  @Test
  void replacingADateTwiceLeavesWhatOneRunLeaves() {
    DeltaTables tables = new DeltaTables(spark);
    String path = dir.resolve("t").toString();
    Dataset<Row> day1 = rows(SCHEMA, new Object[] {1, "a"}, new Object[] {2, "b"});
    Dataset<Row> day2 = rows(SCHEMA, new Object[] {3, "c"});

    tables.replaceDs(day1, path, DAY1);
    tables.replaceDs(day2, path, DAY2);
    List<String> once = contents(path);
    long version = tables.replaceDs(day1, path, DAY1);

    assertThat(contents(path)).isEqualTo(once).hasSize(3);
    assertThat(version).isEqualTo(2);
  }

  @Test
  void replacingADateWithNothingCommitsOnlyWhenTheDateHadRows() {
    DeltaTables tables = new DeltaTables(spark);
    String path = dir.resolve("t").toString();
    Dataset<Row> none = rows(SCHEMA);

    assertThat(tables.replaceDsIfChanged(none, 0, path, DAY1)).as("creates the table").isZero();
    tables.replaceDs(rows(SCHEMA, new Object[] {1, "a"}), path, DAY2);
    assertThat(tables.replaceDsIfChanged(none, 0, path, DAY1)).as("nothing to change").isEqualTo(1);
    assertThat(tables.replaceDsIfChanged(none, 0, path, DAY2)).as("empties DAY2").isEqualTo(2);
    assertThat(contents(path)).isEmpty();
    assertThat(tables.replaceDsIfChanged(rows(SCHEMA, new Object[] {2, "b"}), 1, path, DAY2))
        .isEqualTo(3);
    assertThat(contents(path)).containsExactly("[2,b,2001-01-02]");
  }

  @Test
  void deletingADateRemovesItsRowsAndCommitsNothingWhenItHasNone() {
    DeltaTables tables = new DeltaTables(spark);
    String path = dir.resolve("t").toString();
    tables.replaceDs(rows(SCHEMA, new Object[] {1, "a"}), path, DAY1);
    tables.replaceDs(rows(SCHEMA, new Object[] {2, "b"}), path, DAY2);

    assertThat(tables.deleteDs(path, DAY1)).as("a commit removing DAY1").isEqualTo(2);
    assertThat(contents(path)).containsExactly("[2,b,2001-01-02]");
    assertThat(tables.deleteDs(path, DAY1)).as("nothing left to remove").isEqualTo(2);
    assertThat(tables.deleteDs(path, LocalDate.of(2001, 1, 3))).as("never written").isEqualTo(2);
    assertThat(contents(path)).containsExactly("[2,b,2001-01-02]");
  }

  /** Open while the slow writer's rows are being written, inside its Delta transaction. */
  private static final CountDownLatch SLOW_WRITER_WRITING = new CountDownLatch(1);

  /** Closed until the other writer has committed. */
  private static final CountDownLatch OTHER_COMMITTED = new CountDownLatch(1);

  /**
   * Two runs writing the same table and ds at once (an Airflow run and a manual `./lakepipe run`, a
   * backfill beside the daily run): the slow one's transaction started before the other committed,
   * and it commits after. It must fail with a clear error, and the table hold the other's write
   * once, not both, not a mix.
   */
  @Test
  void aWriteOverlappingAnotherOfTheSameDateFailsAndTheTableHoldsOneWholeWrite() throws Exception {
    DeltaTables tables = new DeltaTables(spark);
    String path = dir.resolve("t").toString();
    tables.replaceDs(
        rows(SCHEMA, new Object[] {1, "yesterday"}),
        path,
        DAY1,
        new TableLayout(Map.of(), Map.of()));
    UserDefinedFunction waitForTheOther =
        functions.udf(
            (Integer id) -> {
              SLOW_WRITER_WRITING.countDown();
              if (!OTHER_COMMITTED.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the other writer never committed");
              }
              return id;
            },
            DataTypes.IntegerType);
    Dataset<Row> slowRows =
        rows(SCHEMA, new Object[] {7, "slow"}, new Object[] {8, "slow"})
            .withColumn("id", waitForTheOther.apply(functions.col("id")));

    ExecutorService slowWriter = Executors.newSingleThreadExecutor();
    try {
      Future<Long> slow =
          slowWriter.submit(
              () -> tables.replaceDs(slowRows, path, DAY2, new TableLayout(Map.of(), Map.of())));
      assertThat(SLOW_WRITER_WRITING.await(60, TimeUnit.SECONDS)).isTrue();
      tables.replaceDs(
          rows(SCHEMA, new Object[] {3, "other"}), path, DAY2, new TableLayout(Map.of(), Map.of()));
      OTHER_COMMITTED.countDown();

      assertThatThrownBy(() -> slow.get(60, TimeUnit.SECONDS))
          .hasCauseInstanceOf(LakepipeException.class)
          .cause()
          .hasMessageContaining("Another run committed to " + path + " for ds [2001-01-02]")
          .hasMessageContaining("This run's write was not committed");
    } finally {
      slowWriter.shutdownNow();
    }
    assertThat(contents(path)).containsExactly("[1,yesterday,2001-01-01]", "[3,other,2001-01-02]");
  }

  @Test
  void replacingADateLeavesOtherDatesUntouched() {
    DeltaTables tables = new DeltaTables(spark);
    String path = dir.resolve("t").toString();
    tables.replaceDs(rows(SCHEMA, new Object[] {1, "a"}), path, DAY1);
    tables.replaceDs(rows(SCHEMA, new Object[] {3, "c"}), path, DAY2);

    tables.replaceDs(rows(SCHEMA, new Object[] {9, "z"}), path, DAY1);

    assertThat(contents(path)).containsExactly("[9,z,2001-01-01]", "[3,c,2001-01-02]");
  }

  /**
   * Replacing partitions is by ds alone (Delta's partition-only replaceWhere): a day named without
   * rows ends up empty, and a row of a day not named is refused without touching the table.
   */
  @Test
  void replacingDaysEmptiesTheNamedDaysWithoutRowsAndRefusesRowsOfOtherDays() {
    DeltaTables tables = new DeltaTables(spark);
    String path = dir.resolve("t").toString();
    TableLayout layout = new TableLayout(Map.of(), Map.of());
    tables.replaceDs(rows(SCHEMA, new Object[] {1, "a"}), path, DAY1, layout);
    tables.replaceDs(rows(SCHEMA, new Object[] {3, "c"}), path, DAY2, layout);
    Dataset<Row> day1Rows =
        rows(SCHEMA, new Object[] {9, "z"})
            .withColumn("ds", functions.lit(java.sql.Date.valueOf(DAY1)));

    tables.replacePartitions(day1Rows, path, List.of(DAY1, DAY2), layout);
    assertThat(contents(path)).containsExactly("[9,z,2001-01-01]");

    long before = tables.latestVersion(path);
    assertThatThrownBy(() -> tables.replacePartitions(day1Rows, path, List.of(DAY2), layout))
        .hasMessageContaining("does not conform");
    assertThat(tables.latestVersion(path)).isEqualTo(before);
    assertThat(contents(path)).containsExactly("[9,z,2001-01-01]");
  }

  @Test
  void readingADateReturnsItsRowsAndTheVersion() {
    DeltaTables tables = new DeltaTables(spark);
    String path = dir.resolve("t").toString();
    tables.replaceDs(rows(SCHEMA, new Object[] {1, "a"}), path, DAY1);
    tables.replaceDs(rows(SCHEMA, new Object[] {3, "c"}), path, DAY2);

    TableRead read = tables.readDs("t", path, DAY2);

    assertThat(read.version()).isEqualTo(1);
    assertThat(read.rows().select("id").collectAsList())
        .extracting(r -> r.getInt(0))
        .containsExactly(3);
  }

  @Test
  void insertingNewKeysAddsOnlyWhatTheTableLacksAndKeepsTheFirstDate() {
    DeltaTables tables = new DeltaTables(spark);
    String path = dir.resolve("t").toString();
    tables.insertNew(
        rows(SCHEMA, new Object[] {1, "a"}, new Object[] {2, "b"}), path, DAY1, List.of("id"));
    List<String> once = contents(path);

    tables.insertNew(
        rows(SCHEMA, new Object[] {1, "a"}, new Object[] {2, "b"}), path, DAY1, List.of("id"));
    assertThat(contents(path)).isEqualTo(once);
    tables.insertNew(
        rows(SCHEMA, new Object[] {2, "b"}, new Object[] {3, "c"}), path, DAY2, List.of("id"));

    assertThat(contents(path))
        .containsExactly("[1,a,2001-01-01]", "[2,b,2001-01-01]", "[3,c,2001-01-02]");
  }

  @Test
  void readingATableThatDoesNotExistNamesTheUpstreamTask() {
    DeltaTables tables = new DeltaTables(spark);

    assertThatThrownBy(() -> tables.readDs("bronze-flights", dir.resolve("none").toString(), DAY1))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("bronze-flights")
        .hasMessageContaining("ds=2001-01-01")
        .hasMessageContaining("upstream task");
  }

  @Test
  void insertingNewKeysWritesEachKeyOnceAndCommitsNothingWhenNoneIsNew() {
    DeltaTables tables = new DeltaTables(spark);
    String path = dir.resolve("t").toString();
    Dataset<Row> first =
        rows(SCHEMA, new Object[] {1, "a"}, new Object[] {2, "b"}, new Object[] {2, "b"})
            .withColumn("ds", org.apache.spark.sql.functions.lit(java.sql.Date.valueOf(DAY1)));
    Dataset<Row> second =
        rows(SCHEMA, new Object[] {2, "b"}, new Object[] {3, "c"})
            .withColumn("ds", org.apache.spark.sql.functions.lit(java.sql.Date.valueOf(DAY1)));

    DeltaTables.Inserted created = tables.insertNew(first, path, List.of("id"), "ds");
    DeltaTables.Inserted merged = tables.insertNew(second, path, List.of("id"), "ds");
    DeltaTables.Inserted replayed = tables.insertNew(second, path, List.of("id"), "ds");

    assertThat(contents(path))
        .containsExactly("[1,a,2001-01-01]", "[2,b,2001-01-01]", "[3,c,2001-01-01]");
    assertThat(created).isEqualTo(new DeltaTables.Inserted(0, 2, true));
    assertThat(merged).isEqualTo(new DeltaTables.Inserted(1, 1, true));
    assertThat(replayed).isEqualTo(new DeltaTables.Inserted(1, 0, false));
  }

  @Test
  void insertingAcrossPartitionsFindsAKeyResentWithAnotherDateWhateverFileHoldsIt() {
    DeltaTables tables = new DeltaTables(spark);
    String path = dir.resolve("events").toString();
    // Two files of keys far apart: the second batch's key range overlaps only the second one.
    tables.insertNewAcrossPartitions(
        dated(DAY1, new Object[] {1, "a"}, new Object[] {2, "b"}), path, List.of("id"), "ds");
    tables.insertNewAcrossPartitions(
        dated(DAY2, new Object[] {100, "x"}, new Object[] {101, "y"}), path, List.of("id"), "ds");

    DeltaTables.Inserted resent =
        tables.insertNewAcrossPartitions(
            dated(
                LocalDate.of(2001, 1, 3),
                new Object[] {101, "y again"},
                new Object[] {102, "z"},
                new Object[] {null, "no key"}),
            path,
            List.of("id"),
            "ds");
    DeltaTables.Inserted early =
        tables.insertNewAcrossPartitions(
            dated(LocalDate.of(2001, 1, 4), new Object[] {2, "b again"}),
            path,
            List.of("id"),
            "ds");

    assertThat(resent.rows()).isEqualTo(2);
    assertThat(early).isEqualTo(new DeltaTables.Inserted(2, 0, false));
    assertThat(contents(path))
        .containsExactly(
            "[1,a,2001-01-01]",
            "[2,b,2001-01-01]",
            "[100,x,2001-01-02]",
            "[101,y,2001-01-02]",
            "[null,no key,2001-01-03]",
            "[102,z,2001-01-03]");
  }

  private Dataset<Row> dated(LocalDate ds, Object[]... values) {
    return rows(SCHEMA, values)
        .withColumn("ds", org.apache.spark.sql.functions.lit(java.sql.Date.valueOf(ds)));
  }
}
