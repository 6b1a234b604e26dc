package io.lakepipe.core.table;

import io.delta.tables.DeltaTable;
import io.lakepipe.core.LakepipeErrors;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.functions;
import scala.Option;

/**
 * Delta table I/O of the jobs. Every write of a logical date is one Delta commit that replaces that
 * date's partition ({@code replaceWhere}), so a rerun, an Airflow retry or a backfill leaves the table
 * exactly as one run would, and a run that dies before its commit leaves the previous version intact.
 */
public final class DeltaTables {
  /** Name of the logical-date partition column of every lakepipe table. */
  public static final String DS = "ds";

  private final SparkSession spark;

  public DeltaTables(SparkSession spark) {
    this.spark = spark;
  }

  /** Reads the rows of one logical date at the table's latest version. */
  public TableRead readDs(String table, String path, LocalDate ds) {
    return readDsRange(table, path, ds, ds);
  }

  /** Reads the logical dates {@code [from, to]} at the table's latest version. */
  public TableRead readDsRange(String table, String path, LocalDate from, LocalDate to) {
    if (!exists(path)) {
      throw LakepipeErrors.partitionMissing(table, path, to.toString());
    }
    long version = latestVersion(path);
    Dataset<Row> rows =
        spark.read().format("delta").option("versionAsOf", version).load(path)
            .where(functions.col(DS).between(java.sql.Date.valueOf(from), java.sql.Date.valueOf(to)));
    return new TableRead(path, version, rows);
  }

  /**
   * Replaces the partition {@code ds} of the table at {@code path} with {@code rows} in one commit,
   * creating the table partitioned by ds if needed, and returns the version written.
   */
  public long replaceDs(Dataset<Row> rows, String path, LocalDate ds) {
    rows.withColumn(DS, functions.lit(java.sql.Date.valueOf(ds)))
        .write()
        .format("delta")
        .mode(SaveMode.Overwrite)
        .partitionBy(DS)
        .option("replaceWhere", DS + " = '" + ds + "'")
        .save(path);
    return latestVersion(path);
  }

  /**
   * Inserts, in one commit, the rows whose {@code keys} the table does not hold yet, tagged with
   * {@code ds} (creating the table partitioned by ds if needed), and returns the table's version.
   * Keys are matched across the whole table, not only the ds partition: the way to keep a history
   * (every version of a reference row) that reruns of any date must not rewrite.
   */
  public long insertNew(Dataset<Row> rows, String path, LocalDate ds, List<String> keys) {
    return insertNew(rows.withColumn(DS, functions.lit(java.sql.Date.valueOf(ds))), path, keys, DS,
        false).version();
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
  public Inserted insertNew(Dataset<Row> rows, String path, List<String> keys, String partitionColumn) {
    return insertNew(rows, path, keys, partitionColumn, partitionColumn != null);
  }

  private Inserted insertNew(Dataset<Row> rows, String path, List<String> keys,
      String partitionColumn, boolean onlyTouchedPartitions) {
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
      condition.append(condition.length() == 0 ? "" : " AND ").append("t.`").append(key)
          .append("` = s.`").append(key).append('`');
    }
    if (onlyTouchedPartitions) {
      List<String> values = rows.select(partitionColumn).distinct().collectAsList().stream()
          .filter(r -> !r.isNullAt(0))
          .map(r -> (r.get(0) instanceof java.sql.Date ? "DATE'" : "'") + r.get(0) + "'")
          .toList();
      if (!values.isEmpty()) {
        condition.append(" AND t.`").append(partitionColumn).append("` IN (")
            .append(String.join(", ", values)).append(')');
      }
    }
    long before = latestVersion(path);
    DeltaTable.forPath(spark, path).as("t")
        .merge(unique.as("s"), condition.toString())
        .whenNotMatched().insertAll()
        .execute();
    long after = latestVersion(path);
    // A merge that finds nothing to insert commits nothing.
    return after == before
        ? new Inserted(before, 0, false)
        : new Inserted(after, lastMetric(path, "numTargetRowsInserted"), true);
  }

  /**
   * What {@link #insertNew} did: the table's version afterwards, how many rows were new, and whether
   * it committed a version at all.
   */
  public record Inserted(long version, long rows, boolean committed) {}

  private long lastMetric(String path, String metric) {
    Row last = DeltaTable.forPath(spark, path).history(1).select("operationMetrics").head();
    scala.collection.Map<String, String> metrics = last.getMap(0);
    return metrics.contains(metric) ? Long.parseLong(metrics.apply(metric)) : 0L;
  }

  /**
   * Removes the partition {@code ds} in one commit (a metadata-only delete), for a run whose output
   * for the date is empty; returns the table's latest version. The table must exist.
   */
  public long deleteDs(String path, LocalDate ds) {
    DeltaTable.forPath(spark, path).delete(functions.col(DS).equalTo(java.sql.Date.valueOf(ds)));
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


  /**
   * The latest committed version of a Delta table, from the Delta log's snapshot (cached after this
   * session's own writes), without running a Spark job as {@code history()} does.
   */
  public long latestVersion(String path) {
    return DeltaLog.forTable(spark, path).update(false, Option.empty(), Option.empty()).version();
  }
}
