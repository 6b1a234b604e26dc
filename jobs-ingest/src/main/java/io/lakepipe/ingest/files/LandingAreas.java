// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.files;

import io.lakepipe.core.config.LakepipeConfig;
import org.apache.spark.sql.SparkSession;

/**
 * Picks the landing area implementation from the location's scheme: S3 through the AWS SDK, plain
 * paths and {@code file:} on the local disk, any other scheme ({@code hdfs://}, ...) through the
 * Hadoop file system of the session.
 */
public final class LandingAreas {
  private LandingAreas() {}

  /** The landing area at {@code location}; S3 is reached with the settings of {@code config}. */
  public static LandingArea of(String location, LakepipeConfig config, SparkSession spark) {
    if (location.startsWith("s3a://") || location.startsWith("s3://")) {
      return new S3LandingArea(
          S3Clients.fromConfig(config), location.replaceFirst("^s3://", "s3a://"));
    }
    if (location.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*") && !location.startsWith("file:")) {
      return new HadoopLandingArea(spark.sparkContext().hadoopConfiguration(), location);
    }
    return new LocalLandingArea(location);
  }
}
