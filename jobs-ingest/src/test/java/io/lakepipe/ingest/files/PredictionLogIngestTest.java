// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.files;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The declared source prediction-log-flights (config/pipelines/flights.conf) on lines as the
 * scorer's prediction log writes them (serving's PredictionLine): the good ones into
 * predictions/online_flights under the batch predictions' column names, the others quarantined with
 * their reason, and the file still being written (hidden) not read.
 */
class PredictionLogIngestTest extends SparkTestBase {
  private static final LocalDate DS = LocalDate.parse("2001-01-15");

  @TempDir Path home;

  private static String line(String id, String day, String probability, String prediction) {
    return "{\"prediction_id\":\""
        + prediction
        + "\",\"answered_at\":\"2026-12-05T09:30:00.123Z\",\"endpoint\":\"predict\","
        + "\"model_name\":\"lakepipe_flights_delay\",\"model_version\":\"3\",\"probability\":"
        + probability
        + ",\"threshold\":0.5,\"delayed\":"
        + (Double.parseDouble(probability) > 0.5)
        + ",\"record_id\":"
        + (id == null ? "null" : "\"" + id + "\"")
        + ",\"record_day\":"
        + (day == null ? "null" : "\"" + day + "\"")
        + "}";
  }

  @Test
  void theScorersLinesBecomeOnlinePredictionsOfTheFlightsDay() throws Exception {
    Path landing = home.resolve("landing");
    Path day = Files.createDirectories(landing.resolve("ds=" + DS));
    Files.write(
        day.resolve("predictions-20261205T09-42-ab-1.jsonl"),
        List.of(
            line("f1", "2001-01-15", "0.8", "p1"),
            line("f2", "2001-01-15", "0.2", "p2"),
            // Answered on 2001-01-15 without a flight id: kept, with a null id.
            line(null, null, "0.4", "p3").replace("2026-12-05", "2001-01-15"),
            line("f4", "2001-01-15", "1.5", "p4"),
            line("f5", "2001-01-16", "0.3", "p5"),
            line("f6", "yesterday", "0.3", "p6"),
            line("f1", "2001-01-15", "0.8", "p1"),
            "{\"prediction_id\": \"p8\", \"answered_at\": "));
    // Still being written: hidden, so not read.
    Files.write(
        day.resolve(".predictions-20261205T10-42-ab-2.jsonl.inprogress"),
        List.of(line("f9", "2001-01-15", "0.9", "p9")));

    JobResult result =
        IngestFiles.of("prediction-log-flights")
            .run(
                JobContext.of(
                    spark,
                    testConfig(
                        home,
                        Map.of(
                            "lakepipe.sources.prediction-log-flights.location",
                            landing.toString(),
                            "lakepipe.sources.prediction-log-flights.max-bad-share",
                            1.0)),
                    DS,
                    "run-1"));

    List<Row> online =
        spark
            .read()
            .format("delta")
            .load(home.resolve("lakehouse/predictions/online_flights").toString())
            .orderBy("prediction_id")
            .collectAsList();
    assertThat(online.stream().map(r -> r.<String>getAs("prediction_id")))
        .containsExactly("p1", "p2", "p3");
    Row first = online.get(0);
    assertThat(first.<String>getAs("flight_id")).isEqualTo("f1");
    assertThat(first.<Double>getAs("delay_probability")).isEqualTo(0.8);
    assertThat(first.<Integer>getAs("predicted_delayed")).isEqualTo(1);
    assertThat(first.<String>getAs("model_version")).isEqualTo("3");
    assertThat(first.getDate(first.fieldIndex("ds")).toLocalDate()).isEqualTo(DS);
    assertThat(online.get(2).<String>getAs("flight_id")).isNull();

    Map<String, String> reasons =
        spark
            .read()
            .format("delta")
            .load(home.resolve("lakehouse/quarantine/predictions_online_flights").toString())
            .collectAsList()
            .stream()
            .collect(
                Collectors.toMap(
                    r ->
                        r.<String>getAs("raw_record")
                            .replaceAll(".*prediction_id\":\\s?\"(p\\d).*", "$1"),
                    r -> r.<String>getAs("reason")));
    assertThat(reasons)
        .containsEntry("p4", "probability outside [0, 1]")
        .containsEntry(
            "p5", "prediction day 2001-01-16 is outside the landing folder's ds 2001-01-15")
        .containsEntry("p6", "record_day is not a date: 'yesterday'")
        .hasSize(5);
    assertThat(reasons.get("p1")).contains("duplicate");
    assertThat(result.rowsRead()).isEqualTo(8);
  }

  @Test
  void aDayTheScorerAnsweredNothingIsEmptyAndARerunClearsWhatItHad() throws Exception {
    Path landing = home.resolve("landing");
    Path day = Files.createDirectories(landing.resolve("ds=" + DS));
    Files.write(
        day.resolve("predictions-20261205T09-42-ab-1.jsonl"),
        List.of(line("f1", "2001-01-15", "0.8", "p1"), line("f4", "2001-01-15", "1.5", "p4")));
    Files.createDirectories(landing.resolve("ds=2001-01-16"));
    var config =
        testConfig(
            home,
            Map.of(
                "lakepipe.sources.prediction-log-flights.location",
                landing.toString(),
                "lakepipe.sources.prediction-log-flights.max-bad-share",
                1.0));
    String online = home.resolve("lakehouse/predictions/online_flights").toString();
    String quarantine = home.resolve("lakehouse/quarantine/predictions_online_flights").toString();

    // No table yet and no files: nothing is written, and the run succeeds.
    JobResult nothingYet =
        IngestFiles.of("prediction-log-flights")
            .run(JobContext.of(spark, config, LocalDate.parse("2001-01-16"), "run-0"));
    assertThat(nothingYet.rowsRead()).isZero();
    assertThat(nothingYet.versionsWritten()).isEmpty();
    assertThat(Files.exists(Path.of(online))).isFalse();

    IngestFiles.of("prediction-log-flights").run(JobContext.of(spark, config, DS, "run-1"));
    assertThat(spark.read().format("delta").load(online).count()).isEqualTo(1);
    assertThat(spark.read().format("delta").load(quarantine).count()).isEqualTo(1);

    // The day's file withdrawn: a rerun leaves the day as a run without files would, empty.
    Files.delete(day.resolve("predictions-20261205T09-42-ab-1.jsonl"));
    JobResult rerun =
        IngestFiles.of("prediction-log-flights").run(JobContext.of(spark, config, DS, "run-2"));
    assertThat(rerun.rowsRead()).isZero();
    assertThat(rerun.versionsWritten()).hasSize(2);
    assertThat(spark.read().format("delta").load(online).count()).isZero();
    assertThat(spark.read().format("delta").load(quarantine).count()).isZero();
  }
}
