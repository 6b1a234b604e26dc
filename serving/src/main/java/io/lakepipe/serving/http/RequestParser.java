// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.lakepipe.serving.RequestRefusedException;
import io.lakepipe.serving.ServingErrors;
import io.lakepipe.serving.bundle.InputField;
import io.lakepipe.serving.bundle.InputType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns a request body into validated records, or refuses it with a 4xx {@link
 * RequestRefusedException} naming the field at fault. Pure: bytes and the model's declared inputs
 * in, records out.
 *
 * <p>The body is one record (a JSON object), an array of records, or {@code {"records": [...]}} (an
 * object whose only meaningful key is {@code records}, when no input is itself called so). Every
 * declared input must be present in every record; null means missing. Numbers must be JSON numbers
 * (whole ones for integer and long inputs), categories JSON strings; booleans, nested objects and
 * arrays are refused. Keys that are not inputs are ignored, as MLflow's scoring server ignores
 * extra columns, so that clients may send wider records (ids, timestamps) than the model reads.
 * Duplicate keys are refused, since which of the two values would be scored is not obvious.
 *
 * <p>{@link InvocationParser} reads MLflow's formats with the same passes and per-field checks, so
 * its package-private helpers are shared here.
 */
public final class RequestParser {
  // Records are flat objects: anything nested deeper than this is refused before it is walked.
  private static final int MAX_NESTING_DEPTH = 32;
  private static final ObjectMapper JSON =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
                  .build())
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  // Jackson names a repeated key only in its message.
  private static final Pattern DUPLICATE = Pattern.compile("^Duplicate field '(.*)'");

  private final List<InputField> inputs;
  private final int maxBatch;
  private final Set<String> inputNames;
  private final boolean recordsIsAnInput;
  private final Set<String> keptKeys;

  /**
   * @param inputs the model's declared inputs
   * @param maxBatch the most records one request may carry
   */
  public RequestParser(List<InputField> inputs, int maxBatch) {
    this(inputs, maxBatch, Set.of());
  }

  /**
   * @param inputs the model's declared inputs
   * @param maxBatch the most records one request may carry
   * @param keptKeys fields kept as text beside the inputs when a record has them ({@link
   *     ScoringRequest#keys()}), for the prediction log; never checked, never scored
   */
  public RequestParser(List<InputField> inputs, int maxBatch, Set<String> keptKeys) {
    this.inputs = List.copyOf(inputs);
    this.maxBatch = maxBatch;
    this.inputNames = inputs.stream().map(InputField::name).collect(Collectors.toUnmodifiableSet());
    this.recordsIsAnInput = inputNames.contains("records");
    this.keptKeys = Set.copyOf(keptKeys);
  }

  /**
   * Parses and validates a request body.
   *
   * @throws RequestRefusedException with status 400 or 413 and the field at fault
   */
  public ScoringRequest parse(byte[] body) {
    if (body.length == 0) {
      throw ServingErrors.emptyBody();
    }
    // Two streaming passes over the bytes, never a tree of the whole body: a body just under the
    // size
    // limit can hold hundreds of thousands of values, whose tree would take tens of MB per request.
    // The first checks the JSON and counts the batch, so that an oversized batch is refused before
    // any record is read; the second reads only the declared inputs of each record.
    Shape shape = read(body, this::scan);
    return switch (shape) {
      case SINGLE -> {
        List<Map<String, String>> keys = new ArrayList<>(1);
        Map<String, Object> record =
            read(
                body,
                parser -> {
                  parser.nextToken();
                  return record(parser, null, keys);
                });
        yield new ScoringRequest(false, List.of(record), keys);
      }
      case ARRAY, RECORDS -> {
        List<Map<String, String>> keys = new ArrayList<>();
        yield new ScoringRequest(
            true,
            read(
                body,
                parser -> {
                  parser.nextToken();
                  if (shape == Shape.RECORDS) {
                    // Past every key before "records" (all skipped by the scan) to the start of
                    // its array.
                    while (parser.nextToken() != JsonToken.FIELD_NAME
                        || !parser.currentName().equals("records")) {
                      parser.skipChildren();
                    }
                    parser.nextToken();
                  }
                  return batch(parser, keys);
                }),
            keys);
      }
    };
  }

  private enum Shape {
    SINGLE,
    ARRAY,
    RECORDS
  }

  /** One streaming pass over a body. */
  interface Pass<T> {
    T read(JsonParser parser) throws IOException;
  }

  /** Runs a pass over the body; a JSON fault becomes a 400 saying where. */
  static <T> T read(byte[] body, Pass<T> pass) {
    try (JsonParser parser = JSON.createParser(body)) {
      return pass.read(parser);
    } catch (JsonProcessingException e) {
      Matcher duplicate = DUPLICATE.matcher(e.getOriginalMessage());
      if (duplicate.find()) {
        throw ServingErrors.duplicateField(duplicate.group(1));
      }
      throw ServingErrors.malformedJson(describe(e));
    } catch (IOException e) {
      throw ServingErrors.malformedJson(e.getMessage());
    }
  }

  /**
   * The first pass: the whole body must be one valid JSON value; a batch may not exceed the limit.
   */
  private Shape scan(JsonParser parser) throws IOException {
    JsonToken root = parser.nextToken();
    if (root == null) {
      throw ServingErrors.emptyBody();
    }
    Shape shape;
    if (root == JsonToken.START_ARRAY) {
      shape = Shape.ARRAY;
      requireBatchSize(countElements(parser));
    } else if (root == JsonToken.START_OBJECT) {
      shape = Shape.SINGLE;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        JsonToken value = parser.nextToken();
        if (parser.currentName().equals("records") && !recordsIsAnInput) {
          if (value != JsonToken.START_ARRAY) {
            throw ServingErrors.recordsNotArray(kind(value));
          }
          shape = Shape.RECORDS;
          requireBatchSize(countElements(parser));
        } else {
          parser.skipChildren();
        }
      }
    } else {
      throw ServingErrors.notObjectOrArray(kind(root));
    }
    requireEnd(parser);
    return shape;
  }

  /** Refuses anything after the body's one JSON value. */
  static void requireEnd(JsonParser parser) throws IOException {
    JsonToken trailing = parser.nextToken();
    if (trailing != null) {
      throw ServingErrors.malformedJson(
          "Trailing token ("
              + trailing
              + ") after the JSON value at line "
              + parser.currentLocation().getLineNr()
              + ", column "
              + parser.currentLocation().getColumnNr());
    }
  }

  /** Counts the elements of the array the parser is at the start of, and leaves it at its end. */
  static int countElements(JsonParser parser) throws IOException {
    int count = 0;
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      parser.skipChildren();
      count++;
    }
    return count;
  }

  /** The most records one request may carry. */
  int maxBatch() {
    return maxBatch;
  }

  void requireBatchSize(int size) {
    if (size > maxBatch) {
      throw ServingErrors.batchTooLarge(size, maxBatch);
    }
  }

  /**
   * The records of the array the parser is at the start of; their kept key fields are added to
   * {@code keys}, one map per record.
   */
  List<Map<String, Object>> batch(JsonParser parser, List<Map<String, String>> keys)
      throws IOException {
    List<Map<String, Object>> records = new ArrayList<>();
    for (int i = 0; parser.nextToken() != JsonToken.END_ARRAY; i++) {
      records.add(record(parser, i, keys));
    }
    return records;
  }

  /**
   * The record whose first token the parser is at; keys that are neither input nor kept are skipped
   * unread. Its kept key fields are added to {@code keys}.
   */
  Map<String, Object> record(JsonParser parser, Integer index, List<Map<String, String>> keys)
      throws IOException {
    if (parser.currentToken() != JsonToken.START_OBJECT) {
      throw ServingErrors.recordNotObject(index, kind(parser.currentToken()));
    }
    Map<String, JsonNode> given = new HashMap<>(inputs.size() * 2);
    Map<String, String> kept = keptKeys.isEmpty() ? Map.of() : new HashMap<>(keptKeys.size() * 2);
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      parser.nextToken();
      if (isInput(name)) {
        JsonNode value = inputValue(parser);
        given.put(name, value);
        keep(name, value, kept);
      } else if (isKept(name)) {
        keep(name, inputValue(parser), kept);
      } else {
        parser.skipChildren();
      }
    }
    Map<String, Object> record = validated(given, index);
    keys.add(kept);
    return record;
  }

  /** Whether the field is a key field kept for the prediction log. */
  boolean isKept(String name) {
    return keptKeys.contains(name);
  }

  /**
   * Keeps a key field's value as text: a scalar as written (a number's text, a string's value), a
   * JSON null or a nested value as null.
   */
  void keep(String name, JsonNode value, Map<String, String> kept) {
    if (isKept(name)) {
      kept.put(name, value.isValueNode() && !value.isNull() ? value.asText() : null);
    }
  }

  /** Whether the model reads this field; other fields are skipped unread. */
  boolean isInput(String name) {
    return inputNames.contains(name);
  }

  /**
   * The value whose first token the parser is at, left at its last token: a scalar as a node, a
   * nested value as an empty one of its kind.
   */
  static JsonNode inputValue(JsonParser parser) throws IOException {
    JsonToken value = parser.currentToken();
    if (value.isScalarValue()) {
      return parser.readValueAsTree();
    }
    // Only the kind of a nested value matters: it is refused by validated(), so it is never built.
    parser.skipChildren();
    return value == JsonToken.START_OBJECT ? NODES.objectNode() : NODES.arrayNode();
  }

  /**
   * The record of the inputs given for one record (input name to its JSON value), each checked
   * against its declared type; an input not given is refused.
   */
  Map<String, Object> validated(Map<String, JsonNode> given, Integer index) {
    Map<String, Object> record = new HashMap<>(inputs.size() * 2);
    for (InputField input : inputs) {
      JsonNode value = given.get(input.name());
      if (value == null) {
        throw ServingErrors.missingField(input.name(), index);
      }
      record.put(input.name(), value(input, value, index));
    }
    return record;
  }

  private static Object value(InputField input, JsonNode node, Integer index) {
    if (node.isNull()) {
      return null;
    }
    String name = input.name();
    switch (input.type()) {
      case STRING:
        if (!node.isTextual()) {
          throw ServingErrors.wrongType(name, index, "a string (a category)", kind(node));
        }
        return node.textValue();
      case DOUBLE:
        if (!node.isNumber()) {
          throw ServingErrors.wrongType(name, index, "a number", kind(node));
        }
        double value = node.doubleValue();
        if (!Double.isFinite(value)) {
          throw ServingErrors.outOfRange(name, index, node.asText(), "double");
        }
        return value;
      case LONG:
      case INTEGER:
        if (!node.isNumber()) {
          throw ServingErrors.wrongType(name, index, "a whole number", kind(node));
        }
        return whole(input, node, index);
      default:
        throw new IllegalStateException("Unhandled input type " + input.type());
    }
  }

  private static Long whole(InputField input, JsonNode node, Integer index) {
    long value;
    if (node.isIntegralNumber()) {
      if (!node.canConvertToLong()) {
        throw ServingErrors.outOfRange(input.name(), index, node.asText(), input.type().jsonName());
      }
      value = node.longValue();
    } else {
      // 10.0 is a whole number that some JSON encoders (JavaScript's among them) cannot write as
      // 10.
      double d = node.doubleValue();
      if (!Double.isFinite(d) || d != Math.rint(d)) {
        throw ServingErrors.notIntegral(input.name(), index, node.asText());
      }
      if (d < Long.MIN_VALUE || d > Long.MAX_VALUE) {
        throw ServingErrors.outOfRange(input.name(), index, node.asText(), input.type().jsonName());
      }
      value = (long) d;
    }
    if (input.type() == InputType.INTEGER
        && (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE)) {
      throw ServingErrors.outOfRange(input.name(), index, node.asText(), "integer");
    }
    return value;
  }

  private static String kind(JsonNode node) {
    return node.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  /** The kind of value a token starts, named as {@link #kind(JsonNode)} names nodes. */
  static String kind(JsonToken token) {
    return switch (token) {
      case START_OBJECT -> "object";
      case START_ARRAY -> "array";
      case VALUE_STRING -> "string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
      case VALUE_TRUE, VALUE_FALSE -> "boolean";
      case VALUE_NULL -> "null";
      default -> token.name().toLowerCase(Locale.ROOT);
    };
  }

  private static String describe(JsonProcessingException e) {
    JsonLocation where = e.getLocation();
    String message = e.getOriginalMessage();
    int newline = message.indexOf('\n');
    if (newline >= 0) {
      message = message.substring(0, newline);
    }
    return where == null
        ? message
        : message + " at line " + where.getLineNr() + ", column " + where.getColumnNr();
  }
}
