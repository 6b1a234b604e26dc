// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.table;

import io.delta.tables.DeltaTable;
import io.delta.tables.DeltaTableBuilder;
import io.lakepipe.core.LakepipeErrors;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Collection;
import java.util.ConcurrentModificationException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.Option;

/**
 * Delta table I/O of the jobs. Every write of a logical date is one Delta commit that replaces that
 * date's partition ({@code replaceWhere}), so a rerun, an Airflow retry or a backfill leaves the
 * table exactly as one run would, and a run that dies before its commit leaves the previous version
 * intact.
 */
public final class DeltaTables {
  /** Name of the logical-date partition column of every lakepipe table. */
  public static final String DS = "ds";

  /**
   * The schema of a table that {@link #replaceDs} and {@link #insertNew} write rows of {@code
   * columns} to: those columns, then the partition column {@link #DS}.
   */
  public static StructType withDs(StructType columns) {
    return columns.add(DS, DataTypes.DateType);
  }

  private final SparkSession spark;

  public DeltaTables(SparkSession spark) {
    this.spark = spark;
  }

  /** Reads the rows of one logical date at the table's latest version. */
  public TableRead readDs(String table, String path, LocalDate ds) {
    return readDsRange(table, path, ds, ds);
  }

  /** Reads every row of a table at its latest version; for small reference tables. */
  public TableRead readAll(String table, String path) {
    if (!exists(path)) {
      throw LakepipeErrors.tableMissing(table, path);
    }
    long version = latestVersion(path);
    return new TableRead(path, version, load(path, version, version));
  }

  /** Reads the logical dates {@code [from, to]} at the table's latest version. */
  public TableRead readDsRange(String table, String path, LocalDate from, LocalDate to) {
    long latest = latestOrMissing(table, path, to);
    return new TableRead(path, latest, between(load(path, latest, latest), from, to));
  }

  /**
   * Reads the logical dates {@code [from, to]} as the table was at {@code version}, so that a
   * training can be repeated on exactly the rows it once read; a version the table does not have is
   * an error.
   */
  public TableRead readDsRange(
      String table, String path, LocalDate from, LocalDate to, long version) {
    long latest = latestOrMissing(table, path, to);
    if (version < 0 || version > latest) {
      throw LakepipeErrors.tableVersionMissing(table, path, version, latest);
    }
    return new TableRead(path, version, between(load(path, version, latest), from, to));
  }

  private long latestOrMissing(String table, String path, LocalDate to) {
    if (!exists(path)) {
      throw LakepipeErrors.partitionMissing(table, path, to.toString());
    }
    return latestVersion(path);
  }

  private static Dataset<Row> between(Dataset<Row> rows, LocalDate from, LocalDate to) {
    return rows.where(DsPredicates.dsBetween(from, to));
  }

  /**
   * The table at {@code version}. The latest version is read from the session's cached snapshot,
   * which the caller has just refreshed; only an older version pays for rebuilding a snapshot (time
   * travel). A table has one writer at a time in lakepipe (the task of its ds), so the two agree.
   */
  private Dataset<Row> load(String path, long version, long latest) {
    var reader = spark.read().format("delta");
    if (version != latest) {
      reader = reader.option("versionAsOf", version);
    }
    return reader.load(path);
  }

  /**
   * Replaces the partition {@code ds} of the table at {@code path} with {@code rows} in one commit,
   * creating the table partitioned by ds if needed, and returns the version written.
   */
  public long replaceDs(Dataset<Row> rows, String path, LocalDate ds) {
    try {
      rows.withColumn(DS, functions.lit(java.sql.Date.valueOf(ds)))
          .write()
          .format("delta")
          .mode(SaveMode.Overwrite)
          .partitionBy(DS)
          .option("replaceWhere", DsPredicates.dsInSql(List.of(ds)))
          .save(path);
    } catch (ConcurrentModificationException e) {
      throw LakepipeErrors.concurrentWrite(path, ds.toString(), e);
    }
    return latestVersion(path);
  }

  /**
   * Like {@link #replaceDs(Dataset, String, LocalDate)} for rows the caller has counted: when there
   * are none and the existing table has no file in ds either, nothing changes, so it commits
   * nothing (an empty commit cost a day of a range run about 0.4 s) and returns the latest version.
   */
  public long replaceDsIfChanged(Dataset<Row> rows, long rowCount, String path, LocalDate ds) {
    if (rowCount == 0 && exists(path) && partitionFingerprints(path, ds, ds).isEmpty()) {
      return latestVersion(path);
    }
    return replaceDs(rows, path, ds);
  }

  /**
   * Like {@link #replaceDs(Dataset, String, LocalDate)} for a table with a declared {@link
   * TableLayout}: creates the table with its properties and comments if needed, lets a new column
   * (a feature added to the config) join the schema, and brings column comments up to date.
   */
  public long replaceDs(Dataset<Row> rows, String path, LocalDate ds, TableLayout layout) {
    return replacePartitions(
        rows.withColumn(DS, functions.lit(java.sql.Date.valueOf(ds))), path, List.of(ds), layout);
  }

  /**
   * Replaces the partitions {@code days} with {@code rows} (which carry their ds) in one commit; a
   * day in {@code days} without rows ends up empty. Creates the table with {@code layout} if
   * needed.
   */
  public long replacePartitions(
      Dataset<Row> rows, String path, Collection<LocalDate> days, TableLayout layout) {
    if (days.isEmpty()) {
      throw new IllegalArgumentException("no partitions to replace in " + path);
    }
    Dataset<Row> commented = withComments(rows, layout.comments());
    if (!exists(path)) {
      DeltaTableBuilder builder =
          DeltaTable.createIfNotExists(spark)
              .location(path)
              .addColumns(commented.schema())
              .partitionedBy(DS);
      for (Map.Entry<String, String> property : new TreeMap<>(layout.properties()).entrySet()) {
        builder = builder.property(property.getKey(), property.getValue());
      }
      builder.execute();
    }
    try {
      commented
          .write()
          .format("delta")
          .mode(SaveMode.Overwrite)
          .option("mergeSchema", "true")
          .option("replaceWhere", DsPredicates.dsInSql(days))
          .save(path);
    } catch (ConcurrentModificationException e) {
      // Delta's optimistic concurrency: of two overlapping writes of a ds, one commits whole.
      throw LakepipeErrors.concurrentWrite(path, days.toString(), e);
    }
    return syncComments(path, layout.comments());
  }

  /** Removes the partitions {@code days} in one commit (metadata only); the table must exist. */
  public long deletePartitions(String path, Collection<LocalDate> days) {
    DeltaTable.forPath(spark, path).delete(DsPredicates.dsInSql(days));
    return latestVersion(path);
  }

  /**
   * A fingerprint of each ds partition in {@code [from, to]} at the latest version: a hash of the
   * names of its data files. Delta writes new files for every change, so a fingerprint changes
   * whenever the partition is rewritten; read from the Delta log alone, without scanning data.
   */
  public Map<LocalDate, String> partitionFingerprints(String path, LocalDate from, LocalDate to) {
    Map<LocalDate, String> fingerprints = new TreeMap<>();
    if (!exists(path)) {
      return fingerprints;
    }
    Column ds = functions.col("partitionValues").getItem(DS);
    List<Row> rows =
        DeltaLog.forTable(spark, path)
            .update(false, Option.empty(), Option.empty())
            .allFiles()
            .toDF()
            .where(ds.between(from.toString(), to.toString()))
            .groupBy(ds.as(DS))
            .agg(
                functions.sha2(
                    functions.concat_ws(
                        ",", functions.array_sort(functions.collect_list(functions.col("path")))),
                    256))
            .collectAsList();
    for (Row row : rows) {
      fingerprints.put(LocalDate.parse(row.getString(0)), row.getString(1));
    }
    return fingerprints;
  }

  private static Dataset<Row> withComments(Dataset<Row> rows, Map<String, String> comments) {
    Column[] columns = new Column[rows.columns().length];
    for (int i = 0; i < columns.length; i++) {
      String name = rows.columns()[i];
      String comment = comments.get(name);
      columns[i] =
          comment == null
              ? functions.col(name)
              : functions
                  .col(name)
                  .as(name, new MetadataBuilder().putString("comment", comment).build());
    }
    return rows.select(columns);
  }

  /**
   * Sets the comments that differ from the table's, one ALTER per changed column (usually none),
   * and returns the table's latest version.
   */
  private long syncComments(String path, Map<String, String> comments) {
    Snapshot snapshot =
        DeltaLog.forTable(spark, path).update(false, Option.empty(), Option.empty());
    boolean altered = false;
    for (StructField field : snapshot.schema().fields()) {
      String wanted = comments.get(field.name());
      String actual = field.getComment().isDefined() ? field.getComment().get() : null;
      if (wanted != null && !wanted.equals(actual)) {
        spark.sql(
            "ALTER TABLE delta.`"
                + path.replace("`", "``")
                + "` ALTER COLUMN `"
                + field.name()
                + "` COMMENT '"
                + wanted.replace("\\", "\\\\").replace("'", "\\'")
                + "'");
        altered = true;
      }
    }
    return altered ? latestVersion(path) : snapshot.version();
  }

  /**
   * Inserts, in one commit, the rows whose {@code keys} the table does not hold yet, tagged with
   * {@code ds} (creating the table partitioned by ds if needed), and returns the table's version.
   * Keys are matched across the whole table, not only the ds partition: the way to keep a history
   * (every version of a reference row) that reruns of any date must not rewrite.
   */
  public long insertNew(Dataset<Row> rows, String path, LocalDate ds, List<String> keys) {
    return insertNew(
            rows.withColumn(DS, functions.lit(java.sql.Date.valueOf(ds))),
            path,
            keys,
            DS,
            KeyMatch.WHOLE_TABLE)
        .version();
  }

  /** Appends rows in one commit, creating the table if needed; returns the version written. */
  public long append(Dataset<Row> rows, String path) {
    rows.write().format("delta").mode(SaveMode.Append).save(path);
    return latestVersion(path);
  }

  /**
   * Inserts the rows whose {@code keys} are not in the table yet, in one commit (an insert-only
   * MERGE), creating the table partitioned by {@code partitionColumn} if needed. Replaying the same
   * rows, or rows that repeat a key, therefore never duplicates one. With a partition column, the
   * merge reads only the partitions that {@code rows} touch, which assumes a key always maps to the
   * same partition value; pass null to match keys across the whole table.
   */
  public Inserted insertNew(
      Dataset<Row> rows, String path, List<String> keys, String partitionColumn) {
    return insertNew(
        rows,
        path,
        keys,
        partitionColumn,
        partitionColumn != null ? KeyMatch.TOUCHED_PARTITIONS : KeyMatch.WHOLE_TABLE);
  }

  /**
   * As {@link #insertNew}, creating the table partitioned by {@code partitionColumn}, but matching
   * keys across every partition: for keys that may come again with another partition value (an
   * event re-sent with another date). The match reads only the files whose key statistics overlap
   * the range of keys {@code rows} hold (one aggregate of {@code rows} first, so pass them cached):
   * with keys that grow over time, such as dated event ids, a few files instead of the whole table.
   */
  public Inserted insertNewAcrossPartitions(
      Dataset<Row> rows, String path, List<String> keys, String partitionColumn) {
    return insertNew(rows, path, keys, partitionColumn, KeyMatch.KEY_RANGE);
  }

  /** Which rows of the table an insert matches the keys of {@code rows} against. */
  private enum KeyMatch {
    /** Those of the partitions {@code rows} touch. */
    TOUCHED_PARTITIONS,
    /** All of them. */
    WHOLE_TABLE,
    /** All of them, reading only the files whose key statistics overlap the keys' range. */
    KEY_RANGE
  }

  private Inserted insertNew(
      Dataset<Row> rows, String path, List<String> keys, String partitionColumn, KeyMatch match) {
    Dataset<Row> unique = rows.dropDuplicates(keys.toArray(String[]::new));
    if (!exists(path)) {
      var writer = unique.write().format("delta").mode(SaveMode.Append);
      if (partitionColumn != null) {
        writer = writer.partitionBy(partitionColumn);
      }
      writer.save(path);
      return new Inserted(latestVersion(path), lastMetric(path, "numOutputRows"), true);
    }
    StringBuilder condition = new StringBuilder();
    for (String key : keys) {
      condition
          .append(condition.length() == 0 ? "" : " AND ")
          .append("t.`")
          .append(key)
          .append("` = s.`")
          .append(key)
          .append('`');
    }
    if (match == KeyMatch.TOUCHED_PARTITIONS) {
      List<String> values =
          rows.select(partitionColumn).distinct().collectAsList().stream()
              .filter(r -> !r.isNullAt(0))
              .map(r -> (r.get(0) instanceof java.sql.Date ? "DATE'" : "'") + r.get(0) + "'")
              .toList();
      if (!values.isEmpty()) {
        condition
            .append(" AND t.`")
            .append(partitionColumn)
            .append("` IN (")
            .append(String.join(", ", values))
            .append(')');
      }
    }
    Column on = functions.expr(condition.toString());
    if (match == KeyMatch.KEY_RANGE) {
      on = keyRanges(on, rows, keys);
    }
    long before = latestVersion(path);
    DeltaTable.forPath(spark, path)
        .as("t")
        .merge(unique.as("s"), on)
        .whenNotMatched()
        .insertAll()
        .execute();
    long after = latestVersion(path);
    // A merge that finds nothing to insert commits nothing.
    return after == before
        ? new Inserted(before, 0, false)
        : new Inserted(after, lastMetric(path, "numTargetRowsInserted"), true);
  }

  /**
   * {@code on} and each key of the table between the smallest and the largest value of that key in
   * {@code rows}: true of every row a key of {@code rows} matches, so it changes no match, but it
   * is a condition on the table alone, which Delta checks against each file's min/max statistics.
   */
  private static Column keyRanges(Column on, Dataset<Row> rows, List<String> keys) {
    Column[] bounds = new Column[keys.size() * 2];
    for (int i = 0; i < keys.size(); i++) {
      Column key = functions.col(quoted(keys.get(i)));
      bounds[2 * i] = functions.min(key);
      bounds[2 * i + 1] = functions.max(key);
    }
    Row range = rows.agg(bounds[0], Arrays.copyOfRange(bounds, 1, bounds.length)).head();
    for (int i = 0; i < keys.size(); i++) {
      // A key null in every row matches nothing (null = null is not true): no bound needed.
      if (!range.isNullAt(2 * i)) {
        on =
            on.and(
                functions
                    .col("t." + quoted(keys.get(i)))
                    .between(functions.lit(range.get(2 * i)), functions.lit(range.get(2 * i + 1))));
      }
    }
    return on;
  }

  private static String quoted(String column) {
    return "`" + column.replace("`", "``") + "`";
  }

  /**
   * What {@link #insertNew} did: the table's version afterwards, how many rows were new, and
   * whether it committed a version at all.
   */
  public record Inserted(long version, long rows, boolean committed) {}

  private long lastMetric(String path, String metric) {
    Row last = DeltaTable.forPath(spark, path).history(1).select("operationMetrics").head();
    scala.collection.Map<String, String> metrics = last.getMap(0);
    return metrics.contains(metric) ? Long.parseLong(metrics.apply(metric)) : 0L;
  }

  /**
   * Removes the partition {@code ds} in one commit (a metadata-only delete), for a run whose output
   * for the date is empty; returns the table's latest version. The table must exist. A partition
   * without files needs no commit, and is told from the Delta log alone: a DELETE that finds
   * nothing still costs about a second (a clean day of the file ingest, for its quarantine).
   */
  public long deleteDs(String path, LocalDate ds) {
    if (partitionFingerprints(path, ds, ds).isEmpty()) {
      return latestVersion(path);
    }
    DeltaTable.forPath(spark, path).delete(DsPredicates.dsIs(ds));
    return latestVersion(path);
  }

  /**
   * Whether a Delta table exists at {@code path} now. Unlike {@code DeltaTable.isDeltaTable}, which
   * trusts the session's cached log, this sees a table that another process created meanwhile.
   */
  public boolean exists(String path) {
    try {
      // Loading refreshes the session's cached log of the path.
      spark.read().format("delta").load(path).schema();
      return true;
    } catch (Exception e) {
      // Spark throws AnalysisException, checked in Scala but undeclared in Java.
      return false;
    }
  }

  /** The number of data files in the table's latest version, from the Delta log alone. */
  public long activeFiles(String path) {
    return snapshot(path).numOfFiles();
  }

  /**
   * The data files on storage under the table's folder, outside its log: the active ones and the
   * removed ones VACUUM has not deleted yet (hidden files such as {@code _SUCCESS} not counted).
   */
  public long storedFiles(String path) {
    org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(path);
    try {
      FileSystem fs = root.getFileSystem(spark.sessionState().newHadoopConf());
      String log = fs.makeQualified(new org.apache.hadoop.fs.Path(root, "_delta_log")).toString();
      RemoteIterator<LocatedFileStatus> files = fs.listFiles(root, true);
      long count = 0;
      while (files.hasNext()) {
        org.apache.hadoop.fs.Path file = files.next().getPath();
        String name = file.getName();
        if (!file.toString().startsWith(log + "/")
            && !name.startsWith("_")
            && !name.startsWith(".")) {
          count++;
        }
      }
      return count;
    } catch (IOException e) {
      throw LakepipeErrors.fileSystemFailed("list the files of " + path, e);
    }
  }

  /**
   * Compacts the table's small files (Delta's OPTIMIZE, bin-packing each partition's files into
   * files of up to {@code spark.databricks.delta.optimize.maxFileSize}) and returns the table's
   * version afterwards: a new one when anything was compacted. The rows, and every earlier version,
   * stay as they were; the replaced files remain on storage until a VACUUM past their retention.
   */
  public long compact(String path) {
    DeltaTable.forPath(spark, path).optimize().executeCompaction();
    return latestVersion(path);
  }

  /** When each version still in the table's log was committed, by version. */
  public Map<Long, Instant> commitTimes(String path) {
    Map<Long, Instant> times = new TreeMap<>();
    for (Row row :
        DeltaTable.forPath(spark, path).history().select("version", "timestamp").collectAsList()) {
      times.put(row.getLong(0), row.getTimestamp(1).toInstant());
    }
    return times;
  }

  /**
   * How long the table's log keeps a commit ({@code delta.logRetentionDuration}, 30 days unless the
   * table sets it): Delta deletes older commits at a checkpoint, and time travel to them with them.
   */
  public Duration logRetention(String path) {
    DeltaLog log = DeltaLog.forTable(spark, path);
    return Duration.ofMillis(log.deltaRetentionMillis(snapshot(path).metadata()));
  }

  /** Sets the table's {@code delta.logRetentionDuration} (one metadata commit). */
  public long setLogRetention(String path, Duration retention) {
    long hours = (retention.toMinutes() + 59) / 60;
    spark.sql(
        "ALTER TABLE delta.`"
            + path.replace("`", "``")
            + "` SET TBLPROPERTIES ('delta.logRetentionDuration' = 'interval "
            + hours
            + " hours')");
    return latestVersion(path);
  }

  /**
   * Deletes the files no version younger than {@code retentionHours} needs (Delta's VACUUM), or
   * with {@code dryRun} only counts them; returns how many files it deleted, or would delete. The
   * retention is in whole hours because VACUUM rounds hours to the nearest whole one.
   *
   * <p>The caller chooses the retention, and may choose one below the table's own {@code
   * delta.deletedFileRetentionDuration} (7 days by default): Delta's safety check against that is
   * switched off for this call only ({@code spark.databricks.delta.retentionDurationCheck.enabled})
   * and restored afterwards.
   */
  public long vacuum(String path, long retentionHours, boolean dryRun) {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.databricks.delta.retentionDurationCheck.enabled", "false");
    // VACUUM lists the table's folders in this many tasks (Spark's default, 10000, took 38 s
    // for a table of 15 files on 2 cores); the session's shuffle partitions fit its cluster.
    conf.put(
        "spark.sql.sources.parallelPartitionDiscovery.parallelism",
        spark.conf().get("spark.sql.shuffle.partitions"));
    return withConf(
        conf,
        () -> {
          if (dryRun) {
            return spark
                .sql(
                    "VACUUM delta.`"
                        + path.replace("`", "``")
                        + "` RETAIN "
                        + retentionHours
                        + " HOURS DRY RUN")
                .count();
          }
          long stored = storedFiles(path);
          DeltaTable.forPath(spark, path).vacuum(retentionHours);
          return stored - storedFiles(path);
        });
  }

  /** Runs {@code body} with the session settings {@code conf}, then restores the earlier ones. */
  private <T> T withConf(Map<String, String> conf, java.util.function.Supplier<T> body) {
    Map<String, Option<String>> before = new LinkedHashMap<>();
    conf.forEach(
        (key, value) -> {
          before.put(key, spark.conf().getOption(key));
          spark.conf().set(key, value);
        });
    try {
      return body.get();
    } finally {
      before.forEach(
          (key, value) -> {
            if (value.isDefined()) {
              spark.conf().set(key, value.get());
            } else {
              spark.conf().unset(key);
            }
          });
    }
  }

  private Snapshot snapshot(String path) {
    return DeltaLog.forTable(spark, path).update(false, Option.empty(), Option.empty());
  }

  /**
   * The latest committed version of a Delta table, from the Delta log's snapshot (cached after this
   * session's own writes), without running a Spark job as {@code history()} does.
   */
  public long latestVersion(String path) {
    return DeltaLog.forTable(spark, path).update(false, Option.empty(), Option.empty()).version();
  }
}
