// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.cli;

import io.lakepipe.core.LakepipeException;
import picocli.CommandLine;

/**
 * The main of a lakepipe command that is not a job (it writes no audit row), such as {@code
 * ./lakepipe land}: picocli parses and runs it, and a failure is one line on stderr and the exit
 * code of its {@link LakepipeException} (1 for anything else).
 */
public final class Commands {
  private Commands() {}

  /** Runs {@code command} (a picocli {@code Callable<Integer>}) on {@code args} and exits. */
  public static void exit(String name, Object command, String[] args) {
    CommandLine cli = new CommandLine(command);
    cli.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          System.err.println("lakepipe " + name + " failed: " + e.getMessage());
          return e instanceof LakepipeException le ? le.exitCode() : 1;
        });
    System.exit(cli.execute(args));
  }
}
