// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.source;

import java.util.List;
import java.util.Set;
import org.apache.spark.sql.types.StructType;

/**
 * A source of {@code kind = kafka}, as declared in {@code lakepipe.sources.<name>} and validated by
 * {@link SourceDeclarations}: the JSON records of a topic, read with Structured Streaming from a
 * checkpoint, parsed against a declared schema, checked, and merged into a bronze table partitioned
 * by each record's own date, with the bad records in a quarantine table.
 *
 * @param checkpoint the stream's offsets already written; deleted only with the two tables
 * @param required the declared fields a record must have (not null, not blank)
 * @param eventDate the record's own date: the bronze partition it goes to, whatever the run's ds
 * @param key fields that identify a record across the whole bronze table: a record sent again, in
 *     the same batch or any later one, is written once
 * @param bronzeTable a key of {@code lakepipe.tables}
 * @param quarantineTable a key of {@code lakepipe.tables}
 */
public record KafkaSource(
    String name,
    Declared at,
    String bootstrapServers,
    String topic,
    int partitions,
    String startingOffsets,
    long maxOffsetsPerTrigger,
    boolean failOnDataLoss,
    Trigger trigger,
    String triggerInterval,
    String checkpoint,
    StructType schema,
    Set<String> required,
    LogicalDate eventDate,
    List<String> key,
    List<Expectation> expectations,
    double maxBadShare,
    String bronzeTable,
    List<DerivedColumn> bronzeColumns,
    String quarantineTable)
    implements DeclaredRows {

  /** How a run reads the topic. */
  public enum Trigger {
    /** Everything the topic holds when the run starts, in micro-batches, then stop. */
    AVAILABLE_NOW,
    /** A micro-batch every trigger interval until the process is stopped. */
    CONTINUOUS
  }

  /** A record's date is its own bronze partition, never checked against the run's ds. */
  @Override
  public LogicalDate ds() {
    return null;
  }

  /**
   * No repeat of the key is quarantined: a record sent twice is the producer's retry, which the
   * insert-only merge into bronze writes once.
   */
  @Override
  public List<String> repeatKey() {
    return List.of();
  }

  @Override
  public String declaredAt() {
    return at.key();
  }

  /** The key of the allowed bad share, under {@code lakepipe.}: what an error tells to raise. */
  public String maxBadShareKey() {
    return SourceDeclarations.SOURCES + "." + name + ".max-bad-share";
  }

  /** The source as the audit table names it. */
  public String location() {
    return "kafka://" + bootstrapServers + "/" + topic;
  }
}
