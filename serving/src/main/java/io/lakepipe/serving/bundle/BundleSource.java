// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.bundle;

import io.lakepipe.serving.BundleException;
import java.util.Optional;

/**
 * Where the service reads its bundle: a folder, an S3 prefix, or the MLflow registry alias. Sources
 * only fetch and verify files; parsing the model is the scorer's job.
 */
public interface BundleSource {

  /**
   * The location, for logs and messages (a path, an s3:// URI, models:/name@alias at a tracking
   * URI).
   */
  String location();

  /**
   * Reads and verifies the bundle as it is now.
   *
   * @throws BundleException when the files are missing, unreadable, or do not match their checksum
   */
  Bundle load();

  /**
   * The revision {@link #load()} would read now, asked cheaply so that a watcher can poll it: the
   * model version an alias points to. Empty for sources that cannot tell (folders, S3), which are
   * reloaded on request instead.
   *
   * @throws BundleException when the source cannot be asked
   */
  default Optional<String> currentRevision() {
    return Optional.empty();
  }

  /** Whether {@link #currentRevision()} tells anything, so that polling it is worthwhile. */
  default boolean watchable() {
    return false;
  }
}
