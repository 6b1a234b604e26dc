// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.source;

import java.util.List;
import java.util.Set;
import org.apache.spark.sql.types.StructType;

/**
 * A source of {@code kind = files}, as declared in {@code lakepipe.sources.<name>} and validated by
 * {@link SourceDeclarations}: files landed in {@code <location>/ds=<ds>/}, parsed against a
 * declared schema, checked, and written to a bronze table with the bad rows in a quarantine table.
 *
 * @param format csv, json or parquet
 * @param header CSV only: whether each file starts with a header line
 * @param delimiter CSV only: the field delimiter
 * @param maxLineChars longer CSV or JSON lines are quarantined unparsed (Parquet has no lines)
 * @param required the declared columns a row must have; the others may be empty (null)
 * @param timeZone the zone of the source's timestamps that carry no offset, in which they are read
 *     and their date taken: the run's Spark session time zone
 * @param ds how a row's logical date is derived and checked; null for no check
 * @param key columns that identify a row; a repeat of a key is quarantined, empty for no check
 * @param bronzeColumns the bronze table's columns, before the lineage columns
 * @param bronzeTable a key of {@code lakepipe.tables}
 * @param quarantineTable a key of {@code lakepipe.tables}
 * @param emptyDays whether a day without files is a day without records (a scorer that answered
 *     nothing) rather than a delivery still missing
 */
public record FileSource(
    String name,
    Declared at,
    String location,
    FileFormat format,
    boolean header,
    String delimiter,
    int maxLineChars,
    StructType schema,
    Set<String> required,
    String timeZone,
    LogicalDate ds,
    List<String> key,
    List<Expectation> expectations,
    double maxBadShare,
    String bronzeTable,
    List<DerivedColumn> bronzeColumns,
    String quarantineTable,
    boolean emptyDays)
    implements DeclaredRows {

  @Override
  public String declaredAt() {
    return at.key();
  }
}
