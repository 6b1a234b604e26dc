// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.mlflow;

/**
 * The tracking server did not answer: refused connection, timeout, or the calling thread was
 * interrupted while waiting (then the interrupt flag is set again and {@link #interrupted()}
 * tells).
 */
public final class MlflowUnreachableException extends MlflowException {
  private static final long serialVersionUID = 1L;

  private final String uri;

  public MlflowUnreachableException(String call, String uri, Throwable cause) {
    super(call, uri + " did not answer (" + cause + ")", cause);
    this.uri = uri;
  }

  /** The server's address, without credentials. */
  public String uri() {
    return uri;
  }

  public boolean interrupted() {
    return getCause() instanceof InterruptedException;
  }
}
