// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The page's plots over the report window, drawn with XChart as PNG and returned base64-encoded for
 * an inline {@code data:} image. A plot with nothing to draw is empty, and the page says so
 * instead.
 */
final class ReportCharts {
  static final int WIDTH = 760;
  static final int HEIGHT = 380;

  static {
    // Jobs run without a display; AWT reads this once, before any chart touches fonts.
    System.setProperty("java.awt.headless", "true");
  }

  private static final BasicStroke DASHED =
      new BasicStroke(
          1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 6f}, 0f);

  private ReportCharts() {}

  /** Rows read per job per day; the report's own runs (one page each) are left out. */
  static Optional<String> rowsPerJob(ReportModel model) {
    List<String> jobs =
        model.jobs().stream().filter(job -> !job.equals(DailyReportJob.NAME)).toList();
    return perJob(model, "Rows read per job", "rows", jobs, run -> run.rowsRead(), null, "#,##0");
  }

  /**
   * Quarantined share of the rows read per day, for the jobs that quarantine (their name starts
   * with "ingest", or they quarantined a row in the window), with the configured limit.
   */
  static Optional<String> quarantineShare(ReportModel model) {
    List<String> jobs =
        model.jobs().stream()
            .filter(
                job ->
                    job.startsWith("ingest")
                        || model.latestRuns().stream()
                            .anyMatch(run -> run.job().equals(job) && run.rowsQuarantined() > 0))
            .toList();
    return perJob(
        model,
        "Quarantined share of rows read",
        "share of rows read",
        jobs,
        JobDay::badShare,
        model.maxBadShare(),
        "0.0%");
  }

  /** Duration of each job's last run per day, in minutes. */
  static Optional<String> durations(ReportModel model) {
    return perJob(
        model,
        "Duration per job",
        "minutes",
        model.jobs(),
        run -> run.durationMs() / 60_000.0,
        null,
        "0.0");
  }

  /** Test ROC AUC of the chosen model and of the route baseline, per training day. */
  static Optional<String> rocAuc(ReportModel model) {
    List<TrainingScore> scores = model.trainings();
    if (scores.isEmpty()) {
      return Optional.empty();
    }
    XYChart chart = chart(model, "Test ROC AUC per training day", "ROC AUC");
    chart.getStyler().setYAxisDecimalPattern("0.000");
    double low =
        scores.stream()
            .flatMapToDouble(s -> java.util.stream.DoubleStream.of(s.rocAuc(), s.baselineRocAuc()))
            .filter(Double::isFinite)
            .min()
            .orElse(0.5);
    double high =
        scores.stream()
            .flatMapToDouble(s -> java.util.stream.DoubleStream.of(s.rocAuc(), s.baselineRocAuc()))
            .filter(Double::isFinite)
            .max()
            .orElse(1.0);
    // A little room above and below, so that two close scores do not sit on the plot's edges.
    chart.getStyler().setYAxisMin(Math.max(0.0, low - 0.02));
    chart.getStyler().setYAxisMax(Math.min(1.0, high + 0.02));
    addSeries(
        chart,
        "chosen model",
        scores.stream().map(TrainingScore::ds).toList(),
        scores.stream().map(TrainingScore::rocAuc).toList());
    addSeries(
        chart,
        "route baseline",
        scores.stream().map(TrainingScore::ds).toList(),
        scores.stream().map(TrainingScore::baselineRocAuc).toList());
    return chart.getSeriesMap().isEmpty() ? Optional.empty() : Optional.of(png(chart));
  }

  /**
   * Realised ROC AUC of the predictions per day (one series per model version and source), and the
   * test ROC AUC of each training day, on one scale.
   */
  static Optional<String> realisedRocAuc(ReportModel model) {
    List<PredictionDay> days =
        model.predictions().stream().filter(d -> Double.isFinite(d.rocAuc())).toList();
    if (days.isEmpty()) {
      return Optional.empty();
    }
    XYChart chart = chart(model, "Realised ROC AUC of the predictions per day", "ROC AUC");
    chart.getStyler().setYAxisDecimalPattern("0.000");
    List<String> versions = days.stream().map(PredictionDay::label).distinct().toList();
    for (String version : versions) {
      List<PredictionDay> of = days.stream().filter(d -> d.label().equals(version)).toList();
      addSeries(
          chart,
          "realised, " + version,
          of.stream().map(PredictionDay::ds).toList(),
          of.stream().map(PredictionDay::rocAuc).toList());
    }
    List<TrainingScore> scores = model.trainings();
    addSeries(
        chart,
        "test, per training day",
        scores.stream().map(TrainingScore::ds).toList(),
        scores.stream().map(TrainingScore::rocAuc).toList());
    return Optional.of(png(chart));
  }

  private static Optional<String> perJob(
      ReportModel model,
      String title,
      String yTitle,
      List<String> jobs,
      ToDoubleFunction<JobDay> value,
      Double limit,
      String yPattern) {
    XYChart chart = chart(model, title, yTitle);
    chart.getStyler().setYAxisDecimalPattern(yPattern);
    if (limit != null) {
      // The limit line stays in view, and a share of 0 sits on the axis rather than below a margin.
      chart.getStyler().setYAxisMin(0.0);
    }
    for (String job : jobs) {
      List<JobDay> runs = model.latestRuns().stream().filter(run -> run.job().equals(job)).toList();
      addSeries(
          chart,
          job,
          runs.stream().map(JobDay::ds).toList(),
          runs.stream().map(run -> value.applyAsDouble(run)).toList());
    }
    if (chart.getSeriesMap().isEmpty()) {
      return Optional.empty();
    }
    if (limit != null) {
      XYSeries line =
          chart.addSeries(
              String.format(Locale.ROOT, "limit %.1f%%", 100 * limit),
              List.of(date(model.from()), date(model.ds())),
              List.of(limit, limit));
      line.setMarker(SeriesMarkers.NONE);
      line.setLineStyle(DASHED);
      line.setLineColor(Color.RED);
    }
    return Optional.of(png(chart));
  }

  private static void addSeries(
      XYChart chart, String name, List<LocalDate> days, List<Double> values) {
    List<Date> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    for (int i = 0; i < days.size(); i++) {
      if (Double.isFinite(values.get(i))) {
        x.add(date(days.get(i)));
        y.add(values.get(i));
      }
    }
    if (!x.isEmpty()) {
      XYSeries series = chart.addSeries(name, x, y);
      series.setMarker(SeriesMarkers.CIRCLE);
    }
  }

  private static XYChart chart(ReportModel model, String title, String yTitle) {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle("ds (" + model.from() + " to " + model.ds() + ")")
            .yAxisTitle(yTitle)
            .build();
    var styler = chart.getStyler();
    styler.setChartBackgroundColor(Color.WHITE);
    // Axis numbers must not depend on the server's locale, nor dates on its time zone.
    styler.setLocale(Locale.ROOT);
    styler.setTimezone(java.util.TimeZone.getTimeZone("UTC"));
    styler.setDatePattern("MM-dd");
    styler.setLegendPosition(LegendPosition.OutsideE);
    styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    styler.setXAxisMin((double) date(model.from().minusDays(1)).getTime());
    styler.setXAxisMax((double) date(model.ds().plusDays(1)).getTime());
    return chart;
  }

  private static Date date(LocalDate day) {
    return Date.from(day.atStartOfDay(ZoneOffset.UTC).toInstant());
  }

  private static String png(XYChart chart) {
    try {
      return Base64.getEncoder()
          .encodeToString(BitmapEncoder.getBitmapBytes(chart, BitmapFormat.PNG));
    } catch (IOException e) {
      throw new UncheckedIOException("Could not draw the plot " + chart.getTitle(), e);
    }
  }
}
