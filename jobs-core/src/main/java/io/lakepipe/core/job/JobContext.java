package io.lakepipe.core.job;

import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.table.DeltaTables;
import java.time.LocalDate;
import org.apache.spark.sql.SparkSession;

/** What a job run gets: its session, configuration, logical date, run id and table I/O. */
public record JobContext(
    SparkSession spark, LakepipeConfig config, LocalDate ds, String runId, DeltaTables tables) {

  public static JobContext of(SparkSession spark, LakepipeConfig config, LocalDate ds, String runId) {
    return new JobContext(spark, config, ds, runId, new DeltaTables(spark));
  }
}
