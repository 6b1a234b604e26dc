// SPDX-License-Identifier: AGPL-3.0-only
package io.lakepipe.export.pmml;

import java.util.Map;

/**
 * Where bundles are deployed for scorers to load: {@code <location>/<model>/<version>/} holds the
 * bundle's files, and {@code <location>/<model>/current/} the same files of the version exported
 * last, so that a scorer given that folder (such as the serving module's folder or S3 source)
 * always finds the deployed version. The version's folder is complete before {@code current} moves.
 */
public interface BundleDeployment {
  /** The folder holding the deployed version's bundle, beside the versions' folders. */
  String CURRENT = "current";

  /**
   * Writes the files of a model version, replacing any earlier copy of that version, then makes it
   * {@code current}; returns where the version's folder is.
   */
  String publish(String model, String version, Map<String, byte[]> files);

  /**
   * The deployment of {@code location}: {@code s3://bucket/prefix} (or s3a://), else a local
   * folder.
   */
  static BundleDeployment of(String location, org.apache.hadoop.conf.Configuration hadoop) {
    if (location.startsWith("s3://") || location.startsWith("s3a://")) {
      return new ObjectStoreDeployment(location.replaceFirst("^s3://", "s3a://"), hadoop);
    }
    return new LocalDeployment(
        java.nio.file.Path.of(location.replaceFirst("^file:", "")).toAbsolutePath());
  }
}
