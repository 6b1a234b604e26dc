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

/** MLflow's /invocations formats, read into the records /predict would score. */
class InvocationParserTest {
  private static final List<InputField> INPUTS =
      List.of(
          new InputField("hour", InputType.INTEGER),
          new InputField("distance", InputType.DOUBLE),
          new InputField("origin", InputType.STRING));
  private static final Map<String, Object> FIRST =
      Map.of("hour", 7L, "distance", 120.5, "origin", "ORD");
  private static final Map<String, Object> SECOND = second();
  private final InvocationParser parser = new InvocationParser(INPUTS, 3);

  /** The second row of every example: a null distance, a missing value. */
  private static Map<String, Object> second() {
    Map<String, Object> record = new HashMap<>();
    record.put("hour", 23L);
    record.put("distance", null);
    record.put("origin", "ATL");
    return record;
  }

  private List<Map<String, Object>> parse(String body) {
    ScoringRequest request = parser.parse(body.getBytes(StandardCharsets.UTF_8));
    assertThat(request.batch()).isTrue();
    return request.records();
  }

  private RequestRefusedException refused(String body) {
    return catchThrowableOfType(RequestRefusedException.class, () -> parse(body));
  }

  @Test
  void keptKeyColumnsComeAsTextInEveryFormat() {
    InvocationParser keeping = new InvocationParser(INPUTS, 3, Set.of("flight_id"));
    List<String> bodies =
        List.of(
            "{\"dataframe_split\": {\"columns\": [\"flight_id\", \"hour\", \"distance\","
                + " \"origin\"], \"data\": [[\"f1\", 1, 2.0, \"ORD\"], [null, 1, 2.0, \"ORD\"]]}}",
            "{\"dataframe_records\": [{\"flight_id\": \"f1\", \"hour\": 1, \"distance\": 2.0,"
                + " \"origin\": \"ORD\"}, {\"hour\": 1, \"distance\": 2.0, \"origin\": \"ORD\"}]}",
            "{\"inputs\": {\"flight_id\": [\"f1\", null], \"hour\": [1, 1], \"distance\": [2.0,"
                + " 2.0], \"origin\": [\"ORD\", \"ORD\"]}}");
    for (String body : bodies) {
      ScoringRequest request = keeping.parse(body.getBytes(StandardCharsets.UTF_8));

      assertThat(request.keys()).as(body).hasSize(2);
      assertThat(request.keys().get(0)).as(body).isEqualTo(Map.of("flight_id", "f1"));
      assertThat(request.keys().get(1).get("flight_id")).as(body).isNull();
      assertThat(request.records().get(0)).as(body).doesNotContainKey("flight_id");
    }
  }

  @Test
  void dataframeSplitGivesOneRecordPerRowWhateverTheOrderOfItsKeys() {
    String columns = "\"columns\": [\"origin\", \"tail_number\", \"hour\", \"distance\"]";
    String data = "\"data\": [[\"ORD\", \"N1\", 7, 120.5], [\"ATL\", null, 23, null]]";
    assertThat(parse("{\"dataframe_split\": {" + columns + ", \"index\": [5, 6], " + data + "}}"))
        .containsExactly(FIRST, SECOND);
    // pandas' to_dict(orient="split") may write the rows first; the index is ignored.
    assertThat(parse("{\"dataframe_split\": {" + data + ", " + columns + "}}"))
        .containsExactly(FIRST, SECOND);
    assertThat(
            parse(
                "{\"dataframe_split\": {\"columns\": [\"hour\", \"distance\", \"origin\"],"
                    + " \"data\": []}}"))
        .isEmpty();
  }

  @Test
  void dataframeRecordsAndInstancesAreRecords() {
    String records =
        "[{\"hour\": 7, \"distance\": 120.5, \"origin\": \"ORD\", \"carrier\": \"AA\"},"
            + " {\"hour\": 23, \"distance\": null, \"origin\": \"ATL\"}]";
    assertThat(parse("{\"dataframe_records\": " + records + "}")).containsExactly(FIRST, SECOND);
    assertThat(parse("{\"instances\": " + records + "}")).containsExactly(FIRST, SECOND);
  }

  @Test
  void inputsAreColumns() {
    assertThat(
            parse(
                "{\"inputs\": {\"distance\": [120.5, null], \"origin\": [\"ORD\", \"ATL\"],"
                    + " \"carrier\": [\"AA\", \"UA\"], \"hour\": [7, 23]}}"))
        .containsExactly(FIRST, SECOND);
  }

  @Test
  void paramsAreIgnoredAsMlflowIgnoresThemForAModelWithoutParameters() {
    assertThat(
            parse(
                "{\"params\": {\"threshold\": 0.9}, \"dataframe_records\": [{\"hour\": 7,"
                    + " \"distance\": 120.5, \"origin\": \"ORD\"}]}"))
        .containsExactly(FIRST);
  }

  @Test
  void aBatchOverTheLimitIsRefusedBeforeAnyRecordIsRead() {
    // Every row is also invalid: a 413 rather than a 400 shows that no row was read.
    String row = "[\"seven\", 1.0, \"ORD\"]";
    RequestRefusedException split =
        refused(
            "{\"dataframe_split\": {\"columns\": [\"hour\", \"distance\", \"origin\"], \"data\": ["
                + String.join(", ", row, row, row, row)
                + "]}}");
    assertThat(split.status()).isEqualTo(413);
    assertThat(split.getMessage()).contains("holds 4 records, more than the 3");

    String record = "{\"hour\": \"seven\"}";
    for (String format : new String[] {"dataframe_records", "instances"}) {
      RequestRefusedException records =
          refused(
              "{\"" + format + "\": [" + String.join(", ", record, record, record, record) + "]}");
      assertThat(records.status()).as(format).isEqualTo(413);
    }
    assertThat(refused("{\"inputs\": {\"hour\": [\"a\", \"b\", \"c\", \"d\"]}}").status())
        .isEqualTo(413);
  }

  @Test
  void aRowOfTheWrongLengthIsNamedByItsIndex() {
    RequestRefusedException e =
        refused(
            "{\"dataframe_split\": {\"columns\": [\"hour\", \"distance\", \"origin\"],"
                + " \"data\": [[7, 120.5, \"ORD\"], [23, \"ATL\"]]}}");
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.index()).isEqualTo(1);
    assertThat(e.getMessage())
        .isEqualTo(
            "Row 1 of dataframe_split's data has 2 values, but columns names 3: every row holds"
                + " one value per column (null when unknown).");
  }

  @Test
  void aMissingColumnIsNamed() {
    RequestRefusedException split =
        refused(
            "{\"dataframe_split\": {\"columns\": [\"hour\", \"origin\"], \"data\": [[7, \"ORD\"]]}}");
    assertThat(split.status()).isEqualTo(400);
    assertThat(split.field()).isEqualTo("distance");
    assertThat(split.getMessage())
        .startsWith("Column 'distance' is missing from dataframe_split's columns");

    RequestRefusedException inputs =
        refused("{\"inputs\": {\"hour\": [7], \"origin\": [\"ORD\"]}}");
    assertThat(inputs.field()).isEqualTo("distance");

    // In records, a missing key is a missing field of that record, as on /predict.
    RequestRefusedException records =
        refused(
            "{\"dataframe_records\": [{\"hour\": 7, \"distance\": 1, \"origin\": \"ORD\"},"
                + " {\"hour\": 7, \"origin\": \"ORD\"}]}");
    assertThat(records.field()).isEqualTo("distance");
    assertThat(records.index()).isEqualTo(1);
  }

  @Test
  void anUnknownTopLevelKeyIsRefusedRatherThanDropped() {
    RequestRefusedException e =
        refused("{\"dataframe_record\": [{\"hour\": 7, \"distance\": 1, \"origin\": \"ORD\"}]}");
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.field()).isEqualTo("dataframe_record");
    assertThat(e.getMessage()).startsWith("Unknown key 'dataframe_record' in the request body");
  }

  @Test
  void aValueIsCheckedAsOnPredict() {
    RequestRefusedException e =
        refused(
            "{\"dataframe_split\": {\"columns\": [\"hour\", \"distance\", \"origin\"],"
                + " \"data\": [[7, 120.5, \"ORD\"], [7.5, 1, \"ORD\"]]}}");
    assertThat(e.field()).isEqualTo("hour");
    assertThat(e.index()).isEqualTo(1);
    assertThat(e.getMessage())
        .isEqualTo("Field 'hour' of record 1 must be a whole number, not 7.5.");
  }

  @ParameterizedTest(name = "{0} -> {1} {2}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      value = {
        "''                                                                        | 400 | -",
        "'  '                                                                      | 400 | -",
        "[{\"hour\": 7}]                                                            | 400 | -",
        "{\"hour\": 7, \"distance\": 1, \"origin\": \"ORD\"}                          | 400 | hour",
        "{}                                                                        | 400 | -",
        "{\"params\": {}}                                                           | 400 | -",
        "{\"instances\": [], \"inputs\": {}}                                         | 400 | inputs",
        "{\"instances\": [], \"instances\": []}                                      | 400 | instances",
        "{\"instances\": []} []                                                     | 400 | -",
        "{\"dataframe_records\": {\"hour\": [7]}}                                    | 400 | dataframe_records",
        "{\"instances\": [[7, 1, \"ORD\"]]}                                          | 400 | -",
        "{\"inputs\": [{\"hour\": 7}]}                                               | 400 | inputs",
        "{\"inputs\": {\"hour\": 7, \"distance\": [1], \"origin\": [\"ORD\"]}}           | 400 | hour",
        "{\"inputs\": {\"hour\": [7, 8], \"distance\": [1], \"origin\": [\"ORD\"]}}      | 400 | distance",
        "{\"dataframe_split\": [[7, 1, \"ORD\"]]}                                    | 400 | dataframe_split",
        "{\"dataframe_split\": {\"data\": [[7, 1, \"ORD\"]]}}                          | 400 | columns",
        "{\"dataframe_split\": {\"columns\": [\"hour\", \"distance\", \"origin\"]}}       | 400 | data",
        "{\"dataframe_split\": {\"columns\": [\"hour\", 2], \"data\": []}}               | 400 | columns",
        "{\"dataframe_split\": {\"columns\": [\"hour\", \"hour\"], \"data\": []}}         | 400 | hour",
        "{\"dataframe_split\": {\"columns\": [], \"data\": [], \"dtypes\": {}}}           | 400 | dtypes",
        "{\"dataframe_split\": {\"columns\": [\"hour\", \"distance\", \"origin\"], \"data\": [{}]}} | 400 | -",
        "{\"dataframe_split\": {\"columns\": [\"hour\", \"distance\", \"origin\"], \"data\": [[7, {}, \"ORD\"]]}} | 400 | distance",
      })
  void refusesWithTheStatusAndField(String body, int status, String field) {
    RequestRefusedException e = refused(body.strip().isEmpty() ? body : body.strip());
    assertThat(e).as(body).isNotNull();
    assertThat(e.status()).as(e.getMessage()).isEqualTo(status);
    assertThat(e.field()).as(e.getMessage()).isEqualTo(field);
  }
}
