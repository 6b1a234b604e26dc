package io.lakepipe.core.audit;

import java.sql.Date;
import java.sql.Timestamp;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Appends one row per job run to the audit Delta table. */
public final class AuditLog {
  static final StructType SCHEMA =
      new StructType()
          .add("run_id", DataTypes.StringType, false)
          .add("job", DataTypes.StringType, false)
          // Where the job read from (a file location, a JDBC table, a Kafka topic); null when it failed early.
          .add("source", DataTypes.StringType, true)
          .add("ds", DataTypes.DateType, false)
          .add("status", DataTypes.StringType, false)
          .add("rows_read", DataTypes.LongType, false)
          .add("rows_written", DataTypes.LongType, false)
          .add("rows_quarantined", DataTypes.LongType, false)
          .add("versions_read", DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType))
          .add("versions_written", DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType))
          .add("started_at", DataTypes.TimestampType, false)
          .add("duration_ms", DataTypes.LongType, false)
          .add("message", DataTypes.StringType, true);

  private final SparkSession spark;
  private final String path;

  public AuditLog(SparkSession spark, String path) {
    this.spark = spark;
    this.path = path;
  }

  public void record(AuditRecord run) {
    Row row =
        RowFactory.create(
            run.runId(),
            run.job(),
            run.source(),
            Date.valueOf(run.ds()),
            run.status(),
            run.rowsRead(),
            run.rowsWritten(),
            run.rowsQuarantined(),
            run.versionsRead(),
            run.versionsWritten(),
            Timestamp.from(run.startedAt()),
            run.durationMs(),
            run.message());
    spark.createDataFrame(List.of(row), SCHEMA)
        .write()
        .format("delta")
        .mode(SaveMode.Append)
        // A newer lakepipe may add audit columns; appending merges them into an older table.
        .option("mergeSchema", "true")
        .save(path);
  }
}
