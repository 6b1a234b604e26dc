// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features;

import io.lakepipe.core.TableRows;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.config.TestConfigs;
import io.lakepipe.ingest.files.LandedRecords;
import io.lakepipe.ingest.source.SourceDeclarations;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Schemas and row builders of the tables the feature job reads, as their writers write them: the
 * bronze tables as the ingest of the checkout's declared sources does, the daily stats as {@link
 * DailyStats} computes them. The rows name only the columns the tests need; the others stay null.
 */
final class FeatureTestRows {
  /**
   * The bronze schemas by source, derived once: each derivation reads the config and analyses the
   * source's parsing, and the tests build hundreds of rows on them.
   */
  private static final Map<String, StructType> BRONZE = new ConcurrentHashMap<>();

  private FeatureTestRows() {}

  private static LakepipeConfig declared() {
    return TestConfigs.flights(Map.of());
  }

  /** The bronze-flights table, written by ingest-files from the flights source. */
  static StructType bronzeFlights() {
    return BRONZE.computeIfAbsent(
        "flights",
        source ->
            LandedRecords.bronzeSchema(
                SparkSession.active(), SourceDeclarations.files(declared(), source)));
  }

  /** The bronze-airports table, written by ingest-jdbc from the airports source. */
  static StructType bronzeAirports() {
    return BRONZE.computeIfAbsent(
        "airports",
        source ->
            LandedRecords.bronzeSchema(
                SparkSession.active(), SourceDeclarations.jdbc(declared(), source)));
  }

  /** The daily stats table, as the flights view's daily sums give it. */
  static StructType dailyStats() {
    SparkSession spark = SparkSession.active();
    FeatureCatalog catalog = FeatureViewReader.read(declared(), "flights").catalog();
    return DailyStats.compute(spark.createDataFrame(List.of(), bronzeFlights()), catalog, Map.of())
        .schema();
  }

  static Object[] flight(String ts, int delay, int distance, String origin, String destination) {
    LocalDateTime time = LocalDateTime.parse(ts);
    return TableRows.row(
        bronzeFlights(),
        "flight_ts",
        time,
        "delay",
        delay,
        "distance",
        distance,
        "origin",
        origin,
        "destination",
        destination,
        "_run_id",
        "run",
        "ds",
        Date.valueOf(time.toLocalDate()));
  }

  static Object[] airport(String iata, String state, double latitude, String validFrom) {
    return TableRows.row(
        bronzeAirports(),
        "iata",
        iata,
        "state",
        state,
        "latitude",
        latitude,
        "longitude",
        -latitude,
        "updated_at",
        Timestamp.from(Instant.parse(validFrom)),
        "ds",
        Date.valueOf(LocalDate.parse(validFrom.substring(0, 10))));
  }

  static Object[] stats(
      String entity, String key, long flights, long delayed, long minutes, String ds) {
    return TableRows.row(
        dailyStats(),
        "entity",
        entity,
        "key",
        key,
        "flights",
        flights,
        "delayed_flights",
        delayed,
        "delay_minutes",
        minutes,
        "source_fingerprint",
        "source",
        "ds",
        Date.valueOf(ds));
  }
}
