// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.lakepipe.serving.InvocationErrors;
import io.lakepipe.serving.bundle.InputField;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a body of MLflow's {@code /invocations} into validated records, or refuses it with a 4xx
 * naming the fault. The body is a JSON object with exactly one of:
 *
 * <ul>
 *   <li>{@code "dataframe_split": {"columns": [...], "data": [[...], ...]}} (pandas' split
 *       orientation; an {@code "index"} is ignored);
 *   <li>{@code "dataframe_records": [{...}, ...]} or {@code "instances": [{...}, ...]} (records);
 *   <li>{@code "inputs": {"column": [...], ...}} (columnar).
 * </ul>
 *
 * <p>{@code "params"} is ignored, as MLflow ignores it for a model without parameters; any other
 * key is refused (MLflow drops it silently, which hides a misspelt format). Every value goes
 * through {@link RequestParser}'s checks, so the records are those /predict would score, with the
 * same limits and the same two streaming passes: the first checks the shape and counts the rows, so
 * an oversized batch or a row of the wrong length is refused before any record is read.
 */
public final class InvocationParser {
  private static final String SPLIT = "dataframe_split";
  private static final String INPUTS = "inputs";
  private static final Set<String> RECORD_FORMATS = Set.of("dataframe_records", "instances");
  private static final Set<String> FORMATS =
      Set.of(SPLIT, INPUTS, "dataframe_records", "instances");

  private final List<InputField> inputs;
  private final RequestParser fields;

  /**
   * @param inputs the model's declared inputs
   * @param maxBatch the most rows one request may carry
   */
  public InvocationParser(List<InputField> inputs, int maxBatch) {
    this(inputs, maxBatch, Set.of());
  }

  /**
   * @param inputs the model's declared inputs
   * @param maxBatch the most rows one request may carry
   * @param keptKeys columns kept as text beside the inputs, for the prediction log ({@link
   *     ScoringRequest#keys()})
   */
  public InvocationParser(List<InputField> inputs, int maxBatch, Set<String> keptKeys) {
    this.inputs = List.copyOf(inputs);
    this.fields = new RequestParser(inputs, maxBatch, keptKeys);
  }

  /**
   * Parses and validates a request body; the records come in the rows' order.
   *
   * @throws io.lakepipe.serving.RequestRefusedException with status 400 or 413
   */
  public ScoringRequest parse(byte[] body) {
    if (body.length == 0) {
      throw InvocationErrors.emptyBody();
    }
    Shape shape = RequestParser.read(body, this::scan);
    List<Map<String, String>> keys = new ArrayList<>();
    List<Map<String, Object>> records =
        RequestParser.read(
            body,
            parser -> {
              parser.nextToken();
              // Past every key before the format's (all checked by the scan) to its value.
              while (parser.nextToken() != JsonToken.FIELD_NAME
                  || !parser.currentName().equals(shape.format())) {
                parser.skipChildren();
              }
              parser.nextToken();
              return switch (shape.format()) {
                case SPLIT -> splitRows(parser, shape.columns(), keys);
                case INPUTS -> columns(parser, shape.rows(), keys);
                default -> fields.batch(parser, keys);
              };
            });
    return new ScoringRequest(true, records, keys);
  }

  /** What the first pass learns: the format, and for dataframe_split its columns. */
  private record Shape(String format, List<String> columns, int rows) {}

  private Shape scan(JsonParser parser) throws IOException {
    JsonToken root = parser.nextToken();
    if (root == null) {
      throw InvocationErrors.emptyBody();
    }
    if (root != JsonToken.START_OBJECT) {
      throw InvocationErrors.notAnObject(RequestParser.kind(root));
    }
    Shape shape = null;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String key = parser.currentName();
      JsonToken value = parser.nextToken();
      if (key.equals("params")) {
        parser.skipChildren();
        continue;
      }
      if (!FORMATS.contains(key)) {
        throw InvocationErrors.unknownKey(key);
      }
      if (shape != null) {
        throw InvocationErrors.twoFormats(shape.format(), key);
      }
      if (RECORD_FORMATS.contains(key)) {
        require(key, value, JsonToken.START_ARRAY, "an array of records");
        int rows = RequestParser.countElements(parser);
        fields.requireBatchSize(rows);
        shape = new Shape(key, List.of(), rows);
      } else if (key.equals(SPLIT)) {
        require(key, value, JsonToken.START_OBJECT, "an object of columns and data");
        shape = scanSplit(parser);
      } else {
        require(key, value, JsonToken.START_OBJECT, "an object of columns (name to values)");
        shape = new Shape(key, List.of(), scanColumns(parser));
      }
    }
    RequestParser.requireEnd(parser);
    if (shape == null) {
      throw InvocationErrors.noFormat();
    }
    return shape;
  }

  private static void require(String key, JsonToken value, JsonToken start, String expected) {
    if (value != start) {
      throw InvocationErrors.wrongKind(key, expected, RequestParser.kind(value));
    }
  }

  /** Checks dataframe_split's object, which the parser is at the start of. */
  private Shape scanSplit(JsonParser parser) throws IOException {
    List<String> columns = null;
    // Each row's length, kept only while the batch is within the limit, since a larger one is
    // refused anyway (the columns may come after the data).
    List<Integer> rowLengths = null;
    int rows = 0;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String key = parser.currentName();
      JsonToken value = parser.nextToken();
      switch (key) {
        case "columns" -> {
          require("columns", value, JsonToken.START_ARRAY, "an array of column names");
          columns = columnNames(parser);
        }
        case "data" -> {
          require("data", value, JsonToken.START_ARRAY, "an array of rows");
          rowLengths = new ArrayList<>();
          for (rows = 0; parser.nextToken() != JsonToken.END_ARRAY; rows++) {
            if (parser.currentToken() != JsonToken.START_ARRAY) {
              throw InvocationErrors.rowNotArray(rows, RequestParser.kind(parser.currentToken()));
            }
            int length = RequestParser.countElements(parser);
            if (rowLengths.size() < fields.maxBatch()) {
              rowLengths.add(length);
            }
          }
        }
        case "index" -> parser.skipChildren();
        default -> throw InvocationErrors.unknownSplitKey(key);
      }
    }
    if (columns == null) {
      throw InvocationErrors.splitLacks("columns");
    }
    if (rowLengths == null) {
      throw InvocationErrors.splitLacks("data");
    }
    fields.requireBatchSize(rows);
    for (int row = 0; row < rows; row++) {
      if (rowLengths.get(row) != columns.size()) {
        throw InvocationErrors.rowLength(row, rowLengths.get(row), columns.size());
      }
    }
    requireEveryInput(columns, SPLIT + "'s columns");
    return new Shape(SPLIT, columns, rows);
  }

  private static List<String> columnNames(JsonParser parser) throws IOException {
    Set<String> columns = new LinkedHashSet<>();
    for (int i = 0; parser.nextToken() != JsonToken.END_ARRAY; i++) {
      if (parser.currentToken() != JsonToken.VALUE_STRING) {
        throw InvocationErrors.columnNameNotString(i, RequestParser.kind(parser.currentToken()));
      }
      if (!columns.add(parser.getText())) {
        throw InvocationErrors.duplicateColumn(parser.getText());
      }
    }
    return List.copyOf(columns);
  }

  /** Checks the object of columns of inputs and gives its number of rows. */
  private int scanColumns(JsonParser parser) throws IOException {
    List<String> columns = new ArrayList<>();
    int rows = -1;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String column = parser.currentName();
      require(column, parser.nextToken(), JsonToken.START_ARRAY, "an array of values");
      int values = RequestParser.countElements(parser);
      fields.requireBatchSize(values);
      if (rows >= 0 && values != rows) {
        throw InvocationErrors.columnLength(column, values, rows);
      }
      rows = values;
      columns.add(column);
    }
    requireEveryInput(columns, INPUTS);
    return Math.max(rows, 0);
  }

  private void requireEveryInput(List<String> columns, String where) {
    for (InputField input : inputs) {
      if (!columns.contains(input.name())) {
        throw InvocationErrors.missingColumn(input.name(), where);
      }
    }
  }

  /** The records of dataframe_split's object, which the parser is at the start of. */
  private List<Map<String, Object>> splitRows(
      JsonParser parser, List<String> columns, List<Map<String, String>> keys) throws IOException {
    List<Map<String, Object>> records = new ArrayList<>();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      boolean data = parser.currentName().equals("data");
      parser.nextToken();
      if (!data) {
        parser.skipChildren();
        continue;
      }
      for (int row = 0; parser.nextToken() != JsonToken.END_ARRAY; row++) {
        Map<String, JsonNode> given = new HashMap<>(inputs.size() * 2);
        Map<String, String> kept = new HashMap<>();
        for (String column : columns) {
          parser.nextToken();
          if (fields.isInput(column)) {
            JsonNode value = RequestParser.inputValue(parser);
            given.put(column, value);
            fields.keep(column, value, kept);
          } else if (fields.isKept(column)) {
            fields.keep(column, RequestParser.inputValue(parser), kept);
          } else {
            parser.skipChildren();
          }
        }
        parser.nextToken(); // the row's end, as the scan checked its length
        records.add(fields.validated(given, row));
        keys.add(kept);
      }
    }
    return records;
  }

  /** The records of the object of columns of inputs, which the parser is at the start of. */
  private List<Map<String, Object>> columns(
      JsonParser parser, int rows, List<Map<String, String>> keys) throws IOException {
    Map<String, List<JsonNode>> values = new HashMap<>(inputs.size() * 2);
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String column = parser.currentName();
      parser.nextToken();
      if (!fields.isInput(column) && !fields.isKept(column)) {
        parser.skipChildren();
        continue;
      }
      List<JsonNode> columnValues = new ArrayList<>(rows);
      while (parser.nextToken() != JsonToken.END_ARRAY) {
        columnValues.add(RequestParser.inputValue(parser));
      }
      values.put(column, columnValues);
    }
    List<Map<String, Object>> records = new ArrayList<>(rows);
    for (int row = 0; row < rows; row++) {
      Map<String, JsonNode> given = new HashMap<>(inputs.size() * 2);
      Map<String, String> kept = new HashMap<>();
      for (Map.Entry<String, List<JsonNode>> column : values.entrySet()) {
        JsonNode value = column.getValue().get(row);
        if (fields.isInput(column.getKey())) {
          given.put(column.getKey(), value);
        }
        fields.keep(column.getKey(), value, kept);
      }
      records.add(fields.validated(given, row));
      keys.add(kept);
    }
    return records;
  }
}
