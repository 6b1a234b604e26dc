// SPDX-License-Identifier: AGPL-3.0-only
package io.lakepipe.export.pmml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model version ready for Spark-free scoring: the pipeline as PMML and its {@link
 * BundleMetadata}. As files, a bundle is a folder holding {@value #PMML_FILE} and {@value
 * #METADATA_FILE}.
 */
public record PmmlBundle(byte[] pmml, BundleMetadata metadata) {
  /** The PMML document. */
  public static final String PMML_FILE = "model.pmml";

  /** The metadata, {@link BundleMetadata#toJson()}. */
  public static final String METADATA_FILE = "bundle.json";

  /** The artifact folder of the version's MLflow run that holds the bundle. */
  public static final String ARTIFACT_PATH = "pmml";

  /** The bundle's files by name; the PMML first, so that a copy in order ends with the metadata. */
  public Map<String, byte[]> files() {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(PMML_FILE, pmml);
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
