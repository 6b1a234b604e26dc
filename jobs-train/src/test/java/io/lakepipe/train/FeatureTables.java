// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train;

import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.table.DeltaTables;
import io.lakepipe.features.EntityFeatures;
import io.lakepipe.features.FeatureView;
import io.lakepipe.features.FeatureViewReader;
import io.lakepipe.ingest.files.LandedRecords;
import io.lakepipe.ingest.source.SourceDeclarations;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * The flights view's features and labels tables as the feature job writes them for a config's
 * catalog: what {@link EntityFeatures} gives on no bronze flights of the declared source, and ds.
 * Tests that write these tables themselves follow the feature job's columns and types this way.
 */
final class FeatureTables {
  private FeatureTables() {}

  static StructType features(SparkSession spark, LakepipeConfig config) {
    // No lookup rows: a test's catalog without lookup features needs none.
    return DeltaTables.withDs(
        EntityFeatures.build(
                noFlights(spark, config), Map.of(), null, view(config), LocalDate.EPOCH)
            .schema());
  }

  static StructType labels(SparkSession spark, LakepipeConfig config) {
    return DeltaTables.withDs(
        EntityFeatures.labels(noFlights(spark, config), view(config)).schema());
  }

  private static FeatureView view(LakepipeConfig config) {
    return FeatureViewReader.read(config, "flights");
  }

  private static Dataset<Row> noFlights(SparkSession spark, LakepipeConfig config) {
    return spark.createDataFrame(
        List.of(), LandedRecords.bronzeSchema(spark, SourceDeclarations.files(config, "flights")));
  }
}
