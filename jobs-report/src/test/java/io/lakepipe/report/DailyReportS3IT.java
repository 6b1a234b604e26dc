// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.auth.EnvironmentVariableCredentialsProvider;
import com.amazonaws.client.builder.AwsClientBuilder.EndpointConfiguration;
import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.AmazonS3ClientBuilder;
import com.amazonaws.services.s3.model.S3ObjectSummary;
import io.lakepipe.core.cli.JobRunner;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.tracking.LoggedRun;
import io.lakepipe.core.tracking.MlflowTracking;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page written to a bucket of the real S3 server (S3Proxy of {@code ./lakepipe services start})
 * through s3a: twice, where the second write replaces the first, which S3A's rename does not do by
 * itself.
 */
class DailyReportS3IT extends ReportFixtures {
  private static final String MLFLOW =
      System.getProperty("mlflow.tracking.uri", "http://127.0.0.1:5000");

  @TempDir Path home;

  @Test
  void aRerunReplacesThePageInTheBucketAndLeavesNothingElse() {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String bucket = "lakepipe-report-it-" + suffix;
    String reports = "lakepipe-report-s3-it-" + suffix;
    LakepipeConfig config =
        testConfig(
            home,
            Map.of(
                "lakepipe.mlflow.tracking-uri", MLFLOW,
                "lakepipe.report.experiment", reports,
                "lakepipe.report.location", "s3a://" + bucket + "/reports/daily"));
    applyHadoopConf(config);
    AmazonS3 s3 =
        AmazonS3ClientBuilder.standard()
            .withEndpointConfiguration(
                new EndpointConfiguration(config.string("s3.endpoint"), config.string("s3.region")))
            .withPathStyleAccessEnabled(true)
            .withCredentials(new EnvironmentVariableCredentialsProvider())
            .build();
    s3.createBucket(bucket);

    for (int run = 0; run < 2; run++) {
      JobRunner.runAudited(
          DailyReportJob.NAME,
          DailyReport::run,
          JobContext.of(spark, config, DS, UUID.randomUUID().toString()));
    }

    String key = "reports/daily/ds=2001-01-15/index.html";
    List<String> keys =
        s3.listObjectsV2(bucket, "reports/").getObjectSummaries().stream()
            .map(S3ObjectSummary::getKey)
            .filter(k -> !k.endsWith("/"))
            .toList();
    assertThat(keys).containsExactly(key);
    String page = s3.getObjectAsString(bucket, key);
    // The second run's page: it lists the first run's audit row.
    assertThat(page)
        .contains("<title>lakepipe daily report 2001-01-15</title>")
        .contains("<td>report</td><td>SUCCEEDED</td>");
    try (MlflowTracking tracking = MlflowTracking.connect(config)) {
      List<LoggedRun> runs =
          tracking.searchRuns(
              tracking.findExperimentId(reports).orElseThrow(),
              "tags.`lakepipe.ds` = '2001-01-15'",
              10);
      assertThat(runs)
          .hasSize(2)
          .allSatisfy(
              r ->
                  assertThat(r.tags())
                      .containsEntry("lakepipe.report.page", "s3a://" + bucket + "/" + key));
    }
  }
}
