// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakepipe.core.table.DeltaTables;
import io.lakepipe.monitoring.PredictionMonitoring;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class HtmlReportTest extends ReportFixtures {
  private static final Pattern IMAGE =
      Pattern.compile(
          "<img id=\"plot-([a-z-]+)\" alt=\"[^\"]*\" src=\"data:image/png;base64,([^\"]+)\">");

  private static ReportModel fullModel() {
    var auditRows =
        rows(
            AUDIT,
            audit(
                "r1",
                "ingest-files",
                "2001-01-14",
                "SUCCEEDED",
                16_267,
                16_267,
                0,
                "2001-01-15T01:00:00Z",
                33_146,
                ""),
            audit(
                "r2",
                "ingest-files",
                "2001-01-15",
                "SUCCEEDED",
                16_784,
                16_781,
                3,
                "2001-01-16T01:00:00Z",
                41_311,
                ""),
            audit(
                "r3",
                "check-table:bronze-flights",
                "2001-01-15",
                "FAILED",
                0,
                0,
                0,
                "2001-01-16T01:05:00Z",
                40_374,
                "Data-quality checks failed: <script>alert('x')</script> & more"));
    var features =
        rows(
            FEATURE_QUALITY,
            feature("origin<b>", 0.40, "fail", "psi \"0.400\" > 0.25", "2001-01-15"));
    return ReportModels.build(
            DS,
            14,
            0.05,
            Optional.of(auditRows),
            Optional.empty(),
            Optional.of(features),
            List.of(score("2001-01-14", "a", 0.61, 0.58), score("2001-01-15", "b", 0.6249, 0.5892)))
        .withLinks(
            List.of(
                new Link(
                    "MLflow experiment lakepipe-flights", "http://127.0.0.1:5000/#/experiments/23"),
                new Link("evil", "javascript:alert(1)"),
                new Link("Airflow \"run\"", "http://127.0.0.1:8080/dags/d/runs/r?a=1&b=2")));
  }

  @Test
  void showsTheDaysJobsWithTheirCountsAndTheModelAgainstTheBaseline() {
    String html = HtmlReport.render(fullModel());

    assertThat(html)
        .startsWith("<!DOCTYPE html>")
        .contains("<title>lakepipe daily report 2001-01-15</title>")
        .contains(
            "<td>ingest-files</td><td>SUCCEEDED</td><td class=\"n\">16,784</td>"
                + "<td class=\"n\">16,781</td><td class=\"n\">3</td><td class=\"n\">0.02%</td>"
                + "<td class=\"n\">41.3 s</td>")
        .contains("chosen model gradient_boosted_trees-1")
        .contains(
            "<td>ROC AUC</td><td class=\"n\">0.6249</td><td class=\"n\">0.5892</td>"
                + "<td class=\"n\">0.0357</td>")
        .contains("href=\"http://127.0.0.1:5000/#/experiments/1/runs/b\"")
        .contains(
            "<p id=\"gate\">Registry gate: <b>promoted</b>. promoted: test roc_auc 0.62490 against"
                + " the champion&#39;s 0.61000, a gain of +0.01490 (95% CI +0.00700 to +0.02280,")
        .contains(
            "<p id=\"serving-check\">Serving check in the real scorer: passed: 2000 rows replayed"
                + " through the scorer, max |scorer - Spark| 3.331e-16 (bound 1.0e-09), p99 latency"
                + " 8.57 ms (budget 20.00 ms).</p>")
        .contains(
            "<tr><td>2001-01-15</td><td class=\"n\">0.6249</td><td class=\"n\">0.6100</td>"
                + "<td class=\"n\">0.0149</td></tr>")
        .contains(
            "<a href=\"http://127.0.0.1:5000/#/experiments/23\">MLflow experiment"
                + " lakepipe-flights</a>");
  }

  @Test
  void highlightsTheFailedRunInTheSummaryTheBannerAndTheListOfFailures() {
    String html = HtmlReport.render(fullModel());

    assertThat(html)
        .contains(
            "<div class=\"banner failed\">1 of 2 jobs failed in their last run"
                + " for 2001-01-15: check-table:bronze-flights.</div>")
        .contains("<tr class=\"failed\"><td>check-table:bronze-flights</td><td>FAILED</td>")
        .contains("<tr class=\"failed\"><td>2001-01-15</td><td>check-table:bronze-flights</td>")
        .doesNotContain("<tr class=\"failed\"><td>ingest-files</td>");
  }

  @Test
  void escapesEveryValueFromTheDataAndDropsLinksThatAreNotHttp() {
    String html = HtmlReport.render(fullModel());

    assertThat(html)
        .doesNotContain("<script>")
        .doesNotContain("origin<b>")
        .doesNotContain("javascript:")
        .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more")
        .contains("origin&lt;b&gt; (psi &quot;0.400&quot; &gt; 0.25)")
        .contains(
            "<a href=\"http://127.0.0.1:8080/dags/d/runs/r?a=1&amp;b=2\">Airflow"
                + " &quot;run&quot;</a>");
  }

  @Test
  void inlinesFourPlotsAsPngImages() {
    String html = HtmlReport.render(fullModel());

    Matcher images = IMAGE.matcher(html);
    List<String> ids = new java.util.ArrayList<>();
    while (images.find()) {
      ids.add(images.group(1));
      byte[] png = Base64.getDecoder().decode(images.group(2));
      assertThat(png).startsWith(0x89, 'P', 'N', 'G');
      assertThat(png.length).isGreaterThan(5_000);
    }
    assertThat(ids).containsExactly("rows", "quarantine", "durations", "roc-auc");
    assertThat(html).doesNotContain("src=\"http").doesNotContain("<script");
  }

  @Test
  void showsTheRealisedQualityOfEachDayNextToTheTestScoreOfTheTrainingAndPlotsIt() {
    StructType schema = DeltaTables.withDs(PredictionMonitoring.SCHEMA);
    Timestamp at = Timestamp.from(Instant.parse("2001-01-16T03:00:00Z"));
    var quality =
        rows(
            schema,
            new Object[] {
              "batch",
              "flights",
              "3",
              16_000L,
              15_990L,
              0.6421,
              0.48,
              0.021,
              0.2,
              0.19,
              at,
              Date.valueOf("2001-01-14")
            },
            new Object[] {
              "batch",
              "flights",
              "4",
              16_500L,
              0L,
              null,
              null,
              null,
              null,
              null,
              at,
              Date.valueOf("2001-01-15")
            },
            // The scorer's answers of the same day, ingested from its prediction log.
            new Object[] {
              "online",
              "flights",
              "3",
              40L,
              38L,
              0.7,
              0.45,
              0.05,
              0.25,
              0.2,
              at,
              Date.valueOf("2001-01-14")
            },
            // Outside the window: left out.
            new Object[] {
              "batch",
              "flights",
              "1",
              10L,
              10L,
              0.5,
              0.7,
              0.1,
              0.2,
              0.2,
              at,
              Date.valueOf("2000-12-01")
            });
    ReportModel model =
        fullModel().withPredictions(ReportModels.predictionDays(quality, DS.minusDays(13), DS));

    String html = HtmlReport.render(model);

    assertThat(model.predictions())
        .extracting(PredictionDay::label)
        .containsExactly("flights v3", "flights v3 (online)", "flights v4");
    assertThat(html)
        .contains("<h2>Predictions against their labels</h2>")
        .contains(
            "<tr><td>2001-01-14</td><td>flights v3</td><td class=\"n\">16,000</td>"
                + "<td class=\"n\">15,990</td><td class=\"n\">0.6421</td>"
                + "<td class=\"n\">0.6100</td><td class=\"n\">0.4800</td>"
                + "<td class=\"n\">0.0210</td><td class=\"n\">0.2000</td>"
                + "<td class=\"n\">0.1900</td></tr>")
        .contains(
            "<tr><td>2001-01-14</td><td>flights v3 (online)</td><td class=\"n\">40</td>"
                + "<td class=\"n\">38</td><td class=\"n\">0.7000</td>")
        // A day whose labels have not landed: its counts, no metric.
        .contains(
            "<tr><td>2001-01-15</td><td>flights v4</td><td class=\"n\">16,500</td>"
                + "<td class=\"n\">0</td><td class=\"n\">n/a</td><td class=\"n\">0.6249</td>")
        .contains("<img id=\"plot-realised-roc-auc\"");
  }

  @Test
  void aDayWithoutDataSaysSoInsteadOfFailing() {
    ReportModel empty =
        ReportModels.build(
            DS, 14, 0.05, Optional.empty(), Optional.empty(), Optional.empty(), List.of());

    String html = HtmlReport.render(empty);

    assertThat(html)
        .contains("No audit rows for 2001-01-15: no job has run for this date yet.")
        .contains("No quality results for 2001-01-15.")
        .contains("No training run from 2001-01-02 to 2001-01-15.")
        .contains("No audit rows in the window.")
        .contains("No training runs in the window.")
        .contains("No monitored predictions from 2001-01-02 to 2001-01-15")
        .contains("No labelled predictions in the window.")
        .doesNotContain("<img");
  }
}
