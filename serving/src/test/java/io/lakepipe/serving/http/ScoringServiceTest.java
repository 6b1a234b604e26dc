// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.http;

import static io.lakepipe.serving.TestBundles.expected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.lakepipe.serving.RunningService;
import io.lakepipe.serving.ServiceTestBase;
import io.lakepipe.serving.TestBundles;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The service over real HTTP on an ephemeral loopback port: answers, every refused input with its
 * status and field, the token, health and metrics. One service (limits: 50 records, 64 KiB) serves
 * all tests of this class; reloads are tested in ReloadTest.
 */
class ScoringServiceTest extends ServiceTestBase {
  private static final int MAX_BATCH = 50;
  private static final int MAX_BODY = 64 * 1024;

  @RegisterExtension static final RunningService service = new RunningService(MAX_BATCH, MAX_BODY);

  @Test
  void oneRecordGetsItsProbabilityLabelAndModel() {
    Answer answer = predict(service.port(), record(10, 1000.0, "ORD"));

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.response().headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    JsonNode json = answer.json();
    assertThat(json.get("probability").asDouble())
        .isCloseTo(expected(1, 10, 1000.0, "ORD"), within(1e-12));
    assertThat(json.get("delayed").asBoolean()).isTrue(); // 0.55 > 0.5
    assertThat(json.get("model_name").asText()).isEqualTo(TestBundles.MODEL_NAME);
    assertThat(json.get("model_version").asText()).isEqualTo("1");
    assertThat(json.has("unknown_categories")).isFalse();

    assertThat(predict(service.port(), record(2, 100.0, "ATL")).json().get("delayed").asBoolean())
        .isFalse();
  }

  @Test
  void aBatchGetsOnePredictionPerRecordInOrder() {
    String records =
        IntStream.range(0, 24)
            .mapToObj(h -> record(h, 100.0 * h, h % 2 == 0 ? "DFW" : "ZZZ"))
            .collect(Collectors.joining(", "));
    for (String body : new String[] {"[" + records + "]", "{\"records\": [" + records + "]}"}) {
      Answer answer = predict(service.port(), body);
      assertThat(answer.status()).isEqualTo(200);
      JsonNode predictions = answer.json().get("predictions");
      assertThat(predictions).hasSize(24);
      for (int h = 0; h < 24; h++) {
        JsonNode p = predictions.get(h);
        String origin = h % 2 == 0 ? "DFW" : "ZZZ";
        assertThat(p.get("probability").asDouble())
            .isCloseTo(expected(1, h, 100.0 * h, origin), within(1e-12));
        assertThat(p.get("delayed").asBoolean()).isEqualTo(expected(1, h, 100.0 * h, origin) > 0.5);
        assertThat(p.has("unknown_categories")).isEqualTo(h % 2 == 1);
      }
      assertThat(answer.json().get("model_version").asText()).isEqualTo("1");
    }
    assertThat(predict(service.port(), "[]").json().get("predictions")).isEmpty();
  }

  @Test
  void unknownCategoriesAreScoredAndFlagged() {
    JsonNode json = predict(service.port(), record(10, 1000.0, "XYZ")).json();
    assertThat(json.get("probability").asDouble())
        .isCloseTo(expected(1, 10, 1000.0, "XYZ"), within(1e-12));
    assertThat(json.get("unknown_categories")).hasSize(1);
    assertThat(json.get("unknown_categories").get(0).asText()).isEqualTo("origin");
  }

  @Test
  void nullsAreMissingValuesAndExtraFieldsAreIgnored() {
    Answer answer =
        predict(
            service.port(),
            "{\"hour\": null, \"distance\": null, \"origin\": null, \"flight_id\": 77,"
                + " \"carrier\": \"AA\"}");
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().get("probability").asDouble())
        .isCloseTo(expected(1, null, null, null), within(1e-12));
  }

  @ParameterizedTest(name = "{0} -> {1} {2}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      value = {
        "''                                                               | 400 | -",
        "{\"hour\": 10, \"distance\": 5                                     | 400 | -",
        "[1, 2, 3]                                                        | 400 | -",
        "true                                                             | 400 | -",
        "{\"hour\": 10, \"distance\": 5}                                     | 400 | origin",
        "{\"hour\": \"10\", \"distance\": 5, \"origin\": \"ORD\"}               | 400 | hour",
        "{\"hour\": 10.5, \"distance\": 5, \"origin\": \"ORD\"}                | 400 | hour",
        "{\"hour\": 10, \"distance\": 5, \"origin\": 42}                      | 400 | origin",
        "{\"hour\": 10, \"distance\": false, \"origin\": \"ORD\"}              | 400 | distance",
        "{\"hour\": {\"h\": 10}, \"distance\": 5, \"origin\": \"ORD\"}          | 400 | hour",
        "{\"hour\": 10, \"distance\": [5], \"origin\": \"ORD\"}                | 400 | distance",
        "{\"records\": \"many\"}                                            | 400 | records",
        "[{\"hour\": 1, \"distance\": 5, \"origin\": \"ORD\"}, {\"hour\": 1}]   | 400 | distance",
      })
  void badInputGetsA4xxNamingTheField(String body, int status, String field) {
    Answer answer = predict(service.port(), body.strip());
    assertThat(answer.status()).as(answer.body()).isEqualTo(status);
    JsonNode json = answer.json();
    assertThat(json.get("error").asText()).isNotBlank();
    assertThat(json.get("field").isNull() ? null : json.get("field").asText())
        .as(answer.body())
        .isEqualTo(field);
  }

  @Test
  void aFaultyRecordOfABatchIsNamedByIndex() {
    JsonNode json =
        predict(service.port(), "[" + record(1, 2.0, "ORD") + ", " + record(1, "far", "ORD") + "]")
            .json();
    assertThat(json.get("field").asText()).isEqualTo("distance");
    assertThat(json.get("index").asInt()).isEqualTo(1);
    assertThat(json.get("error").asText())
        .isEqualTo(
            "Field 'distance' of record 1 must be a number (or null), not" + " a JSON string.");
  }

  @Test
  void aBatchAboveTheLimitIs413() {
    String body =
        "["
            + IntStream.range(0, MAX_BATCH + 1)
                .mapToObj(i -> record(1, 2.0, "ORD"))
                .collect(Collectors.joining(","))
            + "]";
    Answer answer = predict(service.port(), body);
    assertThat(answer.status()).isEqualTo(413);
    assertThat(answer.json().get("error").asText()).contains("51 records, more than the 50");
  }

  @Test
  void aBodyAboveTheLimitIs413WithOrWithoutContentLength() {
    String big =
        "["
            + IntStream.range(0, 2000)
                .mapToObj(i -> record(1, 2.0, "ORD"))
                .collect(Collectors.joining(","))
            + "]";
    assertThat(big.length()).isGreaterThan(MAX_BODY);
    Answer sized = predict(service.port(), big);
    assertThat(sized.status()).isEqualTo(413);
    assertThat(sized.json().get("error").asText()).contains("larger than 65536 bytes");

    // A chunked body announces no length: the limit is enforced while reading.
    byte[] bytes = big.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    HttpRequest chunked =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + "/predict"))
            .header("Authorization", "Bearer " + TOKEN)
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)))
            .build();
    assertThat(send(chunked).status()).isEqualTo(413);

    // The service is unharmed.
    assertThat(predict(service.port(), record(1, 2.0, "ORD")).status()).isEqualTo(200);
  }

  @Test
  void everyEndpointButHealthNeedsTheToken() {
    Answer none = send(service.port(), "POST", "/predict", record(1, 2.0, "ORD"), null);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.response().headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    assertThat(none.json().get("error").asText()).contains("LAKEPIPE_SERVING_TOKEN");
    assertThat(send(service.port(), "POST", "/predict", record(1, 2.0, "ORD"), "wrong").status())
        .isEqualTo(401);
    assertThat(
            send(service.port(), "POST", "/predict", record(1, 2.0, "ORD"), TOKEN + "x").status())
        .isEqualTo(401);
    assertThat(send(service.port(), "GET", "/metrics", null, null).status()).isEqualTo(401);
    assertThat(send(service.port(), "POST", "/admin/reload", null, null).status()).isEqualTo(401);

    Answer health = send(service.port(), "GET", "/health", null, null);
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().get("status").asText()).isEqualTo("ok");
    assertThat(health.json().get("model_name").asText()).isEqualTo(TestBundles.MODEL_NAME);
    assertThat(health.json().get("model_version").asText()).isEqualTo("1");
  }

  @Test
  void unknownPathsAndMethodsGetJson() {
    Answer missing = send(service.port(), "GET", "/nope", null, TOKEN);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().get("error").asText()).contains("POST /predict");
    Answer method = send(service.port(), "GET", "/predict", null, TOKEN);
    assertThat(method.status()).isEqualTo(405);
    assertThat(method.json().get("error").asText()).startsWith("GET is not allowed on /predict");
  }

  @Test
  void metricsCountRequestsErrorsRowsAndTheModel() {
    predict(
        service.port(),
        "["
            + record(1, 2.0, "ORD")
            + ", "
            + record(2, 3.0, "QQQ")
            + ", "
            + record(null, 3.0, "ATL")
            + "]");
    predict(service.port(), "{\"hour\": true}");
    send(service.port(), "POST", "/predict", "{}", null);

    Answer metrics = send(service.port(), "GET", "/metrics", null, TOKEN);
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.response().headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
    String text = metrics.body();
    assertThat(text)
        .containsPattern(
            "lakepipe_serving_requests_total\\{endpoint=\"predict\",status=\"200\"} \\d+");
    assertThat(text)
        .containsPattern(
            "lakepipe_serving_requests_total\\{endpoint=\"predict\",status=\"400\"} \\d+");
    assertThat(text)
        .containsPattern(
            "lakepipe_serving_errors_total\\{endpoint=\"predict\",reason=\"bad_request\"} \\d+");
    assertThat(text)
        .containsPattern(
            "lakepipe_serving_errors_total\\{endpoint=\"predict\",reason=\"unauthorized\"} \\d+");
    assertThat(text)
        .containsPattern(
            "lakepipe_serving_request_duration_seconds_bucket\\{endpoint=\"predict\",le=\"0.001\"} \\d+");
    assertThat(text)
        .containsPattern(
            "lakepipe_serving_request_duration_seconds_count\\{endpoint=\"predict\"} \\d+");
    assertThat(text).containsPattern("lakepipe_serving_rows_scored_total [1-9]");
    assertThat(text)
        .containsPattern("lakepipe_serving_unknown_categories_total\\{input=\"origin\"} [1-9]");
    assertThat(text)
        .containsPattern("lakepipe_serving_missing_inputs_total\\{input=\"hour\"} [1-9]");
    assertThat(text)
        .contains(
            "lakepipe_serving_model_info{model_name=\"lakepipe_flights_delay\",model_version=\"1\","
                + "run_id=\"run-1\"} 1");
    assertThat(text).contains("lakepipe_serving_reloads_total{result=\"failure\"} 0");
    assertThat(text).contains("lakepipe_serving_model_loaded_timestamp_seconds");
  }
}
