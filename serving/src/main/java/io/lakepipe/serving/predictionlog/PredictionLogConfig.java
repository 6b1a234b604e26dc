// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.predictionlog;

import java.nio.file.Path;
import java.util.Set;

/**
 * Where and how the scorer keeps what it answered.
 *
 * @param folder the local folder of one {@code ds=YYYY-MM-DD} folder per day, as a file source's
 *     landing area is laid out (lakepipe.sources.prediction-log-flights reads it)
 * @param idField the field of a scored record that identifies it (the flights' {@code flight_id}),
 *     logged as {@code record_id}; null when the record has none
 * @param dayField the field of a scored record that says its day (the flights' {@code ds}), logged
 *     as {@code record_day}; it also chooses the day folder of the line
 * @param queueRecords most records waiting for the writer; beyond, lines are dropped and counted
 */
public record PredictionLogConfig(Path folder, String idField, String dayField, int queueRecords) {
  public static final String DEFAULT_ID_FIELD = "flight_id";
  public static final String DEFAULT_DAY_FIELD = "ds";
  public static final int DEFAULT_QUEUE_RECORDS = 100_000;

  public PredictionLogConfig {
    if (idField.isBlank() || dayField.isBlank()) {
      throw new IllegalArgumentException("the prediction log's id and day fields may not be blank");
    }
    if (queueRecords < 1) {
      throw new IllegalArgumentException(
          "the prediction log's queue must hold at least 1 record, not " + queueRecords);
    }
  }

  /** A log into {@code folder} with the flights' fields and the default queue. */
  public static PredictionLogConfig of(Path folder) {
    return new PredictionLogConfig(
        folder, DEFAULT_ID_FIELD, DEFAULT_DAY_FIELD, DEFAULT_QUEUE_RECORDS);
  }

  /** The fields the request parsers keep beside the model's inputs. */
  public Set<String> keptFields() {
    return Set.of(idField, dayField);
  }
}
