// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Schemas and row builders of the tables the feature job reads, as ingest writes them. */
final class FeatureTestRows {
  static final StructType BRONZE =
      new StructType()
          .add("flight_ts", DataTypes.TimestampNTZType)
          .add("delay", DataTypes.IntegerType)
          .add("distance", DataTypes.IntegerType)
          .add("origin", DataTypes.StringType)
          .add("destination", DataTypes.StringType)
          .add("_run_id", DataTypes.StringType)
          .add("ds", DataTypes.DateType);

  static final StructType AIRPORTS =
      new StructType()
          .add("iata", DataTypes.StringType)
          .add("state", DataTypes.StringType)
          .add("latitude", DataTypes.DoubleType)
          .add("longitude", DataTypes.DoubleType)
          .add("updated_at", DataTypes.TimestampType)
          .add("ds", DataTypes.DateType);

  static final StructType STATS =
      new StructType()
          .add("entity", DataTypes.StringType)
          .add("key", DataTypes.StringType)
          .add("flights", DataTypes.LongType)
          .add("delayed_flights", DataTypes.LongType)
          .add("delay_minutes", DataTypes.LongType)
          .add("source_fingerprint", DataTypes.StringType)
          .add("ds", DataTypes.DateType);

  private FeatureTestRows() {}

  static Object[] flight(String ts, int delay, int distance, String origin, String destination) {
    LocalDateTime time = LocalDateTime.parse(ts);
    return new Object[] {
      time, delay, distance, origin, destination, "run", Date.valueOf(time.toLocalDate())
    };
  }

  static Object[] airport(String iata, String state, double latitude, String validFrom) {
    return new Object[] {
      iata,
      state,
      latitude,
      -latitude,
      Timestamp.from(Instant.parse(validFrom)),
      Date.valueOf(LocalDate.parse(validFrom.substring(0, 10)))
    };
  }

  static Object[] stats(
      String entity, String key, long flights, long delayed, long minutes, String ds) {
    return new Object[] {entity, key, flights, delayed, minutes, "source", Date.valueOf(ds)};
  }
}
