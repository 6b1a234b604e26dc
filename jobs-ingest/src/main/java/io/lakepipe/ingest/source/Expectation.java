// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.source;

/**
 * A named condition every row of a source should meet, declared in {@code
 * lakepipe.sources.<name>.expectations}.
 *
 * @param name what a row that breaks it is told: its quarantine reason, so it says what is wrong
 * @param sql a boolean Spark SQL expression over the row's declared columns; the row breaks the
 *     expectation where it is false (null, from a nullable column, is no breach)
 * @param action what a breach does
 * @param at where the sql was declared
 */
public record Expectation(String name, String sql, Action action, Declared at) {

  /** What a row that breaks an expectation does to the run. */
  public enum Action {
    /** The row goes to quarantine with the expectation's name as its reason; the run goes on. */
    QUARANTINE,
    /**
     * The row goes to quarantine too, and the run fails after writing quarantine, before bronze.
     */
    FAIL
  }
}
