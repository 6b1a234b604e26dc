// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.tools.files;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.to_date;
import static org.assertj.core.api.Assertions.assertThat;

import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.config.TestConfigs;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.ingest.files.IngestFiles;
import io.lakepipe.ingest.files.LandingAreas;
import io.lakepipe.ingest.files.S3Clients;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Lands a real day of flights on the local S3 server (S3Proxy, started by {@code ./lakepipe
 * services start}) with Spark's s3a, lists it with the AWS SDK v2, and ingests it.
 */
class S3LandingIT extends SparkTestBase {
  static final LocalDate DS = LocalDate.parse("2001-02-03");

  @TempDir Path home;

  @BeforeAll
  static void requireS3Server() {
    try (S3Client s3 = S3Clients.fromConfig(TestConfigs.flights(Map.of()))) {
      s3.listBuckets();
    } catch (SdkException e) {
      throw new IllegalStateException(
          "The local S3 server is not answering ("
              + e.getMessage()
              + "): start it with `./lakepipe services start`, and run the tests through `./lakepipe test`,"
              + " which exports its endpoint and credentials (config/services.env).",
          e);
    }
  }

  @Test
  void aDayLandedOnS3IsIngestedCompletely() {
    String bucket = "lakepipe-it-" + UUID.randomUUID().toString().substring(0, 8);
    LakepipeConfig config =
        testConfig(
            home,
            Map.of(
                "lakepipe.demo.flights-data",
                lakepipeHome().resolve(".lakepipe/data/flights-3m.parquet").toString(),
                "lakepipe.sources.flights.location",
                "s3a://" + bucket + "/flights"));
    applyHadoopConf(config);

    long landed = LandDemoFiles.land(spark, config, "flights", DS, DS);
    List<String> files =
        LandingAreas.of(config.string("sources.flights.location"), config, spark).files(DS);
    JobResult result = IngestFiles.of("flights").run(JobContext.of(spark, config, DS, "s3-run"));

    long expected =
        spark
            .read()
            .parquet(config.string("demo.flights-data"))
            .where(to_date(col("date")).equalTo(java.sql.Date.valueOf(DS)))
            .count();
    assertThat(landed).isEqualTo(expected);
    assertThat(files)
        .hasSize(1)
        .allMatch(
            f -> f.startsWith("s3a://" + bucket + "/flights/ds=" + DS + "/") && f.endsWith(".csv"));
    assertThat(result.rowsRead()).isEqualTo(expected);
    assertThat(result.rowsWritten() + result.rowsQuarantined()).isEqualTo(expected);
    Row first = spark.read().format("delta").load(config.tablePath("bronze-flights")).head();
    assertThat(first.<String>getAs("_source_location")).startsWith("s3a://" + bucket + "/");
  }
}
