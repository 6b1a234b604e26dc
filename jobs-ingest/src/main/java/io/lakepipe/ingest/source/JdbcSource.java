// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.source;

import java.util.List;
import java.util.Set;
import org.apache.spark.sql.types.StructType;

/**
 * A source of {@code kind = jdbc}, as declared in {@code lakepipe.sources.<name>} and validated by
 * {@link SourceDeclarations}: the rows of a database table changed since the last run (by their
 * watermark column), typed to a declared schema, checked, and added to a bronze table that keeps
 * every version, with the bad rows in a quarantine table. The connection keys of the same section
 * (url, table, credentials, parallel reads) are read by the job's {@code JdbcTableSource}.
 *
 * @param required the declared columns a row must have (not null, not blank)
 * @param watermark the TIMESTAMP column of the schema from which a row's values are valid
 * @param key columns that identify a version of a row, the watermark among them: bronze inserts
 *     only keys it does not hold, and a repeat of a key in one read is quarantined
 * @param bronzeTable a key of {@code lakepipe.tables}
 * @param quarantineTable a key of {@code lakepipe.tables}
 */
public record JdbcSource(
    String name,
    Declared at,
    StructType schema,
    Set<String> required,
    String watermark,
    List<String> key,
    List<Expectation> expectations,
    double maxBadShare,
    String bronzeTable,
    List<DerivedColumn> bronzeColumns,
    String quarantineTable)
    implements DeclaredRows {

  /** A database table has no landing folder whose date a row could contradict. */
  @Override
  public LogicalDate ds() {
    return null;
  }

  @Override
  public String declaredAt() {
    return at.key();
  }

  /** The config section of the source, relative to {@code lakepipe}: {@code sources.<name>}. */
  public String section() {
    return SourceDeclarations.SOURCES + "." + name;
  }
}
