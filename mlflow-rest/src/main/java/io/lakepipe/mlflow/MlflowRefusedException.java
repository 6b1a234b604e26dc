// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * The tracking server answered with an HTTP error. MLflow's error body, {@code {"error_code":
 * "RESOURCE_DOES_NOT_EXIST", "message": "..."}}, is read into {@link #errorCode()} when it is
 * there.
 */
public final class MlflowRefusedException extends MlflowException {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final int status;
  private final String body;
  private final String errorCode;

  public MlflowRefusedException(String call, int status, String body) {
    super(call, "HTTP " + status + " " + body, null);
    this.status = status;
    this.body = body;
    this.errorCode = errorCodeOf(body);
  }

  public int status() {
    return status;
  }

  /** The answer's body as sent (MLflow's error JSON, or a proxy's page). */
  public String body() {
    return body;
  }

  /** MLflow's {@code error_code}, or "" when the body holds none. */
  public String errorCode() {
    return errorCode;
  }

  /** A missing model, version, alias, run or experiment, as MLflow reports one. */
  public boolean notFound() {
    return status == 404 || errorCode.equals("RESOURCE_DOES_NOT_EXIST");
  }

  public boolean alreadyExists() {
    return errorCode.equals("RESOURCE_ALREADY_EXISTS");
  }

  private static String errorCodeOf(String body) {
    try {
      JsonNode error = JSON.readTree(body);
      return error == null ? "" : error.path("error_code").asText("");
    } catch (IOException notJson) {
      return "";
    }
  }
}
