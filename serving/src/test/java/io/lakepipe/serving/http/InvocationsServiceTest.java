// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.http;

import static io.lakepipe.serving.TestBundles.expected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.lakepipe.serving.RunningService;
import io.lakepipe.serving.ServiceTestBase;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * POST /invocations over real HTTP on an ephemeral loopback port: MLflow's formats get MLflow's
 * answer with /predict's probabilities, and errors come in MLflow's shape with /predict's statuses,
 * limits, token and metrics. One service (limits: 5 rows, 4 KiB) serves all tests of this class.
 */
class InvocationsServiceTest extends ServiceTestBase {
  private static final int MAX_BATCH = 5;
  private static final int MAX_BODY = 4 * 1024;

  @RegisterExtension static final RunningService service = new RunningService(MAX_BATCH, MAX_BODY);

  private static Answer invoke(String body) {
    return send(service.port(), "POST", "/invocations", body, TOKEN);
  }

  @Test
  void everyFormatGetsOneProbabilityPerRowAsMlflowAnswers() {
    String[] bodies = {
      "{\"dataframe_split\": {\"columns\": [\"hour\", \"distance\", \"origin\"], \"index\": [0, 1],"
          + " \"data\": [[10, 1000.0, \"ORD\"], [2, null, \"XYZ\"]]}}",
      "{\"dataframe_records\": ["
          + record(10, 1000.0, "ORD")
          + ", "
          + record(2, null, "XYZ")
          + "]}",
      "{\"instances\": [" + record(10, 1000.0, "ORD") + ", " + record(2, null, "XYZ") + "]}",
      "{\"inputs\": {\"hour\": [10, 2], \"distance\": [1000.0, null], \"origin\": [\"ORD\", \"XYZ\"]}}",
    };
    for (String body : bodies) {
      Answer answer = invoke(body);
      assertThat(answer.status()).as(answer.body()).isEqualTo(200);
      assertThat(answer.response().headers().firstValue("Content-Type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
      JsonNode json = answer.json();
      assertThat(json.size()).as("only predictions, as MLflow answers").isEqualTo(1);
      JsonNode predictions = json.get("predictions");
      assertThat(predictions).hasSize(2);
      assertThat(predictions.get(0).asDouble())
          .isCloseTo(expected(1, 10, 1000.0, "ORD"), within(1e-12));
      assertThat(predictions.get(1).asDouble())
          .isCloseTo(expected(1, 2, null, "XYZ"), within(1e-12));
    }
  }

  @Test
  void refusalsComeInMlflowsShapeWithTheStatusesOfPredict() {
    Answer wrongRow =
        invoke(
            "{\"dataframe_split\": {\"columns\": [\"hour\", \"distance\", \"origin\"],"
                + " \"data\": [[1, 2.0, \"ORD\"], [1, 2.0]]}}");
    assertThat(wrongRow.status()).isEqualTo(400);
    assertThat(wrongRow.json().get("error_code").asText()).isEqualTo("BAD_REQUEST");
    assertThat(wrongRow.json().get("message").asText()).startsWith("Row 1 of dataframe_split");
    assertThat(wrongRow.json().get("index").asInt()).isEqualTo(1);

    Answer wrongType = invoke("{\"instances\": [" + record(1, "far", "ORD") + "]}");
    assertThat(wrongType.status()).isEqualTo(400);
    assertThat(wrongType.json().get("field").asText()).isEqualTo("distance");
    assertThat(wrongType.json().has("error")).isFalse();

    String rows =
        IntStream.range(0, MAX_BATCH + 1)
            .mapToObj(i -> record(1, 2.0, "ORD"))
            .collect(Collectors.joining(","));
    Answer tooMany = invoke("{\"dataframe_records\": [" + rows + "]}");
    assertThat(tooMany.status()).isEqualTo(413);
    assertThat(tooMany.json().get("error_code").asText()).isEqualTo("RESOURCE_EXHAUSTED");
    assertThat(tooMany.json().get("message").asText()).contains("6 records, more than the 5");

    Answer tooBig = invoke("{\"inputs\": {\"origin\": [\"" + "x".repeat(MAX_BODY) + "\"]}}");
    assertThat(tooBig.status()).isEqualTo(413);
    assertThat(tooBig.json().get("message").asText()).contains("larger than 4096 bytes");

    Answer noToken = send(service.port(), "POST", "/invocations", "{\"instances\": []}", null);
    assertThat(noToken.status()).isEqualTo(401);
    assertThat(noToken.response().headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    assertThat(noToken.json().get("error_code").asText()).isEqualTo("UNAUTHENTICATED");

    Answer method = send(service.port(), "GET", "/invocations", null, TOKEN);
    assertThat(method.status()).isEqualTo(405);
    assertThat(method.json().get("error").asText()).contains("POST /invocations");

    // The service is unharmed.
    assertThat(invoke("{\"instances\": []}").json().get("predictions")).isEmpty();
  }

  @Test
  void metricsCountTheEndpointAndItsRows() {
    invoke("{\"instances\": [" + record(3, 2.0, "QQQ") + "]}");
    invoke("{\"dataframe_records\": {}}");

    String text = send(service.port(), "GET", "/metrics", null, TOKEN).body();
    assertThat(text)
        .containsPattern(
            "lakepipe_serving_requests_total\\{endpoint=\"invocations\",status=\"200\"} [1-9]");
    assertThat(text)
        .containsPattern(
            "lakepipe_serving_errors_total\\{endpoint=\"invocations\",reason=\"bad_request\"} [1-9]");
    assertThat(text).containsPattern("lakepipe_serving_rows_scored_total [1-9]");
    assertThat(text)
        .containsPattern("lakepipe_serving_unknown_categories_total\\{input=\"origin\"} [1-9]");
  }
}
