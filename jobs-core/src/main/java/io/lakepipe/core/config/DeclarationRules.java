// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.config;

import io.lakepipe.core.LakepipeException;
import java.util.Set;

/**
 * The rules every reader of a declaration (a check, a source) applies to a section of it, each
 * failing with the reader's own one-line error naming the full key, the file and line that declared
 * it, and the fix.
 *
 * @param error the reader's error for a key at fault: full key, origin, problem, fix
 */
public record DeclarationRules(Error error) {
  /** A declaration's error, such as {@code LakepipeErrors::checkDeclarationInvalid}. */
  @FunctionalInterface
  public interface Error {
    LakepipeException of(String key, String origin, String problem, String fix);
  }

  /** Refuses a key of {@code section} that is not one of {@code allowed}. */
  public void requireKnownKeys(LakepipeConfig section, Set<String> allowed, String fix) {
    for (String key : section.keys()) {
      if (!allowed.contains(key)) {
        throw invalid(
            section, key, "unknown key '" + key + "'", "Remove it or correct its spelling. " + fix);
      }
    }
  }

  public void requirePresent(LakepipeConfig section, String key, String fix) {
    if (!section.has(key)) {
      throw invalid(section, key, "the key is missing", fix);
    }
  }

  public void require(
      boolean holds, LakepipeConfig section, String key, String problem, String fix) {
    if (!holds) {
      throw invalid(section, key, problem, fix);
    }
  }

  /** The error for {@code key} of {@code section}. */
  public LakepipeException invalid(LakepipeConfig section, String key, String problem, String fix) {
    return error.of(section.path(key), section.originOf(key), problem, fix);
  }
}
