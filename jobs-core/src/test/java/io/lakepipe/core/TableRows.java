// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core;

import org.apache.spark.sql.types.StructType;

/**
 * Rows of a table's published schema, built by column name: a fixture names only the columns its
 * test reads, the others stay null, and a name the schema no longer has fails the fixture, so a
 * writer's change breaks the tests of its readers.
 */
public final class TableRows {
  private TableRows() {}

  /**
   * The values of one row of {@code schema}, in its column order, for example {@code row(schema,
   * "origin", "LAS", "delay", 16)}.
   *
   * @param namesAndValues column names, each followed by its value (which may be null)
   */
  public static Object[] row(StructType schema, Object... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("Give each column name its value");
    }
    Object[] values = new Object[schema.size()];
    for (int i = 0; i < namesAndValues.length; i += 2) {
      // fieldIndex fails with the schema's column names when the name is not one of them.
      values[schema.fieldIndex((String) namesAndValues[i])] = namesAndValues[i + 1];
    }
    return values;
  }
}
