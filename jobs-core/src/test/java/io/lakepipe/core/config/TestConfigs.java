// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * Configs for tests: the flights data product as the checkout declares it ({@code
 * config/pipelines/flights.conf}), over jobs-core's defaults, with a test's own values.
 */
public final class TestConfigs {
  private TestConfigs() {}

  /** The checkout the tests run in (Maven runs each module's tests in the module's folder). */
  public static Path lakepipeHome() {
    return Path.of(System.getProperty("lakepipe.home", "..")).toAbsolutePath().normalize();
  }

  /** {@code config/pipelines/flights.conf} of the checkout. */
  public static Path flightsFile() {
    return lakepipeHome().resolve("config/pipelines/flights.conf");
  }

  /** The flights declarations with {@code overrides} (full keys) over them. */
  public static LakepipeConfig flights(Map<String, ?> overrides) {
    return LakepipeConfig.load(flightsFile(), overrides);
  }

  /** A test's own config file over the flights declarations (its line numbers as written). */
  public static LakepipeConfig flights(Path file) {
    return LakepipeConfig.load(file, flightsFile());
  }

  /**
   * A line that includes the flights declarations, first in a config file a job's own JVM reads.
   */
  public static String includeFlights() {
    return "include file(\"" + flightsFile() + "\")";
  }
}
