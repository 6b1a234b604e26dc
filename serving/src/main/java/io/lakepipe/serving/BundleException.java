// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving;

/**
 * A model bundle that cannot be read, verified or loaded: missing files, a checksum that does not
 * match, a PMML document that disagrees with its bundle.json, or a source (folder, S3, MLflow) that
 * failed.
 */
public final class BundleException extends ServingException {
  private static final long serialVersionUID = 1L;

  BundleException(String message) {
    super(message);
  }

  BundleException(String message, Throwable cause) {
    super(message, cause);
  }
}
