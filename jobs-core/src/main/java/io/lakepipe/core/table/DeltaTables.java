package io.lakepipe.core.table;

import io.delta.tables.DeltaTable;
import org.apache.spark.sql.delta.DeltaLog;
import scala.Option;
import io.lakepipe.core.LakepipeErrors;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

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
    if (!DeltaTable.isDeltaTable(spark, path)) {
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
   * {@code ds} (creating the table partitioned by ds if needed), and returns the version written. Rows
   * already present stay as they are, so a rerun adds nothing: the way to keep a history that later
   * reruns must not rewrite.
   */
  public long insertNew(Dataset<Row> rows, String path, LocalDate ds, java.util.List<String> keys) {
    Dataset<Row> tagged = rows.withColumn(DS, functions.lit(java.sql.Date.valueOf(ds)));
    if (!DeltaTable.isDeltaTable(spark, path)) {
      tagged.write().format("delta").mode(SaveMode.ErrorIfExists).partitionBy(DS).save(path);
      return latestVersion(path);
    }
    String on = String.join(" AND ",
        keys.stream().map(k -> "t.`" + k + "` <=> s.`" + k + "`").toList());
    DeltaTable.forPath(spark, path).as("t")
        .merge(tagged.as("s"), on)
        .whenNotMatched().insertAll()
        .execute();
    return latestVersion(path);
  }

  /** Appends rows in one commit, creating the table if needed; returns the version written. */
  public long append(Dataset<Row> rows, String path) {
    rows.write().format("delta").mode(SaveMode.Append).save(path);
    return latestVersion(path);
  }

  /**
   * Removes the partition {@code ds} in one commit (a metadata-only delete), for a run whose output
   * for the date is empty; returns the table's latest version. The table must exist.
   */
  public long deleteDs(String path, LocalDate ds) {
    DeltaTable.forPath(spark, path).delete(functions.col(DS).equalTo(java.sql.Date.valueOf(ds)));
    return latestVersion(path);
  }

  /** True when a Delta table exists at {@code path}. */
  public boolean exists(String path) {
    return DeltaTable.isDeltaTable(spark, path);
  }

  /**
   * The latest committed version of a Delta table, from the Delta log's snapshot (cached after this
   * session's own writes), without running a Spark job as {@code history()} does.
   */
  public long latestVersion(String path) {
    return DeltaLog.forTable(spark, path).update(false, Option.empty(), Option.empty()).version();
  }
}
