// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving;

import io.lakepipe.serving.bundle.Bundle;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The ONNX test models under src/test/resources/onnx, written by make_onnx_fixture.py beside them,
 * and bundles made of them.
 *
 * <p>lr.onnx is a logistic regression over hour (float, missing replaced by 13.5 inside the graph),
 * distance (float, no replacement: a missing distance gives NaN) and origin (string: ORD, ATL, DFW;
 * anything else, missing included, adds 0). Its logit is {@code -1.2 + 0.05 hour + 0.0005 distance
 * + origin}, with origin ORD 0.4, ATL -0.3, DFW 0.1: the PMML test model lr-v1's, except for the
 * missing values. The other files break the bundle contract one way each.
 */
public final class OnnxTestBundles {
  /** The logistic regression. */
  public static final String LR = "lr.onnx";

  /** Its output is named score, not probability. */
  public static final String NO_PROBABILITY = "lr-no-probability.onnx";

  /** hour is tensor(double). */
  public static final String HOUR_DOUBLE = "lr-hour-double.onnx";

  /** hour has the shape [N], not [N, 1]. */
  public static final String HOUR_RANK1 = "lr-hour-rank1.onnx";

  /** No lakepipe.categories.origin in its metadata. */
  public static final String NO_CATEGORIES = "lr-no-categories.onnx";

  private OnnxTestBundles() {}

  /** P(delayed) as lr.onnx computes it, by hand in double precision. */
  public static double expected(Double hour, Double distance, String origin) {
    double h = hour == null ? 13.5 : hour;
    double o =
        origin == null
            ? 0
            : switch (origin) {
              case "ORD" -> 0.4;
              case "ATL" -> -0.3;
              case "DFW" -> 0.1;
              default -> 0;
            };
    return 1 / (1 + Math.exp(-(-1.2 + 0.05 * h + 0.0005 * distance + o)));
  }

  /** The bytes of a test model. */
  public static byte[] model(String file) {
    try (InputStream in = OnnxTestBundles.class.getResourceAsStream("/onnx/" + file)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The bundle.json an ONNX export writes for {@code model}, with version {@code version}. */
  public static String manifest(String version, byte[] model) {
    return "{\"model_name\": \""
        + TestBundles.MODEL_NAME
        + "\", \"model_version\": \""
        + version
        + "\", \"run_id\": \"run-"
        + version
        + "\", \"threshold\": 0.5, \"format\": \"onnx\","
        + " \"inputs\": [{\"name\": \"hour\", \"type\": \"integer\"}, {\"name\": \"distance\", \"type\": \"double\"},"
        + " {\"name\": \"origin\", \"type\": \"string\"}],"
        + " \"metrics\": {\"test_roc_auc\": 0.71}, \"model_sha256\": \""
        + Bundle.sha256(model)
        + "\", \"created_at\": \"2026-12-01T09:00:00Z\"}";
  }

  /** Writes test model {@code file} as a bundle of version {@code version} into {@code dir}. */
  public static Path write(Path dir, String file, String version) {
    byte[] model = model(file);
    return writeFiles(dir, model, manifest(version, model));
  }

  /** Writes {@code model} and {@code manifest} as a bundle into {@code dir}. */
  public static Path writeFiles(Path dir, byte[] model, String manifest) {
    try {
      Files.createDirectories(dir);
      Files.write(dir.resolve(Bundle.ONNX_FILE), model);
      Files.writeString(dir.resolve(Bundle.MANIFEST_FILE), manifest);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
