// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving;

import io.lakepipe.serving.bundle.Bundle;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * The hand-written test bundles under src/test/resources/bundles, and bundles derived from them.
 *
 * <p>lr-v1 and lr-v2 are one logistic regression, shaped as JPMML-SparkML writes it, over hour
 * (integer, missing replaced by 13.5, which PMML4S casts to 13), distance (double, missing replaced
 * by 800) and origin (string: ORD, ATL, DFW; unknown categories replaced by __unknown). Their logit
 * is {@code intercept + 0.05 hour + 0.0005 distance + origin}, with origin ORD 0.4, ATL -0.3, DFW
 * 0.1, any other 0, and intercept -1.2 (v1) or -0.2 (v2).
 */
public final class TestBundles {
  public static final String MODEL_NAME = "lakepipe_flights_delay";

  private TestBundles() {}

  /** P(delayed) as the test model computes it, by hand. */
  public static double expected(int version, Integer hour, Double distance, String origin) {
    double intercept = version == 1 ? -1.2 : -0.2;
    int h = hour == null ? 13 : hour;
    double d = distance == null ? 800.0 : distance;
    double o =
        origin == null
            ? 0
            : switch (origin) {
              case "ORD" -> 0.4;
              case "ATL" -> -0.3;
              case "DFW" -> 0.1;
              default -> 0;
            };
    return 1 / (1 + Math.exp(-(intercept + 0.05 * h + 0.0005 * d + o)));
  }

  /** The PMML text of a test bundle (lr-v1 or lr-v2). */
  public static String pmml(String name) {
    try (InputStream in =
        TestBundles.class.getResourceAsStream("/bundles/" + name + "/model.pmml")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The bundle.json a well-behaved export writes for {@code pmml}, with version {@code version}.
   */
  public static String manifest(String version, String pmml) {
    return manifest(version, pmml, "probability(1)", "0.5");
  }

  public static String manifest(String version, String pmml, String outputField, String threshold) {
    return "{\"model_name\": \""
        + MODEL_NAME
        + "\", \"model_version\": \""
        + version
        + "\","
        + " \"run_id\": \"run-"
        + version
        + "\", \"threshold\": "
        + threshold
        + ","
        + " \"output_field\": \""
        + outputField
        + "\","
        + " \"inputs\": [{\"name\": \"hour\", \"type\": \"integer\"}, {\"name\": \"distance\", \"type\": \"double\"},"
        + " {\"name\": \"origin\", \"type\": \"string\"}],"
        + " \"metrics\": {\"test_roc_auc\": 0.71}, \"pmml_sha256\": \""
        + Bundle.sha256(pmml.getBytes(StandardCharsets.UTF_8))
        + "\", \"created_at\": \"2026-11-30T09:00:00Z\"}";
  }

  /**
   * Writes test bundle {@code name} (lr-v1 or lr-v2) into {@code dir} as version {@code version}.
   */
  public static Path write(Path dir, String name, String version) {
    return writeFiles(dir, pmml(name), manifest(version, pmml(name)));
  }

  /** Writes test bundle {@code name}, its PMML edited by {@code edit}, into {@code dir}. */
  public static Path write(Path dir, String name, String version, UnaryOperator<String> edit) {
    String pmml = edit.apply(pmml(name));
    return writeFiles(dir, pmml, manifest(version, pmml));
  }

  /** Writes {@code pmml} and {@code manifest} as a bundle into {@code dir}. */
  public static Path writeFiles(Path dir, String pmml, String manifest) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(Bundle.PMML_FILE), pmml);
      Files.writeString(dir.resolve(Bundle.MANIFEST_FILE), manifest);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
