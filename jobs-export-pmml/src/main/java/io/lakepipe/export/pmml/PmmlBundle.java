// SPDX-License-Identifier: AGPL-3.0-only
package io.lakepipe.export.pmml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model version ready for Spark-free scoring: the model file in its {@link ModelFormat}, PMML or
 * ONNX, and its {@link BundleMetadata}. As files, a bundle is a folder holding {@value #PMML_FILE}
 * (or {@value #ONNX_FILE}) and {@value #METADATA_FILE}. Named, as the job and its artifact folder
 * {@value #ARTIFACT_PATH}, for the format it had first.
 */
public record PmmlBundle(byte[] model, BundleMetadata metadata) {
  /** The PMML document of a PMML bundle. */
  public static final String PMML_FILE = "model.pmml";

  /** The ONNX file of an ONNX bundle. */
  public static final String ONNX_FILE = "model.onnx";

  /** The metadata, {@link BundleMetadata#toJson()}. */
  public static final String METADATA_FILE = "bundle.json";

  /** The artifact folder of the version's MLflow run that holds the bundle, of either format. */
  public static final String ARTIFACT_PATH = "pmml";

  /**
   * The PMML document.
   *
   * @throws IllegalStateException when the bundle is not PMML
   */
  public byte[] pmml() {
    if (metadata.format() != ModelFormat.PMML) {
      throw new IllegalStateException(
          "The bundle holds " + metadata.format().file() + ", not PMML");
    }
    return model;
  }

  /**
   * The bundle's files by name; the model first, so that a copy in order ends with the metadata.
   */
  public Map<String, byte[]> files() {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(metadata.format().file(), model);
    files.put(METADATA_FILE, metadata.toJson());
    return files;
  }

  /** Writes the bundle's files into {@code dir}, replacing files of the same names. */
  public Path writeTo(Path dir) {
    try {
      Files.createDirectories(dir);
      for (Map.Entry<String, byte[]> file : files().entrySet()) {
        Files.write(dir.resolve(file.getKey()), file.getValue());
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the bundle into " + dir, e);
    }
  }
}
