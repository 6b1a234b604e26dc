package io.lakepipe.serving.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a request body into validated records, or refuses it with a 4xx {@link RequestRefusedException}
 * naming the field at fault. Pure: bytes and the model's declared inputs in, records out.
 *
 * <p>The body is one record (a JSON object), an array of records, or {@code {"records": [...]}} (an
 * object whose only meaningful key is {@code records}, when no input is itself called so). Every declared
 * input must be present in every record; null means missing. Numbers must be JSON numbers (whole ones
 * for integer and long inputs), categories JSON strings; booleans, nested objects and arrays are
 * refused. Keys that are not inputs are ignored, as MLflow's scoring server ignores extra columns, so
 * that clients may send wider records (ids, timestamps) than the model reads. Duplicate keys are
 * refused, since which of the two values would be scored is not obvious.
 */
public final class RequestParser {
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  // Jackson names a repeated key only in its message.
  private static final Pattern DUPLICATE = Pattern.compile("^Duplicate field '(.*)'");

  private final List<InputField> inputs;
  private final int maxBatch;
  private final boolean recordsIsAnInput;

  /**
   * @param inputs the model's declared inputs
   * @param maxBatch the most records one request may carry
   */
  public RequestParser(List<InputField> inputs, int maxBatch) {
    this.inputs = List.copyOf(inputs);
    this.maxBatch = maxBatch;
    this.recordsIsAnInput = inputs.stream().anyMatch(input -> input.name().equals("records"));
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
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      Matcher duplicate = DUPLICATE.matcher(e.getOriginalMessage());
      if (duplicate.find()) {
        throw ServingErrors.duplicateField(duplicate.group(1));
      }
      throw ServingErrors.malformedJson(describe(e));
    } catch (IOException e) {
      throw ServingErrors.malformedJson(e.getMessage());
    }
    if (root == null || root.isMissingNode()) {
      throw ServingErrors.emptyBody();
    }
    if (root.isObject() && root.has("records") && !recordsIsAnInput) {
      JsonNode records = root.get("records");
      if (!records.isArray()) {
        throw ServingErrors.recordsNotArray(kind(records));
      }
      return new ScoringRequest(true, batch(records));
    }
    if (root.isArray()) {
      return new ScoringRequest(true, batch(root));
    }
    if (root.isObject()) {
      return new ScoringRequest(false, List.of(record(root, null)));
    }
    throw ServingErrors.notObjectOrArray(kind(root));
  }

  private List<Map<String, Object>> batch(JsonNode array) {
    if (array.size() > maxBatch) {
      throw ServingErrors.batchTooLarge(array.size(), maxBatch);
    }
    List<Map<String, Object>> records = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      JsonNode element = array.get(i);
      if (!element.isObject()) {
        throw ServingErrors.recordNotObject(i, kind(element));
      }
      records.add(record(element, i));
    }
    return records;
  }

  private Map<String, Object> record(JsonNode object, Integer index) {
    Map<String, Object> record = new HashMap<>(inputs.size() * 2);
    for (InputField input : inputs) {
      JsonNode value = object.get(input.name());
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
      // 10.0 is a whole number that some JSON encoders (JavaScript's among them) cannot write as 10.
      double d = node.doubleValue();
      if (!Double.isFinite(d) || d != Math.rint(d)) {
        throw ServingErrors.notIntegral(input.name(), index, node.asText());
      }
      if (d < Long.MIN_VALUE || d > Long.MAX_VALUE) {
        throw ServingErrors.outOfRange(input.name(), index, node.asText(), input.type().jsonName());
      }
      value = (long) d;
    }
    if (input.type() == InputType.INTEGER && (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE)) {
      throw ServingErrors.outOfRange(input.name(), index, node.asText(), "integer");
    }
    return value;
  }

  private static String kind(JsonNode node) {
    return node.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  private static String describe(JsonProcessingException e) {
    JsonLocation where = e.getLocation();
    String message = e.getOriginalMessage();
    int newline = message.indexOf('\n');
    if (newline >= 0) {
      message = message.substring(0, newline);
    }
    return where == null ? message
        : message + " at line " + where.getLineNr() + ", column " + where.getColumnNr();
  }
}
