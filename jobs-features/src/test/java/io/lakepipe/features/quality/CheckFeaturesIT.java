// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.tracking.LoggedRun;
import io.lakepipe.core.tracking.MlflowTracking;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * check-features with {@code lakepipe.training.trigger = on-drift} against the real MLflow server:
 * a day shifted beyond retrain-psi (but within max-psi) and an unshifted day each leave one drift
 * verdict run, which says retrain true with the drifted feature, or false with none. The daily
 * DAG's reader (dags/lakepipe_dags/retraining.py) decides from exactly these tags.
 */
class CheckFeaturesIT extends SparkTestBase {
  private static final String MLFLOW =
      System.getProperty("mlflow.tracking.uri", "http://127.0.0.1:5000");

  @TempDir Path home;

  private LoggedRun checkOnDrift(String experiment, int distanceShift) {
    LakepipeConfig config =
        testConfig(
            home,
            Map.of(
                "lakepipe.mlflow.tracking-uri", MLFLOW,
                "lakepipe.training.trigger", "on-drift",
                "lakepipe.training.drift-experiment", experiment));
    String featuresPath = config.tablePath("features-flights");
    CheckFeaturesTest.writeReference(featuresPath, 7);
    CheckFeaturesTest.writeDay(featuresPath, distanceShift);

    JobResult result =
        CheckFeatures.prepare(config, Map.of("view", "flights"))
            .run(JobContext.of(spark, config, CheckFeaturesTest.DS, "run-1"));

    try (MlflowTracking tracking = MlflowTracking.connect(MLFLOW, Duration.ofSeconds(30))) {
      String experimentId = tracking.findExperimentId(experiment).orElseThrow();
      List<LoggedRun> runs =
          tracking.searchRuns(experimentId, "tags.`lakepipe.ds` = '2001-01-15'", 10);
      assertThat(runs).hasSize(1);
      assertThat(result.summary()).contains("drift verdict: MLflow run " + runs.get(0).runId());
      return runs.get(0);
    }
  }

  @Test
  void aShiftedDayLogsAVerdictThatCallsForRetrainingWithTheDriftedFeature() {
    LoggedRun verdict = checkOnDrift("check-features-it-" + UUID.randomUUID(), 150);

    assertThat(verdict.tags())
        .containsEntry("lakepipe.view", "flights")
        .containsEntry("lakepipe.verdict", "drift")
        .containsEntry("lakepipe.retrain", "true")
        .containsEntry("lakepipe.job_run_id", "run-1");
    assertThat(verdict.tags().get("lakepipe.retrain.drift"))
        .matches("\\{\"distance\": 0\\.\\d{4}\\}");
    assertThat(verdict.metrics().get("psi.distance")).isBetween(0.1, 0.25);
    assertThat(verdict.params()).containsEntry("retrain_psi", "0.1");
  }

  @Test
  void anUnshiftedDayLogsAVerdictWithoutRetraining() {
    LoggedRun verdict = checkOnDrift("check-features-it-" + UUID.randomUUID(), 0);

    assertThat(verdict.tags())
        .containsEntry("lakepipe.verdict", "drift")
        .containsEntry("lakepipe.retrain", "false")
        .containsEntry("lakepipe.retrain.drift", "{}");
    assertThat(verdict.metrics()).containsKey("psi.distance");
  }
}
