// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.job;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The git commit the job jars were built from, recorded by the build (git-commit-id-maven-plugin)
 * so that a model or table can be traced to its code. "unknown" when built outside a git checkout.
 */
public final class BuildInfo {
  static final String RESOURCE = "/io/lakepipe/core/build.properties";

  private BuildInfo() {}

  /** The commit id, with "-dirty" appended when the working tree had uncommitted changes. */
  public static String gitCommit() {
    Properties properties = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return "unknown";
      }
      properties.load(in);
    } catch (IOException e) {
      return "unknown";
    }
    String commit = properties.getProperty("git.commit.id", "unknown");
    return Boolean.parseBoolean(properties.getProperty("git.dirty")) ? commit + "-dirty" : commit;
  }
}
