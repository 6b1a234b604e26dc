// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakepipe.serving.BundleException;
import io.lakepipe.serving.ServingErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A verified model bundle: the PMML document and its bundle.json, checked against each other by the
 * SHA-256 that bundle.json declares, so a damaged or half-written export is never served.
 *
 * <p>The bundle is the contract between the export job and this service: a folder, an S3 prefix or
 * an MLflow run's {@code pmml/} artifacts holding {@value #PMML_FILE} and {@value #MANIFEST_FILE}.
 */
public final class Bundle {
  /** The PMML document's file name. */
  public static final String PMML_FILE = "model.pmml";

  /** The metadata's file name. */
  public static final String MANIFEST_FILE = "bundle.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final BundleManifest manifest;
  private final byte[] pmml;
  private final String location;
  private final String revision;

  private Bundle(BundleManifest manifest, byte[] pmml, String location, String revision) {
    this.manifest = manifest;
    this.pmml = pmml;
    this.location = location;
    this.revision = revision;
  }

  /**
   * Parses bundle.json, checks model.pmml against its checksum and returns the bundle.
   *
   * @param location where the files were read, for messages (a path, s3:// URI or registry alias)
   * @param revision the source's revision of the bundle (the registry's model version), or null
   * @throws BundleException when bundle.json is invalid or the checksum does not match
   */
  public static Bundle of(String location, String revision, byte[] manifestJson, byte[] pmml) {
    BundleManifest manifest = parseManifest(location, manifestJson);
    String actual = sha256(pmml);
    if (!actual.equals(manifest.pmmlSha256())) {
      throw ServingErrors.checksumMismatch(location, actual, manifest.pmmlSha256());
    }
    return new Bundle(manifest, pmml.clone(), location, revision);
  }

  public BundleManifest manifest() {
    return manifest;
  }

  /** The PMML document's bytes (a copy). */
  public byte[] pmml() {
    return pmml.clone();
  }

  /** Where the bundle was read from. */
  public String location() {
    return location;
  }

  /**
   * The revision of the source this bundle was read at (the registry's model version), if known.
   */
  public Optional<String> revision() {
    return Optional.ofNullable(revision);
  }

  /** The same verified bundle, described as read from another location and revision. */
  Bundle withOrigin(String newLocation, String newRevision) {
    return new Bundle(manifest, pmml, newLocation, newRevision);
  }

  /** Lower-case hex SHA-256 of {@code bytes}, as bundle.json's pmml_sha256 holds it. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every Java runtime has SHA-256", e);
    }
  }

  static BundleManifest parseManifest(String location, byte[] manifestJson) {
    JsonNode root;
    try {
      root = JSON.readTree(new String(manifestJson, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw ServingErrors.manifestNotJson(location, e);
    }
    if (root == null || !root.isObject()) {
      throw ServingErrors.manifestField(location, "(top level)", "must be a JSON object");
    }
    String modelName = requiredText(location, root, "model_name");
    // MLflow versions are numbers in its UI and strings in its API; accept both, keep a string.
    JsonNode version = root.get("model_version");
    if (version == null
        || !(version.isTextual() || version.isIntegralNumber())
        || version.asText().isBlank()) {
      throw ServingErrors.manifestField(
          location, "model_version", "must be a non-empty string or integer");
    }
    JsonNode thresholdNode = root.get("threshold");
    if (thresholdNode == null
        || !thresholdNode.isNumber()
        || thresholdNode.asDouble() < 0
        || thresholdNode.asDouble() > 1) {
      throw ServingErrors.manifestField(location, "threshold", "must be a number in [0, 1]");
    }
    String outputField = requiredText(location, root, "output_field");
    String sha = requiredText(location, root, "pmml_sha256").toLowerCase(Locale.ROOT);
    if (!sha.matches("[0-9a-f]{64}")) {
      throw ServingErrors.manifestField(location, "pmml_sha256", "must be 64 hex digits (SHA-256)");
    }
    return new BundleManifest(
        modelName,
        version.asText(),
        optionalText(root, "run_id"),
        thresholdNode.asDouble(),
        outputField,
        parseInputs(location, root.get("inputs")),
        parseMetrics(location, root.get("metrics")),
        sha,
        optionalText(root, "created_at"));
  }

  private static List<InputField> parseInputs(String location, JsonNode inputs) {
    if (inputs == null || !inputs.isArray() || inputs.isEmpty()) {
      throw ServingErrors.manifestField(
          location, "inputs", "must be a non-empty array of {name, type}");
    }
    List<InputField> fields = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    for (JsonNode input : inputs) {
      JsonNode name = input.get("name");
      JsonNode type = input.get("type");
      if (name == null
          || !name.isTextual()
          || name.asText().isBlank()
          || type == null
          || !type.isTextual()) {
        throw ServingErrors.manifestField(
            location, "inputs", "has an entry without a string name and type: " + input);
      }
      InputType inputType =
          InputType.fromJson(type.asText())
              .orElseThrow(
                  () ->
                      ServingErrors.manifestField(
                          location,
                          "inputs",
                          "gives '"
                              + name.asText()
                              + "' the type '"
                              + type.asText()
                              + "'; the types are double, long, integer and string"));
      if (!names.add(name.asText())) {
        throw ServingErrors.manifestField(
            location, "inputs", "declares '" + name.asText() + "' twice");
      }
      fields.add(new InputField(name.asText(), inputType));
    }
    return fields;
  }

  private static Map<String, Double> parseMetrics(String location, JsonNode metrics) {
    Map<String, Double> result = new LinkedHashMap<>();
    if (metrics == null || metrics.isNull()) {
      return result;
    }
    if (!metrics.isObject()) {
      throw ServingErrors.manifestField(location, "metrics", "must be an object of name to number");
    }
    for (Map.Entry<String, JsonNode> metric : metrics.properties()) {
      // Only numbers are metrics; anything else the exporter adds later is left out, not refused.
      if (metric.getValue().isNumber()) {
        result.put(metric.getKey(), metric.getValue().asDouble());
      }
    }
    return result;
  }

  private static String requiredText(String location, JsonNode root, String key) {
    JsonNode node = root.get(key);
    if (node == null || !node.isTextual() || node.asText().isBlank()) {
      throw ServingErrors.manifestField(location, key, "must be a non-empty string");
    }
    return node.asText();
  }

  private static String optionalText(JsonNode root, String key) {
    JsonNode node = root.get(key);
    return node == null || node.isNull() ? null : node.asText();
  }
}
