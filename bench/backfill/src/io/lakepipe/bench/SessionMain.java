// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.bench;

import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.spark.SparkSessions;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The floor of a lakepipe job: its config loaded and its Spark session (Delta enabled) started and
 * stopped, with one trivial action, and nothing read or written.
 */
public final class SessionMain {
  private SessionMain() {}

  public static void main(String[] args) {
    LakepipeConfig config = LakepipeConfig.load(Path.of(args[0]));
    try (SparkSession spark = SparkSessions.create("lakepipe-bench-session", config)) {
      spark.range(1).count();
    }
  }
}
