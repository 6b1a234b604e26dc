// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.table;

import java.util.Map;

/**
 * What a table declares besides its rows: a comment per column (shown by {@code DESCRIBE TABLE} and
 * in catalogs) and table properties such as {@code delta.enableChangeDataFeed}. Properties are set
 * when the table is created, so that a Change Data Feed covers the table from its first version.
 */
public record TableLayout(Map<String, String> comments, Map<String, String> properties) {
  /** The table property that turns on Delta's Change Data Feed. */
  public static final String CHANGE_DATA_FEED = "delta.enableChangeDataFeed";

  public TableLayout {
    comments = Map.copyOf(comments);
    properties = Map.copyOf(properties);
  }

  /** Column comments, with the Change Data Feed on. */
  public static TableLayout withChangeDataFeed(Map<String, String> comments) {
    return new TableLayout(comments, Map.of(CHANGE_DATA_FEED, "true"));
  }
}
