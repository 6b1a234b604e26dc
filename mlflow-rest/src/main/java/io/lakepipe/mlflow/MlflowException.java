// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.mlflow;

/**
 * A failed MLflow call. Its subclasses tell the two cases a caller treats apart: the server did not
 * answer ({@link MlflowUnreachableException}) or refused ({@link MlflowRefusedException}); this
 * class itself covers answers that cannot be used, such as a body that is not JSON.
 */
public class MlflowException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String call;
  private final String detail;

  public MlflowException(String call, String detail, Throwable cause) {
    super("MLflow call " + call + " failed: " + detail, cause);
    this.call = call;
    this.detail = detail;
  }

  /** What was asked, such as {@code model-versions/get} or {@code download 1/abc/model.pmml}. */
  public String call() {
    return call;
  }

  /** What went wrong, without the call. */
  public String detail() {
    return detail;
  }
}
