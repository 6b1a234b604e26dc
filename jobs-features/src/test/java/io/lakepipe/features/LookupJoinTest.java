// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakepipe.core.SparkTestBase;
import io.lakepipe.features.FeatureCatalog.LookupColumn;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Lookups of the shapes a reference has: a snapshot delivered with every ds, and one series. */
class LookupJoinTest extends SparkTestBase {
  // Only the columns the join reads, of entities of another shape than flights.
  private static final StructType STRIKES =
      new StructType()
          .add("strike_id", DataTypes.StringType)
          .add("state", DataTypes.StringType)
          .add("strike_ts", DataTypes.TimestampType);

  private static Dataset<Row> strikes() {
    return rows(
        STRIKES,
        new Object[] {"a", "Texas", Timestamp.valueOf("2000-03-01 00:00:00")},
        new Object[] {"b", "Ohio", Timestamp.valueOf("2000-09-01 00:00:00")},
        new Object[] {"c", "DC", Timestamp.valueOf("2000-09-01 00:00:00")});
  }

  @Test
  void anExactLookupOfASnapshotPerDsTakesTheLatestDeliveryUpToDsOnce() {
    StructType states =
        new StructType()
            .add("state", DataTypes.StringType)
            .add("population", DataTypes.LongType)
            .add("ds", DataTypes.DateType);
    Dataset<Row> deliveries =
        rows(
            states,
            new Object[] {"Texas", 1L, Date.valueOf("1999-01-01")},
            new Object[] {"Ohio", 2L, Date.valueOf("1999-01-01")},
            new Object[] {"Texas", 10L, Date.valueOf("2000-01-01")},
            new Object[] {"Ohio", 20L, Date.valueOf("2000-01-01")},
            new Object[] {"Texas", 100L, Date.valueOf("2001-01-01")});
    Lookup lookup =
        new Lookup(
            "bronze-state-facts",
            "state",
            null,
            List.of(new Lookup.Role("state", "state", "the strike's state")),
            List.of(new LookupColumn("population", FeatureType.NUMERIC, "Population")));

    Dataset<Row> known = LookupJoin.knownAt(deliveries, lookup, LocalDate.parse("2000-01-01"));
    Map<String, Object> joined =
        byId(LookupJoin.attach(strikes(), known, lookup, "strike_ts"), "state_population");

    // The 2000 delivery, not 1999's (older) nor 2001's (not known yet); DC is in none.
    assertThat(joined)
        .hasSize(3)
        .containsEntry("a", 10L)
        .containsEntry("b", 20L)
        .containsEntry("c", null);
  }

  @Test
  void anAsOfLookupWithoutKeyTakesTheSeriesValuePublishedLastBeforeEachRow() {
    StructType series =
        new StructType()
            .add("published_at", DataTypes.TimestampType)
            .add("anomaly_c", DataTypes.DoubleType);
    Dataset<Row> temperatures =
        rows(
            series,
            new Object[] {Timestamp.valueOf("1999-01-01 00:00:00"), 0.4},
            new Object[] {Timestamp.valueOf("2000-06-01 00:00:00"), 0.6},
            new Object[] {Timestamp.valueOf("2001-01-01 00:00:00"), 0.5});
    Lookup lookup =
        new Lookup(
            "bronze-global-temperature",
            null,
            "published_at",
            List.of(new Lookup.Role(null, "global", "the latest published year")),
            List.of(new LookupColumn("anomaly_c", FeatureType.NUMERIC, "Anomaly")));

    Map<String, Object> joined =
        byId(
            LookupJoin.attach(
                strikes(),
                LookupJoin.knownAt(temperatures, lookup, LocalDate.parse("2000-01-01")),
                lookup,
                "strike_ts"),
            "global_anomaly_c");

    assertThat(joined).containsExactlyInAnyOrderEntriesOf(Map.of("a", 0.4, "b", 0.6, "c", 0.6));
  }

  private static Map<String, Object> byId(Dataset<Row> rows, String column) {
    Map<String, Object> values = new TreeMap<>();
    for (Row row : rows.collectAsList()) {
      values.put(row.getAs("strike_id"), row.getAs(column));
    }
    return values;
  }
}
