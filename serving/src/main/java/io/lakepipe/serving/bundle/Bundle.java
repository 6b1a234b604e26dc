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
 * A verified model bundle: the model file and its bundle.json, checked against each other by the
 * SHA-256 that bundle.json declares, so a damaged or half-written export is never served.
 *
 * <p>The bundle is the contract between the export job and this service: a folder, an S3 prefix or
 * an MLflow run's {@code pmml/} artifacts holding {@value #MANIFEST_FILE} and the model file its
 * {@code format} names: {@value #PMML_FILE} (format {@code pmml}, the default) or {@value
 * #ONNX_FILE} (format {@code onnx}).
 */
public final class Bundle {
  /** The PMML document's file name. */
  public static final String PMML_FILE = "model.pmml";

  /** The ONNX model's file name. */
  public static final String ONNX_FILE = "model.onnx";

  /** The metadata's file name. */
  public static final String MANIFEST_FILE = "bundle.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final BundleManifest manifest;
  private final byte[] model;
  private final String location;
  private final String revision;

  /** How a source reads one file of its bundle by name. */
  @FunctionalInterface
  public interface FileFetcher {
    /**
     * The file's bytes.
     *
     * @throws BundleException when the file is missing or cannot be read
     */
    byte[] fetch(String file);
  }

  private Bundle(BundleManifest manifest, byte[] model, String location, String revision) {
    this.manifest = manifest;
    this.model = model;
    this.location = location;
    this.revision = revision;
  }

  /**
   * Reads bundle.json, then the model file its format names, and verifies them as {@link #of} does.
   * bundle.json comes first: it names the model file, and an export that writes the model last is
   * then caught by the checksum, never served half-written.
   *
   * @param location where the files are read, for messages (a path, s3:// URI or registry alias)
   * @param revision the source's revision of the bundle (the registry's model version), or null
   * @throws BundleException when a file is missing, bundle.json is invalid or the checksum does not
   *     match
   */
  public static Bundle read(String location, String revision, FileFetcher files) {
    BundleManifest manifest = parseManifest(location, files.fetch(MANIFEST_FILE));
    return verified(location, revision, manifest, files.fetch(manifest.format().file()));
  }

  /**
   * Parses bundle.json, checks the model file against its checksum and returns the bundle.
   *
   * @param location where the files were read, for messages (a path, s3:// URI or registry alias)
   * @param revision the source's revision of the bundle (the registry's model version), or null
   * @param model the bytes of the model file bundle.json's format names (model.pmml or model.onnx)
   * @throws BundleException when bundle.json is invalid or the checksum does not match
   */
  public static Bundle of(String location, String revision, byte[] manifestJson, byte[] model) {
    return verified(location, revision, parseManifest(location, manifestJson), model);
  }

  private static Bundle verified(
      String location, String revision, BundleManifest manifest, byte[] model) {
    String actual = sha256(model);
    if (!actual.equals(manifest.modelSha256())) {
      throw ServingErrors.checksumMismatch(
          location, manifest.format().file(), actual, manifest.modelSha256());
    }
    return new Bundle(manifest, model.clone(), location, revision);
  }

  public BundleManifest manifest() {
    return manifest;
  }

  /** The bytes of the model file, model.pmml or model.onnx as the format says (a copy). */
  public byte[] model() {
    return model.clone();
  }

  /**
   * The PMML document's bytes (a copy).
   *
   * @throws IllegalStateException when the bundle's format is not PMML
   */
  public byte[] pmml() {
    if (manifest.format() != ModelFormat.PMML) {
      throw new IllegalStateException(
          "The bundle at " + location + " holds " + manifest.format().file() + ", not PMML");
    }
    return model.clone();
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
    return new Bundle(manifest, model, newLocation, newRevision);
  }

  /**
   * Lower-case hex SHA-256 of {@code bytes}, as bundle.json's pmml_sha256 or model_sha256 holds it.
   */
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
    ModelFormat format = parseFormat(location, root.get("format"));
    // The PMML scorer reads the probability from this output; an ONNX model's is named probability.
    String outputField =
        format == ModelFormat.PMML
            ? requiredText(location, root, "output_field")
            : optionalText(root, "output_field");
    String shaKey = format.checksumKey();
    String sha = requiredText(location, root, shaKey).toLowerCase(Locale.ROOT);
    if (!sha.matches("[0-9a-f]{64}")) {
      throw ServingErrors.manifestField(
          location, shaKey, "must be 64 hex digits (SHA-256 of " + format.file() + ")");
    }
    return new BundleManifest(
        modelName,
        version.asText(),
        optionalText(root, "run_id"),
        thresholdNode.asDouble(),
        format,
        outputField,
        parseInputs(location, root.get("inputs")),
        parseMetrics(location, root.get("metrics")),
        sha,
        optionalText(root, "created_at"));
  }

  private static ModelFormat parseFormat(String location, JsonNode format) {
    if (format == null || format.isNull()) {
      return ModelFormat.PMML;
    }
    String formats = "; the formats are pmml (the default when absent) and onnx";
    if (!format.isTextual()) {
      throw ServingErrors.manifestField(location, "format", "must be a string" + formats);
    }
    return ModelFormat.fromJson(format.asText())
        .orElseThrow(
            () ->
                ServingErrors.manifestField(
                    location, "format", "is '" + format.asText() + "'" + formats));
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
