package io.lakepipe.features;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.table.TableRead;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Builds the feature partition of one logical date from the bronze partition of that date. */
public final class BuildFeatures {
  private BuildFeatures() {}

  public static JobResult run(JobContext context) {
    String bronzePath = context.config().tablePath("bronze-flights");
    String featuresPath = context.config().tablePath("features-flights");
    int threshold = context.config().integer("features.delay-threshold-minutes");

    TableRead bronze = context.tables().readDs("bronze-flights", bronzePath, context.ds());
    long read = bronze.rows().count();
    if (read == 0) {
      throw LakepipeErrors.partitionMissing("bronze-flights", bronzePath, context.ds().toString());
    }
    Dataset<Row> features = FlightFeatures.build(bronze.rows(), threshold);
    long version = context.tables().replaceDs(features, featuresPath, context.ds());
    return JobResult.builder()
        .rowsRead(read)
        .rowsWritten(read)
        .read(bronzePath, bronze.version())
        .wrote(featuresPath, version)
        .summary("features " + featuresPath + " v" + version)
        .build();
  }
}
