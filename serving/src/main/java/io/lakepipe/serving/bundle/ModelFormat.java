// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.bundle;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The format of a bundle's model, as bundle.json's {@code format} names it: the file the bundle
 * holds beside bundle.json and the bundle.json key of that file's SHA-256.
 */
public enum ModelFormat {
  /** PMML, scored by PMML4S; the default, so bundles written before the field keep loading. */
  PMML("pmml", Bundle.PMML_FILE, "pmml_sha256"),
  /** ONNX, scored by ONNX Runtime. */
  ONNX("onnx", Bundle.ONNX_FILE, "model_sha256");

  private final String jsonName;
  private final String file;
  private final String checksumKey;

  ModelFormat(String jsonName, String file, String checksumKey) {
    this.jsonName = jsonName;
    this.file = file;
    this.checksumKey = checksumKey;
  }

  /** The name bundle.json uses. */
  public String jsonName() {
    return jsonName;
  }

  /** The model's file name in the bundle. */
  public String file() {
    return file;
  }

  /** The bundle.json key holding the lower-case hex SHA-256 of {@link #file()}. */
  public String checksumKey() {
    return checksumKey;
  }

  /** The format bundle.json calls {@code name}, if any. */
  public static Optional<ModelFormat> fromJson(String name) {
    String wanted = name.toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(f -> f.jsonName.equals(wanted)).findFirst();
  }
}
