package io.lakepipe.ingest.files;

import io.lakepipe.core.LakepipeErrors;
import java.util.Arrays;
import java.util.Locale;

/** The formats of landed files. CSV and JSON are read line by line so that each bad line is kept. */
public enum FileFormat {
  CSV,
  JSON,
  PARQUET;

  /** Parses a config value such as {@code csv}. */
  public static FileFormat of(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw LakepipeErrors.configValueInvalid("sources.landing-flights.format", name,
          Arrays.toString(values()).toLowerCase(Locale.ROOT));
    }
  }

  /** True for formats whose records are text lines. */
  public boolean lineBased() {
    return this != PARQUET;
  }

  /** File name suffix of the format, as Spark writes it. */
  public String suffix() {
    return "." + name().toLowerCase(Locale.ROOT);
  }
}
