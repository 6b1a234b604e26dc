// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.cli;

import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.config.LakepipeConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * {@code ./lakepipe validate}: loads a config file as every job does and reads each declaration a
 * job module knows, without starting Spark, so that a mistake is found before a DAG runs rather
 * than by the task that reads it. Prints one line per declaration, {@code ok} or {@code FAIL} with
 * the one-line error naming its key, file and fix, and exits 1 when any failed. Columns are checked
 * by the jobs themselves, once they have read the tables.
 */
public final class Validation {
  /** One declaration and how to read it: throws a {@link LakepipeException} when it is invalid. */
  public record Declaration(String key, Runnable read) {}

  private Validation() {}

  /**
   * Validates the config of {@code --config <file>} and the declarations {@code declarations} finds
   * in it; returns the exit code.
   */
  public static int run(
      String[] args,
      List<Function<LakepipeConfig, List<Declaration>>> declarations,
      PrintStream out) {
    if (args.length != 2 || !args[0].equals("--config")) {
      out.println("usage: --config <file>");
      return LakepipeException.EXIT_USAGE;
    }
    LakepipeConfig config;
    try {
      config = LakepipeConfig.load(Path.of(args[1]));
    } catch (LakepipeException e) {
      out.println("FAIL " + args[1] + ": " + e.getMessage());
      return LakepipeException.EXIT_FAILED;
    }
    int failed = 0;
    for (Function<LakepipeConfig, List<Declaration>> found : declarations) {
      for (Declaration declaration : found.apply(config)) {
        try {
          declaration.read().run();
          out.println("ok   " + declaration.key());
        } catch (LakepipeException e) {
          out.println("FAIL " + declaration.key() + ": " + e.getMessage());
          failed++;
        }
      }
    }
    return failed == 0 ? 0 : LakepipeException.EXIT_FAILED;
  }
}
