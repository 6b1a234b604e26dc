// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.mlflow;

/** The states of an MLflow run, named as the REST API writes them. */
public enum RunStatus {
  RUNNING,
  SCHEDULED,
  FINISHED,
  FAILED,
  KILLED
}
