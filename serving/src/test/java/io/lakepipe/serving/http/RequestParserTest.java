// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.lakepipe.serving.RequestRefusedException;
import io.lakepipe.serving.bundle.InputField;
import io.lakepipe.serving.bundle.InputType;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestParserTest {
  private static final List<InputField> INPUTS =
      List.of(
          new InputField("hour", InputType.INTEGER),
          new InputField("distance", InputType.DOUBLE),
          new InputField("origin", InputType.STRING),
          new InputField("flights", InputType.LONG));
  private final RequestParser parser = new RequestParser(INPUTS, 3);

  private ScoringRequest parse(String body) {
    return parser.parse(body.getBytes(StandardCharsets.UTF_8));
  }

  private RequestRefusedException refused(String body) {
    return catchThrowableOfType(RequestRefusedException.class, () -> parse(body));
  }

  @Test
  void oneRecordBecomesTypedValues() {
    ScoringRequest request =
        parse(
            "{\"hour\": 7, \"distance\": 12, \"origin\": \"ORD\", \"flights\": 1e3,"
                + " \"tail_number\": \"N123\"}");
    assertThat(request.batch()).isFalse();
    // Extra keys are ignored; whole numbers written as 1e3 are still whole.
    assertThat(request.records())
        .containsExactly(Map.of("hour", 7L, "distance", 12.0, "origin", "ORD", "flights", 1000L));
  }

  @Test
  void keptKeyFieldsComeAsTextBesideTheInputsAndAreNeverScored() {
    RequestParser keeping = new RequestParser(INPUTS, 3, Set.of("flight_id", "ds", "hour"));
    String inputs = "\"distance\": 1, \"origin\": \"ORD\", \"flights\": 1";

    ScoringRequest request =
        keeping.parse(
            ("[{\"flight_id\": \"f1\", \"ds\": \"2001-01-15\", \"hour\": 7, "
                    + inputs
                    + "}, {\"flight_id\": 42, \"ds\": {\"day\": 1}, \"hour\": null, "
                    + inputs
                    + "}, {\"hour\": 3, "
                    + inputs
                    + "}]")
                .getBytes(StandardCharsets.UTF_8));

    assertThat(request.records().get(0)).doesNotContainKeys("flight_id", "ds");
    assertThat(request.keys().get(0))
        .isEqualTo(Map.of("flight_id", "f1", "ds", "2001-01-15", "hour", "7"));
    // A number is kept as written; a nested value or a null is no key.
    Map<String, String> second = new HashMap<>();
    second.put("flight_id", "42");
    second.put("ds", null);
    second.put("hour", null);
    assertThat(request.keys().get(1)).isEqualTo(second);
    assertThat(request.keys().get(2)).isEqualTo(Map.of("hour", "3"));
    // Without kept fields, none is read.
    assertThat(parse("{\"flight_id\": \"f1\", \"hour\": 7, " + inputs + "}").keys())
        .containsExactly(Map.of());
  }

  @Test
  void nullMeansMissing() {
    Map<String, Object> expected = new HashMap<>();
    expected.put("hour", null);
    expected.put("distance", null);
    expected.put("origin", null);
    expected.put("flights", null);
    assertThat(
            parse("{\"hour\": null, \"distance\": null, \"origin\": null, \"flights\": null}")
                .records())
        .containsExactly(expected);
  }

  @Test
  void batchesComeAsArraysOrRecords() {
    String record = "{\"hour\": 1, \"distance\": 2.5, \"origin\": \"ATL\", \"flights\": 3}";
    assertThat(parse("[" + record + ", " + record + "]").records()).hasSize(2);
    assertThat(parse("[" + record + "]").batch()).isTrue();
    assertThat(parse("{\"records\": [" + record + "]}").batch()).isTrue();
    assertThat(parse("[]").records()).isEmpty();
  }

  @Test
  void anInputCalledRecordsIsNotMistakenForABatch() {
    RequestParser withRecords =
        new RequestParser(List.of(new InputField("records", InputType.DOUBLE)), 3);
    ScoringRequest request = withRecords.parse("{\"records\": 4}".getBytes(StandardCharsets.UTF_8));
    assertThat(request.batch()).isFalse();
    assertThat(request.records()).containsExactly(Map.of("records", 4.0));
  }

  @ParameterizedTest(name = "{0} -> {1} {2}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      value = {
        "''                                                                    | 400 | -",
        "{\"hour\": 1,                                                          | 400 | -",
        "{\"hour\": 1} {}                                                       | 400 | -",
        "42                                                                    | 400 | -",
        "\"ORD\"                                                               | 400 | -",
        "{\"hour\": 1, \"distance\": 2, \"origin\": \"ORD\"}                     | 400 | flights",
        "{\"hour\": \"7\", \"distance\": 2, \"origin\": \"ORD\", \"flights\": 1}    | 400 | hour",
        "{\"hour\": 7.5, \"distance\": 2, \"origin\": \"ORD\", \"flights\": 1}     | 400 | hour",
        "{\"hour\": 3000000000, \"distance\": 2, \"origin\": \"ORD\", \"flights\": 1} | 400 | hour",
        "{\"hour\": 7, \"distance\": true, \"origin\": \"ORD\", \"flights\": 1}    | 400 | distance",
        "{\"hour\": 7, \"distance\": 1e999, \"origin\": \"ORD\", \"flights\": 1}   | 400 | distance",
        "{\"hour\": 7, \"distance\": 2, \"origin\": 5, \"flights\": 1}            | 400 | origin",
        "{\"hour\": 7, \"distance\": 2, \"origin\": {\"a\": 1}, \"flights\": 1}    | 400 | origin",
        "{\"hour\": 7, \"distance\": 2, \"origin\": [\"ORD\"], \"flights\": 1}     | 400 | origin",
        "{\"hour\": 7, \"distance\": 2, \"origin\": \"ORD\", \"flights\": 99999999999999999999} | 400 | flights",
        "{\"hour\": 7, \"hour\": 8, \"distance\": 2, \"origin\": \"ORD\", \"flights\": 1} | 400 | hour",
        "{\"records\": {}}                                                      | 400 | records",
        "[1, 2]                                                                | 400 | -",
        "[{}, {}, {}, {}]                                                      | 413 | -",
      })
  void refusesWithTheStatusAndField(String body, int status, String field) {
    RequestRefusedException e = refused(body.strip());
    assertThat(e).as(body).isNotNull();
    assertThat(e.status()).as(e.getMessage()).isEqualTo(status);
    assertThat(e.field()).as(e.getMessage()).isEqualTo(field);
  }

  @Test
  void aFaultInABatchNamesTheRecord() {
    RequestRefusedException e =
        refused(
            "[{\"hour\": 1, \"distance\": 2, \"origin\": \"ORD\", \"flights\": 3},"
                + " {\"hour\": 1, \"distance\": 2, \"origin\": \"ORD\"}]");
    assertThat(e.index()).isEqualTo(1);
    assertThat(e.field()).isEqualTo("flights");
    assertThat(e.getMessage())
        .isEqualTo(
            "Missing field 'flights' of record 1: every input of the model must be"
                + " present; send null when the value is unknown.");
  }

  @Test
  void malformedJsonSaysWhere() {
    assertThat(refused("{\"hour\": 1,\n \"distance\" 2}").getMessage())
        .startsWith("The request body is not valid JSON (Unexpected character")
        .contains("at line 2, column");
  }
}
