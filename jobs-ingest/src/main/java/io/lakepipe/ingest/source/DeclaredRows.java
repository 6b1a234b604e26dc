// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.source;

import java.util.List;
import org.apache.spark.sql.types.StructType;

/**
 * What a source declares about its rows, whatever brings them (files, a database): the columns and
 * their types, the expectations, the logical date, the key and the bronze columns. The checks of a
 * read and the shape of bronze follow from it alone.
 */
public interface DeclaredRows {
  StructType schema();

  List<Expectation> expectations();

  /** How a row's logical date is derived and checked; null for no check. */
  LogicalDate ds();

  /** Columns that identify a row, empty for none. */
  List<String> key();

  /** The key whose repeats within one read are quarantined but for the first: {@link #key()}. */
  default List<String> repeatKey() {
    return key();
  }

  /** The bronze table's columns, before the lineage columns. */
  List<DerivedColumn> bronzeColumns();

  /** The key under which the source is declared, for messages: {@code lakepipe.sources.flights}. */
  String declaredAt();
}
