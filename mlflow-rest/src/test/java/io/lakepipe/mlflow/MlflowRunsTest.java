// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lakepipe.mlflow.FakeMlflowServer.Answer;
import io.lakepipe.mlflow.MlflowRuns.Metric;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The runs a job writes: created, logged to, ended, deleted, and their metrics read back. */
class MlflowRunsTest {
  private static final String API = "/api/2.0/mlflow/";

  private final FakeMlflowServer server;
  private final MlflowRuns runs;

  MlflowRunsTest() throws IOException {
    server = new FakeMlflowServer();
    runs =
        MlflowRestClient.of(
                server.uri(), Map.of("MLFLOW_TRACKING_TOKEN", "tok"), Duration.ofSeconds(5))
            .runs();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private JsonNode body(int request) throws IOException {
    return MlflowHttp.JSON.readTree(server.requests.get(request).body());
  }

  @Test
  void aRunIsCreatedWithItsNameStartAndTags() throws IOException {
    server.on(
        API + "runs/create",
        Answer.json(
            200,
            "{\"run\": {\"info\": {\"run_id\": \"r\", \"experiment_id\": \"1\", \"status\":"
                + " \"RUNNING\", \"artifact_uri\": \"mlflow-artifacts:/1/r/artifacts\"},"
                + " \"data\": {\"tags\": [{\"key\": \"mlflow.parentRunId\", \"value\": \"p\"}]}}}"));
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("mlflow.parentRunId", "p");
    tags.put("lakepipe.ds", "2001-01-15");

    MlflowRuns.Run run = runs.create("1", "lr-1", 42L, tags);

    assertThat(run.runId()).isEqualTo("r");
    assertThat(run.artifactUri()).isEqualTo("mlflow-artifacts:/1/r/artifacts");
    assertThat(server.requests.get(0).authorization()).isEqualTo("Bearer tok");
    assertThat(body(0).toString())
        .isEqualTo(
            "{\"experiment_id\":\"1\",\"run_name\":\"lr-1\",\"start_time\":42,\"tags\":["
                + "{\"key\":\"mlflow.parentRunId\",\"value\":\"p\"},"
                + "{\"key\":\"lakepipe.ds\",\"value\":\"2001-01-15\"}]}");
  }

  @Test
  void paramsMetricsAndTagsGoInOneBatch() throws IOException {
    server.on(API + "runs/log-batch", Answer.json(200, "{}"));

    runs.logBatch(
        "r",
        Map.of("max_iter", "5"),
        List.of(new Metric("auc", 0.75, 7L, 2L)),
        Map.of("extra", "x"));

    assertThat(server.requests).hasSize(1);
    assertThat(body(0).toString())
        .isEqualTo(
            "{\"run_id\":\"r\","
                + "\"metrics\":[{\"key\":\"auc\",\"value\":0.75,\"timestamp\":7,\"step\":2}],"
                + "\"params\":[{\"key\":\"max_iter\",\"value\":\"5\"}],"
                + "\"tags\":[{\"key\":\"extra\",\"value\":\"x\"}]}");
  }

  @Test
  void moreMetricsThanTheServerTakesAtOnceAreSplitAcrossRequests() throws IOException {
    server.on(API + "runs/log-batch", Answer.json(200, "{}"));
    List<Metric> history = new ArrayList<>();
    for (int step = 0; step < 2500; step++) {
      history.add(new Metric("loss", 1.0 / (step + 1), 7L, step));
    }

    runs.logBatch("r", Map.of("p", "1"), history, Map.of("t", "x"));

    assertThat(server.requests).hasSize(3);
    assertThat(body(0).path("metrics")).hasSize(1000);
    assertThat(body(1).path("metrics")).hasSize(1000);
    assertThat(body(2).path("metrics")).hasSize(500);
    assertThat(body(2).path("metrics").get(499).path("step").asLong()).isEqualTo(2499);
    // Params and tags are logged once, with the first metrics.
    assertThat(body(0).path("params")).hasSize(1);
    assertThat(body(0).path("tags")).hasSize(1);
    assertThat(body(1).path("params")).isEmpty();
    assertThat(body(2).path("tags")).isEmpty();
  }

  @Test
  void aRunIsEndedWithItsStatusAndEndTimeAndCanBeDeleted() throws IOException {
    server.on(API + "runs/update", Answer.json(200, "{}"));
    server.on(API + "runs/delete", Answer.json(200, "{}"));

    runs.end("r", RunStatus.FAILED, 99L);
    runs.delete("r");

    assertThat(body(0).toString())
        .isEqualTo("{\"run_id\":\"r\",\"status\":\"FAILED\",\"end_time\":99}");
    assertThat(server.requests.get(1).pathAndQuery()).isEqualTo(API + "runs/delete");
    assertThat(body(1).toString()).isEqualTo("{\"run_id\":\"r\"}");
  }

  @Test
  void aMetricsHistoryIsReadPageAfterPage() {
    String history = API + "metrics/get-history?metric_key=loss";
    server
        .on(
            history + "&run_id=r",
            Answer.json(
                200,
                "{\"metrics\": [{\"key\": \"loss\", \"value\": 1.0, \"timestamp\": 7, \"step\":"
                    + " 0}], \"next_page_token\": \"t2\"}"))
        .on(
            history + "&page_token=t2&run_id=r",
            Answer.json(
                200,
                "{\"metrics\": [{\"key\": \"loss\", \"value\": 0.5, \"timestamp\": 8, \"step\":"
                    + " 1}]}"));

    assertThat(runs.metricHistory("r", "loss"))
        .containsExactly(new Metric("loss", 1.0, 7L, 0L), new Metric("loss", 0.5, 8L, 1L));
  }
}
