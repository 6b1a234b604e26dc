// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving;

/**
 * A failure of the scoring service that its user can act on. The message says what failed, why, and
 * what to do next; instances come only from {@link ServingErrors}.
 */
public class ServingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ServingException(String message) {
    super(message);
  }

  ServingException(String message, Throwable cause) {
    super(message, cause);
  }
}
