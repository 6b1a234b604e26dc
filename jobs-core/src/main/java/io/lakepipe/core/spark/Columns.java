// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.spark;

import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Column helpers shared by the transformations: fail on a missing column before Spark plans, and
 * name a column whatever characters its name holds.
 */
public final class Columns {
  private Columns() {}

  /** Throws naming every column of {@code required} that {@code rows} lacks. */
  public static void require(Dataset<Row> rows, String what, List<String> required) {
    Set<String> present = Set.of(rows.columns());
    List<String> missing = required.stream().filter(c -> !present.contains(c)).toList();
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(what + " lacks columns " + missing);
    }
  }

  /** The column named {@code name} as written: a dot or a backtick in it is part of the name. */
  public static Column named(String name) {
    return functions.col(quoted(name));
  }

  /** {@code name} quoted for Spark SQL with backticks. */
  public static String quoted(String name) {
    return "`" + name.replace("`", "``") + "`";
  }
}
