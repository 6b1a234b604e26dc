package io.lakepipe.core.spark;

import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Input checks shared by the transformations: fail on a missing column before Spark plans. */
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
}
