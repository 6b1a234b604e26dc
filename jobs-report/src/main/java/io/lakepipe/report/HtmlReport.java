// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.report;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Renders a {@link ReportModel} as one self-contained HTML page: inline CSS and plots, no script,
 * no outside resource, so that it opens the same from a file, an object store or MLflow's artifact
 * view. Every value that comes from data is escaped; links keep only http(s) addresses.
 */
public final class HtmlReport {
  private static final String STYLE =
      """
      body{font-family:sans-serif;margin:24px;color:#222;max-width:1200px}
      h1{margin-bottom:4px} h2{margin-top:32px;border-bottom:1px solid #ccc}
      table{border-collapse:collapse;margin:8px 0} td,th{border:1px solid #ccc;padding:4px 8px}
      th{background:#f0f0f0;text-align:left} td.n{text-align:right;font-variant-numeric:tabular-nums}
      tr.failed td{background:#fdd;color:#900;font-weight:bold}
      .banner{padding:8px 12px;margin:12px 0;border-radius:4px}
      .banner.failed{background:#fdd;color:#900;border:1px solid #e99}
      .banner.ok{background:#dfd;color:#060;border:1px solid #9c9}
      .banner.missing{background:#ffd;color:#660;border:1px solid #cc9}
      .missing{color:#660;font-style:italic} img{display:block;margin:8px 0}
      """;

  private HtmlReport() {}

  public static String render(ReportModel model) {
    StringBuilder html = new StringBuilder(64 * 1024);
    String title = "lakepipe daily report " + model.ds();
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>")
        .append(escape(title))
        .append("</title><style>")
        .append(STYLE)
        .append("</style></head><body>\n")
        .append("<h1>")
        .append(escape(title))
        .append("</h1>\n")
        .append("<p>Window ")
        .append(escape(model.from()))
        .append(" to ")
        .append(escape(model.ds()))
        .append(" (plots); tables for ")
        .append(escape(model.ds()))
        .append(".</p>\n");
    links(html, model.links());
    banner(html, model);
    summary(html, model);
    quality(html, model);
    training(html, model);
    predictions(html, model);
    plots(html, model);
    failedRuns(html, model);
    html.append("</body></html>\n");
    return html.toString();
  }

  private static void links(StringBuilder html, List<Link> links) {
    List<Link> safe =
        links.stream()
            .filter(
                l ->
                    l.url() != null
                        && (l.url().startsWith("http://") || l.url().startsWith("https://")))
            .toList();
    if (safe.isEmpty()) {
      return;
    }
    html.append("<p class=\"links\">");
    for (int i = 0; i < safe.size(); i++) {
      html.append(i == 0 ? "" : " · ")
          .append("<a href=\"")
          .append(escape(safe.get(i).url()))
          .append("\">")
          .append(escape(safe.get(i).label()))
          .append("</a>");
    }
    html.append("</p>\n");
  }

  private static void banner(StringBuilder html, ReportModel model) {
    List<JobDay> today = model.summary();
    long failed = today.stream().filter(JobDay::failed).count();
    if (today.isEmpty()) {
      html.append("<div class=\"banner missing\">No audit rows for ")
          .append(escape(model.ds()))
          .append(": no job has run for this date yet.</div>\n");
    } else if (failed > 0) {
      html.append("<div class=\"banner failed\">")
          .append(failed)
          .append(" of ")
          .append(today.size())
          .append(" jobs failed in their last run for ")
          .append(escape(model.ds()))
          .append(": ")
          .append(
              escape(
                  String.join(
                      ", ", today.stream().filter(JobDay::failed).map(JobDay::job).toList())))
          .append(".</div>\n");
    } else {
      html.append("<div class=\"banner ok\">All ")
          .append(today.size())
          .append(" jobs of ")
          .append(escape(model.ds()))
          .append(" succeeded in their last run.</div>\n");
    }
  }

  private static void summary(StringBuilder html, ReportModel model) {
    html.append("<h2>Jobs on ").append(escape(model.ds())).append("</h2>\n");
    List<JobDay> today = model.summary();
    if (today.isEmpty()) {
      missing(html, "No audit rows for " + model.ds() + ".");
      return;
    }
    html.append("<table id=\"summary\"><tr><th>job</th><th>status</th><th>rows read</th>")
        .append("<th>rows written</th><th>rows quarantined</th><th>bad share</th>")
        .append("<th>duration</th><th>message</th></tr>\n");
    for (JobDay run : today) {
      html.append(run.failed() ? "<tr class=\"failed\">" : "<tr>")
          .append(cell(run.job()))
          .append(cell(run.status()))
          .append(number(String.format(Locale.ROOT, "%,d", run.rowsRead())))
          .append(number(String.format(Locale.ROOT, "%,d", run.rowsWritten())))
          .append(number(String.format(Locale.ROOT, "%,d", run.rowsQuarantined())))
          .append(number(String.format(Locale.ROOT, "%.2f%%", 100 * run.badShare())))
          .append(number(duration(run.durationMs())))
          .append(cell(shorten(run.message(), 300)))
          .append("</tr>\n");
    }
    html.append("</table>\n");
  }

  private static void quality(StringBuilder html, ReportModel model) {
    html.append("<h2>Quality gates on ").append(escape(model.ds())).append("</h2>\n");
    List<QualityDay> today =
        model.quality().stream().filter(q -> q.ds().equals(model.ds())).toList();
    if (today.isEmpty()) {
      missing(html, "No quality results for " + model.ds() + ".");
      return;
    }
    html.append("<table id=\"quality\"><tr><th>table</th><th>checked</th><th>failed</th>")
        .append("<th>detail</th></tr>\n");
    for (QualityDay q : today) {
      html.append(q.failed() > 0 ? "<tr class=\"failed\">" : "<tr>")
          .append(cell(q.table()))
          .append(number(String.valueOf(q.checks())))
          .append(number(String.valueOf(q.failed())))
          .append(cell(shorten(q.detail(), 500)))
          .append("</tr>\n");
    }
    html.append("</table>\n");
  }

  private static void training(StringBuilder html, ReportModel model) {
    html.append("<h2>Model</h2>\n");
    TrainingScore latest = model.latestTraining();
    if (latest == null) {
      missing(html, "No training run from " + model.from() + " to " + model.ds() + ".");
      return;
    }
    html.append("<p>Latest training up to ")
        .append(escape(model.ds()))
        .append(": ds ")
        .append(escape(latest.ds()))
        .append(", chosen model ")
        .append(escape(latest.model()));
    if (latest.url() != null && latest.url().startsWith("http")) {
      html.append(" (<a href=\"").append(escape(latest.url())).append("\">MLflow run</a>)");
    }
    html.append(".</p>\n<table id=\"training\"><tr><th>test metric</th><th>chosen model</th>")
        .append("<th>route baseline</th><th>difference</th></tr>\n");
    metric(html, "ROC AUC", latest.rocAuc(), latest.baselineRocAuc());
    metric(html, "PR AUC", latest.prAuc(), latest.baselinePrAuc());
    metric(html, "log loss", latest.logLoss(), latest.baselineLogLoss());
    html.append("</table>\n");
    gate(html, latest);
  }

  /**
   * The registry gate's decision on that training, the real scorer's check of its bundle (once
   * export-pmml has run it), and each test day the gate compared.
   */
  private static void gate(StringBuilder html, TrainingScore training) {
    if (training.gateDecision().isEmpty()) {
      return;
    }
    html.append("<p id=\"gate\">Registry gate: <b>")
        .append(escape(training.gateDecision().replace('_', ' ')))
        .append("</b>. ")
        .append(escape(training.gateExplanation()))
        .append(".</p>\n");
    if (!training.servingCheck().isEmpty()) {
      html.append("<p id=\"serving-check\">Serving check in the real scorer: ")
          .append(escape(training.servingCheck()))
          .append(".</p>\n");
    }
    if (training.gateDays().isEmpty()) {
      return;
    }
    html.append("<table id=\"gate-days\"><tr><th>test day</th><th>new model</th>")
        .append("<th>champion</th><th>difference</th></tr>\n");
    for (TrainingScore.GateDay day : training.gateDays()) {
      html.append("<tr>")
          .append(cell(day.day().toString()))
          .append(number(decimal(day.challenger())))
          .append(number(decimal(day.champion())))
          .append(number(decimal(day.challenger() - day.champion())))
          .append("</tr>\n");
    }
    html.append("</table>\n");
  }

  /**
   * The realised quality of the batch predictions per day of the window, next to the test ROC AUC
   * of the newest training up to that day.
   */
  private static void predictions(StringBuilder html, ReportModel model) {
    html.append("<h2>Predictions against their labels</h2>\n");
    if (model.predictions().isEmpty()) {
      missing(
          html,
          "No monitored predictions from "
              + model.from()
              + " to "
              + model.ds()
              + " (the monitor-predictions job writes them once a day is scored and labelled).");
      return;
    }
    html.append("<table id=\"predictions\"><tr><th>ds</th><th>model version</th>")
        .append("<th>rows scored</th><th>rows labelled</th><th>realised ROC AUC</th>")
        .append("<th>test ROC AUC of the training</th><th>log loss</th>")
        .append("<th>calibration error</th><th>mean predicted</th><th>observed share</th></tr>\n");
    for (PredictionDay day : model.predictions()) {
      TrainingScore training = model.trainingUpTo(day.ds());
      html.append("<tr>")
          .append(cell(day.ds()))
          .append(cell(day.label()))
          .append(number(String.format(Locale.ROOT, "%,d", day.rowsScored())))
          .append(number(String.format(Locale.ROOT, "%,d", day.rowsLabelled())))
          .append(number(decimal(day.rocAuc())))
          .append(number(training == null ? "n/a" : decimal(training.rocAuc())))
          .append(number(decimal(day.logLoss())))
          .append(number(decimal(day.calibrationError())))
          .append(number(decimal(day.meanPredicted())))
          .append(number(decimal(day.observedShare())))
          .append("</tr>\n");
    }
    html.append("</table>\n");
  }

  private static void metric(StringBuilder html, String name, double model, double baseline) {
    html.append("<tr>")
        .append(cell(name))
        .append(number(decimal(model)))
        .append(number(decimal(baseline)))
        .append(number(decimal(model - baseline)))
        .append("</tr>\n");
  }

  private static void plots(StringBuilder html, ReportModel model) {
    html.append("<h2>Over the window</h2>\n");
    plot(html, "rows", ReportCharts.rowsPerJob(model), "No audit rows in the window.");
    plot(html, "quarantine", ReportCharts.quarantineShare(model), "No ingest runs in the window.");
    plot(html, "durations", ReportCharts.durations(model), "No audit rows in the window.");
    plot(html, "roc-auc", ReportCharts.rocAuc(model), "No training runs in the window.");
    plot(
        html,
        "realised-roc-auc",
        ReportCharts.realisedRocAuc(model),
        "No labelled predictions in the window.");
  }

  private static void plot(StringBuilder html, String id, Optional<String> png, String none) {
    if (png.isEmpty()) {
      missing(html, none);
    } else {
      html.append("<img id=\"plot-")
          .append(id)
          .append("\" alt=\"")
          .append(id)
          .append("\" src=\"data:image/png;base64,")
          .append(png.get())
          .append("\">\n");
    }
  }

  private static void failedRuns(StringBuilder html, ReportModel model) {
    html.append("<h2>Failed runs in the window</h2>\n");
    if (model.failedRuns().isEmpty()) {
      html.append("<p>None.</p>\n");
      return;
    }
    html.append("<table id=\"failed-runs\"><tr><th>ds</th><th>job</th><th>started</th>")
        .append("<th>duration</th><th>message</th></tr>\n");
    for (JobDay run : model.failedRuns()) {
      html.append("<tr class=\"failed\">")
          .append(cell(run.ds()))
          .append(cell(run.job()))
          .append(cell(run.startedAt() == null ? "" : run.startedAt()))
          .append(number(duration(run.durationMs())))
          .append(cell(shorten(run.message(), 500)))
          .append("</tr>\n");
    }
    html.append("</table>\n");
  }

  private static void missing(StringBuilder html, String text) {
    html.append("<p class=\"missing\">").append(escape(text)).append("</p>\n");
  }

  private static String cell(Object value) {
    return "<td>" + escape(value) + "</td>";
  }

  private static String number(String value) {
    return "<td class=\"n\">" + escape(value) + "</td>";
  }

  private static String decimal(double value) {
    return Double.isFinite(value) ? String.format(Locale.ROOT, "%.4f", value) : "n/a";
  }

  private static String duration(long millis) {
    Duration d = Duration.ofMillis(millis);
    return d.toMinutes() > 0
        ? String.format(Locale.ROOT, "%d min %02d s", d.toMinutes(), d.toSecondsPart())
        : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }

  private static String shorten(String text, int max) {
    if (text == null) {
      return "";
    }
    return text.length() <= max ? text : text.substring(0, max - 1) + "…";
  }

  /** Escapes text for HTML element content and quoted attribute values. */
  static String escape(Object value) {
    String text = String.valueOf(value);
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
