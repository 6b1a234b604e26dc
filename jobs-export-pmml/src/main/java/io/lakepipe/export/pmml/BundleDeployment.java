package io.lakepipe.export.pmml;

import java.util.Map;

/**
 * Where bundles are deployed for scorers to load: {@code <location>/<model>/<version>/} holds the
 * bundle's files, and {@code <location>/<model>/current} one line, the version a scorer should
 * serve. The version's folder is complete before {@code current} names it.
 */
public interface BundleDeployment {
  /** The file naming the deployed version, beside the versions' folders. */
  String CURRENT = "current";

  /**
   * Writes the files of a model version, replacing any earlier copy of that version, then points
   * {@code current} at it; returns where the version's folder is.
   */
  String publish(String model, String version, Map<String, byte[]> files);

  /** The deployment of {@code location}: {@code s3://bucket/prefix} (or s3a://), else a local folder. */
  static BundleDeployment of(String location, org.apache.hadoop.conf.Configuration hadoop) {
    if (location.startsWith("s3://") || location.startsWith("s3a://")) {
      return new ObjectStoreDeployment(location.replaceFirst("^s3://", "s3a://"), hadoop);
    }
    return new LocalDeployment(java.nio.file.Path.of(location.replaceFirst("^file:", ""))
        .toAbsolutePath());
  }
}
