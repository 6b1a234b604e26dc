// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.source;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The formats of landed files. CSV and JSON are read line by line so that each bad line is kept.
 */
public enum FileFormat {
  CSV,
  JSON,
  PARQUET;

  /** The format a config value such as {@code csv} names, if any. */
  public static Optional<FileFormat> of(String name) {
    return Arrays.stream(values()).filter(f -> f.configName().equals(name.trim())).findFirst();
  }

  /** The formats as a config lists them: {@code csv, json, parquet}. */
  public static String names() {
    return Arrays.stream(values()).map(FileFormat::configName).collect(Collectors.joining(", "));
  }

  /** The name in a config, which is also Spark's name of the format. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
