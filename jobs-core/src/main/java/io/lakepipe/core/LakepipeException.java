// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core;

/**
 * The one exception type a lakepipe job shows its user. Its message is a single line that says what
 * failed, why, and what to do next; {@link LakepipeErrors} is the only place that creates one.
 */
public final class LakepipeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Exit code for a failure of the input or the environment (bad arguments, missing data,
   * services).
   */
  public static final int EXIT_FAILED = 1;

  /** Exit code for command-line usage errors, as picocli and most Unix tools use it. */
  public static final int EXIT_USAGE = 2;

  private final int exitCode;

  LakepipeException(String message, int exitCode, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
