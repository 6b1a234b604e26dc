// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.predictionlog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * One line of the prediction log: what the scorer answered for one record, as a JSON object on one
 * line. Pure; the fields are the columns of lakepipe.sources.prediction-log-flights:
 *
 * <pre>
 * {"prediction_id": "...", "answered_at": "2026-12-05T09:30:00.123Z", "endpoint": "predict",
 *  "model_name": "...", "model_version": "3", "probability": 0.81, "threshold": 0.5,
 *  "delayed": true, "record_id": "9f0c...", "record_day": "2001-01-15"}
 * </pre>
 *
 * @param predictionId unique per line, so that a file delivered twice is ingested once
 * @param answeredAt when the answer was made (milliseconds, UTC)
 * @param endpoint {@code predict} or {@code invocations}
 * @param delayed the decision at {@code threshold} (/invocations answers only the probability, but
 *     the decision is the same)
 * @param recordId the record's id field as sent (null when it had none)
 * @param recordDay the record's day field as sent, unchecked (the ingest quarantines one that is no
 *     date)
 */
public record PredictionLine(
    String predictionId,
    Instant answeredAt,
    String endpoint,
    String modelName,
    String modelVersion,
    double probability,
    double threshold,
    boolean delayed,
    String recordId,
    String recordDay) {

  private static final JsonFactory JSON = new JsonFactory();

  /** The line, without its line break. */
  public String json() {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("prediction_id", predictionId);
      json.writeStringField("answered_at", answeredAt.truncatedTo(ChronoUnit.MILLIS).toString());
      json.writeStringField("endpoint", endpoint);
      json.writeStringField("model_name", modelName);
      json.writeStringField("model_version", modelVersion);
      json.writeNumberField("probability", probability);
      json.writeNumberField("threshold", threshold);
      json.writeBooleanField("delayed", delayed);
      json.writeStringField("record_id", recordId);
      json.writeStringField("record_day", recordDay);
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /**
   * The day folder of the line: the record's day when it is a date (YYYY-MM-DD), so that a flight's
   * online predictions land in its day's partition beside its batch prediction and its label;
   * otherwise (absent or not a date) the UTC day of the answer.
   */
  public LocalDate day() {
    if (recordDay != null) {
      try {
        return LocalDate.parse(recordDay);
      } catch (DateTimeParseException e) {
        // Logged as sent; the ingest quarantines it, naming the field.
      }
    }
    return LocalDate.ofInstant(answeredAt, ZoneOffset.UTC);
  }
}
