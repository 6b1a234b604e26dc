// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.tracking;

/**
 * A registered model version as the MLflow registry reports it.
 *
 * @param createdMillis when the registry created the version (epoch milliseconds), 0 if unknown
 */
public record ModelVersion(
    String name, String version, String source, String runId, long createdMillis) {

  /** A version whose creation time is not known (tests, or a version built by hand). */
  public ModelVersion(String name, String version, String source, String runId) {
    this(name, version, source, runId, 0L);
  }
}
