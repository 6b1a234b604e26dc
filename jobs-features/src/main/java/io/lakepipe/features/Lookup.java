// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features;

import io.lakepipe.features.FeatureCatalog.LookupColumn;
import java.util.List;

/**
 * Another declared table joined to each entity row, once per role: the airports of a flight's
 * origin and destination. With {@code validFrom} the table keeps versions of each key and a row
 * takes the version valid at the entity's timestamp (an as-of join); without it, the key's only
 * row.
 *
 * @param table a key of {@code lakepipe.tables}, read whole (with or without ds)
 * @param key the table's column matched to the role's entity column; null for a table of one series
 *     (as of the entity's time only: each entity row takes the version valid then)
 * @param validFrom the column from which a version is valid, or null for an exact join
 * @param columns the table's columns that become features, once per role
 */
public record Lookup(
    String table, String key, String validFrom, List<Role> roles, List<LookupColumn> columns) {

  /**
   * One use of the lookup: the entity column holding the key, the prefix of its features and what
   * the looked-up row is to the entity (for the column comments).
   */
  public record Role(String on, String prefix, String description) {
    /** The feature column of one looked-up column in this role: {@code <prefix>_<column>}. */
    public String column(LookupColumn column) {
      return prefix + "_" + column.column();
    }
  }

  public Lookup {
    roles = List.copyOf(roles);
    columns = List.copyOf(columns);
  }

  public boolean asOf() {
    return validFrom != null;
  }

  /** Whether rows are matched on a key (and each role names its entity column). */
  public boolean keyed() {
    return key != null;
  }
}
