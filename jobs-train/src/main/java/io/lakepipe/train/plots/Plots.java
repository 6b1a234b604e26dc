// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.plots;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Training diagnostics drawn with XChart as PNG files, ready to log as MLflow artifacts: ROC,
 * precision-recall and calibration curves, the confusion matrix, feature importance, per-iteration
 * histories and a comparison of models on one metric.
 *
 * <p>Each method writes one {@value #WIDTH}x{@value #HEIGHT} PNG to {@code file} (creating its
 * parent directories, replacing an existing file) and returns {@code file}. Callers collect the
 * numbers first; nothing here knows Spark.
 *
 * <p>Plots are diagnostics, so data that cannot be drawn never fails a training run: non-finite
 * values (NaN, infinity) are left out, an input with nothing finite is named under the x axis, and
 * when nothing is left the chart is still written, with a note where the content would be. Only a
 * caller's bug throws: null arguments ({@link NullPointerException}), {@code top < 1}, negative
 * counts or a positive share outside [0, 1] ({@link IllegalArgumentException}). A file that cannot
 * be written throws {@link UncheckedIOException}.
 */
public final class Plots {
  /** Width of every image, in pixels. */
  public static final int WIDTH = 800;

  /** Height of every image, in pixels. */
  public static final int HEIGHT = 600;

  static {
    // Jobs run on servers without a display. AWT reads this property once, when it first starts, so
    // it must be set before any chart class touches fonts or images.
    System.setProperty("java.awt.headless", "true");
  }

  private static final Color REFERENCE = Color.GRAY;
  private static final Color POSITIVE = new Color(0x1F77B4);
  private static final Color NEGATIVE = new Color(0xD62728);
  // Light enough for the black value labels on the bars.
  private static final Color LIGHT_BAR = new Color(0x6BAED6);
  private static final BasicStroke DASHED =
      new BasicStroke(
          1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 6f}, 0f);
  // Up to this many points a line gets markers, so that a short history shows each value.
  private static final int MARKERS_UP_TO = 50;

  private Plots() {}

  /**
   * ROC curves: false positive rate against true positive rate, with the chance diagonal. Put the
   * AUC in each curve's label; the legend shows it.
   */
  public static Path roc(List<Curve> curves, Path file) {
    Objects.requireNonNull(curves, "curves");
    XYChart chart = xy("ROC curve", "false positive rate", "true positive rate");
    unitSquare(chart);
    List<String> left = addCurves(chart, curves, false);
    reference(chart, "chance", new double[] {0, 1}, new double[] {0, 1});
    chart.getStyler().setLegendPosition(LegendPosition.InsideSE);
    noteIfEmpty(chart, curves.size() == left.size(), "no curves to draw");
    chart.setXAxisTitle(withLeftOut(chart.getXAxisTitle(), left));
    return write(chart, file);
  }

  /**
   * Precision-recall curves: recall against precision, with a horizontal no-skill line at {@code
   * positiveShare}, the share of positive labels (left out when NaN).
   */
  public static Path precisionRecall(List<Curve> curves, double positiveShare, Path file) {
    Objects.requireNonNull(curves, "curves");
    if (positiveShare < 0 || positiveShare > 1) {
      throw new IllegalArgumentException(
          "positiveShare is "
              + positiveShare
              + ": pass the share of positive labels, between 0 and 1.");
    }
    XYChart chart = xy("Precision-recall curve", "recall", "precision");
    unitSquare(chart);
    List<String> left = addCurves(chart, curves, false);
    if (!Double.isNaN(positiveShare)) {
      reference(
          chart,
          "no skill (" + format("%.3f", positiveShare) + ")",
          new double[] {0, 1},
          new double[] {positiveShare, positiveShare});
    }
    noteIfEmpty(chart, curves.size() == left.size(), "no curves to draw");
    chart.setXAxisTitle(withLeftOut(chart.getXAxisTitle(), left));
    return write(chart, file);
  }

  /**
   * Calibration (reliability) curves: mean predicted probability per bin against the observed share
   * of positives in that bin, one marker per bin, with the perfect-calibration diagonal. Empty bins
   * can be passed as NaN.
   */
  public static Path calibration(List<Curve> curves, Path file) {
    Objects.requireNonNull(curves, "curves");
    XYChart chart = xy("Calibration", "mean predicted probability", "observed share of positives");
    unitSquare(chart);
    List<String> left = addCurves(chart, curves, true);
    reference(chart, "perfectly calibrated", new double[] {0, 1}, new double[] {0, 1});
    chart.getStyler().setLegendPosition(LegendPosition.InsideNW);
    noteIfEmpty(chart, curves.size() == left.size(), "no curves to draw");
    chart.setXAxisTitle(withLeftOut(chart.getXAxisTitle(), left));
    return write(chart, file);
  }

  /**
   * The 2x2 confusion matrix at a decision threshold: actual class in rows (negatives on top),
   * predicted class in columns, each cell shaded by its count and labelled with the count and its
   * share of all rows.
   */
  public static Path confusionMatrix(
      long trueNegatives,
      long falsePositives,
      long falseNegatives,
      long truePositives,
      double threshold,
      Path file) {
    long[][] counts = {{trueNegatives, falsePositives}, {falseNegatives, truePositives}};
    if (Arrays.stream(counts).flatMapToLong(Arrays::stream).anyMatch(count -> count < 0)) {
      throw new IllegalArgumentException(
          "Confusion matrix counts must not be negative, got TN="
              + trueNegatives
              + " FP="
              + falsePositives
              + " FN="
              + falseNegatives
              + " TP="
              + truePositives);
    }
    long max = Arrays.stream(counts).flatMapToLong(Arrays::stream).max().orElse(0);
    double total = (double) trueNegatives + falsePositives + falseNegatives + truePositives;
    XYChart chart =
        xy(
            "Confusion matrix at threshold "
                + format("%.3f", threshold)
                + (total == 0 ? " (no rows)" : ""),
            "predicted",
            "actual");
    var styler = chart.getStyler();
    styler.setLegendVisible(false);
    styler.setAxisTicksVisible(false);
    styler.setPlotGridLinesVisible(false);
    styler.setPlotBorderVisible(false);
    // XChart's heat map can only print the bare count in a cell, and XChart 3.8.8 puts custom tick
    // labels on data values, which for cells are their edges. So the cells are filled squares in
    // [0, 2] x [0, 2], and every text, class names included, is an annotation; the names sit in the
    // margin left of and below the cells.
    styler.setXAxisMin(-0.6).setXAxisMax(2.0).setYAxisMin(-0.3).setYAxisMax(2.0);
    String[] classes = {"negative", "positive"};
    for (int actual = 0; actual < 2; actual++) {
      double y = 1.5 - actual;
      for (int predicted = 0; predicted < 2; predicted++) {
        double x = predicted + 0.5;
        long count = counts[actual][predicted];
        String name = "actual " + classes[actual] + ", predicted " + classes[predicted];
        XYSeries cell =
            chart.addSeries(
                name,
                new double[] {x - 0.5, x + 0.5, x + 0.5, x - 0.5},
                new double[] {y - 0.5, y - 0.5, y + 0.5, y + 0.5});
        cell.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
        cell.setMarker(SeriesMarkers.NONE);
        cell.setFillColor(shade(max == 0 ? 0 : (double) count / max));
        cell.setLineColor(Color.WHITE);
        text(chart, format("%,d", count), x, total == 0 ? y : y + 0.07);
        if (total > 0) {
          text(chart, format("%.1f%%", 100 * count / total), x, y - 0.07);
        }
      }
      text(chart, classes[actual], -0.3, y);
      text(chart, classes[actual], actual + 0.5, -0.15);
    }
    return write(chart, file);
  }

  /**
   * Horizontal bars of the {@code top} largest importances by absolute value, largest on top;
   * negative values (such as signed coefficients) point left in another colour. Keep {@code top} to
   * about 40 or fewer for every name to get its own label.
   */
  public static Path featureImportance(
      Map<String, Double> importance, int top, String title, Path file) {
    Objects.requireNonNull(title, "title");
    if (top < 1) {
      throw new IllegalArgumentException(
          "top is " + top + ": pass how many features to show, at least 1.");
    }
    List<String> left = new ArrayList<>();
    List<Map.Entry<String, Double>> finite = finiteEntries(importance, left);
    // Smallest first: the first bar is drawn at the bottom.
    List<Map.Entry<String, Double>> shown =
        new ArrayList<>(
            finite.stream()
                .sorted(
                    Comparator.comparingDouble(
                            (Map.Entry<String, Double> e) -> Math.abs(e.getValue()))
                        .reversed()
                        .thenComparing(Map.Entry::getKey))
                .limit(top)
                .toList());
    Collections.reverse(shown);
    boolean anyNegative = shown.stream().anyMatch(e -> e.getValue() < 0);
    String fullTitle =
        shown.size() < finite.size()
            ? title + " (top " + shown.size() + " of " + finite.size() + ")"
            : title;
    XYChart chart =
        xy(
            fullTitle,
            withLeftOut(anyNegative ? "importance (negative in red)" : "importance", left),
            null);
    var styler = chart.getStyler();
    styler.setLegendVisible(false);
    styler.setPlotGridHorizontalLinesVisible(false);
    if (shown.isEmpty()) {
      return write(placeholder(chart, "no finite importances to draw"), file);
    }
    // XChart 3.8.8 has no horizontal bar chart, so each bar is a thick line at y = its rank. With a
    // custom label function and equally spaced y values, XChart puts one tick on each value, and
    // the function names it. The axis runs one step past both ends; those two ticks get distinct
    // blanks, because XChart thins out the ticks when two labels are equal.
    int n = shown.size();
    List<String> names = tickNames(shown);
    styler.setYAxisMin(-1.0);
    styler.setYAxisMax((double) n);
    chart.setCustomYAxisTickLabelsFormatter(
        y -> {
          long rank = Math.round(y);
          return rank < 0 ? " " : rank >= n ? "  " : names.get((int) rank);
        });
    // The plot is about HEIGHT - 100 pixels tall; a bar fills 70% of its step.
    float thickness = Math.max(1f, 0.7f * (HEIGHT - 100) / (n + 1));
    for (int rank = 0; rank < n; rank++) {
      double value = shown.get(rank).getValue();
      XYSeries bar =
          chart.addSeries("bar " + rank, new double[] {0, value}, new double[] {rank, rank});
      bar.setMarker(SeriesMarkers.NONE);
      bar.setLineStyle(new BasicStroke(thickness, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER));
      bar.setLineColor(value < 0 ? NEGATIVE : POSITIVE);
    }
    return write(chart, file);
  }

  /**
   * One line per named series of per-iteration values (a training objective history, validation log
   * loss per tree), against the iteration number from 1. A non-finite value is left out and the
   * line joins its neighbours.
   */
  public static Path iterations(
      String title, String yLabel, Map<String, double[]> series, Path file) {
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(yLabel, "yLabel");
    XYChart chart = xy(title, "iteration", yLabel);
    List<String> left = new ArrayList<>();
    for (Map.Entry<String, double[]> entry : series.entrySet()) {
      double[] y = Objects.requireNonNull(entry.getValue(), entry.getKey());
      double[] x = IntStream.rangeClosed(1, y.length).asDoubleStream().toArray();
      if (!addCurve(chart, new Curve(entry.getKey(), x, y), y.length <= MARKERS_UP_TO)) {
        left.add(entry.getKey());
      }
    }
    chart.setXAxisTitle(withLeftOut(chart.getXAxisTitle(), left));
    if (chart.getSeriesMap().isEmpty()) {
      return write(placeholder(chart, "no iterations to draw"), file);
    }
    return write(chart, file);
  }

  /**
   * One labelled bar per model for one metric (candidates and the naive baseline, say), in the
   * map's iteration order.
   */
  public static Path comparison(Map<String, Double> scores, String metric, Path file) {
    Objects.requireNonNull(metric, "metric");
    List<String> left = new ArrayList<>();
    List<Map.Entry<String, Double>> finite = finiteEntries(scores, left);
    String title = "Models by " + metric;
    String xTitle = withLeftOut("model", left);
    if (finite.isEmpty()) {
      return write(placeholder(xy(title, xTitle, metric), "no finite scores to draw"), file);
    }
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(metric)
            .build();
    var styler = chart.getStyler();
    common(styler);
    styler.setLegendVisible(false);
    styler.setLabelsVisible(true);
    styler.setLabelsFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    styler.setLabelsFontColorAutomaticEnabled(false);
    styler.setLabelsFontColor(Color.BLACK);
    styler.setLabelsPosition(0.97);
    if (finite.size() > 4) {
      styler.setXAxisLabelRotation(30);
    }
    CategorySeries bars =
        chart.addSeries(
            metric,
            finite.stream().map(Map.Entry::getKey).toList(),
            finite.stream().map(Map.Entry::getValue).toList());
    bars.setFillColor(LIGHT_BAR);
    // XChart formats the bar labels with the axis pattern: up to four decimals, as few as needed.
    bars.setYAxisDecimalPattern("0.0###");
    return write(chart, file);
  }

  private static XYChart xy(String title, String xTitle, String yTitle) {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    common(chart.getStyler());
    chart.getStyler().setLegendPosition(LegendPosition.OutsideS);
    return chart;
  }

  private static void common(AxesChartStyler styler) {
    styler.setChartBackgroundColor(Color.WHITE);
    // Axis numbers must not depend on the server's locale (0,5 against 0.5).
    styler.setLocale(Locale.ROOT);
    styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    styler.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
    styler.setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    styler.setAnnotationTextFontColor(Color.BLACK);
  }

  private static void unitSquare(XYChart chart) {
    var styler = chart.getStyler();
    styler.setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
    styler.setXAxisDecimalPattern("0.0").setYAxisDecimalPattern("0.0");
  }

  /** Adds each curve; returns the labels of those with no finite point, which are left out. */
  private static List<String> addCurves(XYChart chart, List<Curve> curves, boolean markers) {
    List<String> left = new ArrayList<>();
    for (Curve curve : curves) {
      if (!addCurve(chart, Objects.requireNonNull(curve, "curve"), markers)) {
        left.add(curve.label());
      }
    }
    return left;
  }

  /** Adds the finite points of a curve as a line; false if it has none. */
  private static boolean addCurve(XYChart chart, Curve curve, boolean markers) {
    double[] x = curve.x();
    double[] y = curve.y();
    int[] kept =
        IntStream.range(0, x.length)
            .filter(i -> Double.isFinite(x[i]) && Double.isFinite(y[i]))
            .toArray();
    if (kept.length == 0) {
      return false;
    }
    XYSeries series =
        chart.addSeries(
            uniqueName(chart, curve.label()),
            IntStream.of(kept).mapToDouble(i -> x[i]).toArray(),
            IntStream.of(kept).mapToDouble(i -> y[i]).toArray());
    // A single point draws no line, so it always gets a marker.
    series.setMarker(markers || kept.length == 1 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
    return true;
  }

  private static void reference(XYChart chart, String name, double[] x, double[] y) {
    XYSeries series = chart.addSeries(uniqueName(chart, name), x, y);
    series.setMarker(SeriesMarkers.NONE);
    series.setLineStyle(DASHED);
    series.setLineColor(REFERENCE);
  }

  // XChart refuses two series of the same name; two curves may well share a label.
  private static String uniqueName(Chart<?, ?> chart, String label) {
    String name = label;
    for (int k = 2; chart.getSeriesMap().containsKey(name); k++) {
      name = label + " (" + k + ")";
    }
    return name;
  }

  private static List<Map.Entry<String, Double>> finiteEntries(
      Map<String, Double> values, List<String> left) {
    List<Map.Entry<String, Double>> finite = new ArrayList<>();
    values.forEach(
        (name, value) -> {
          if (value != null && Double.isFinite(value)) {
            finite.add(Map.entry(name, value));
          } else {
            left.add(name);
          }
        });
    return finite;
  }

  /** Feature names as tick labels: long ones shortened in the middle, all distinct (see above). */
  private static List<String> tickNames(List<Map.Entry<String, Double>> shown) {
    Set<String> used = new HashSet<>(Set.of(" ", "  "));
    List<String> names = new ArrayList<>();
    for (Map.Entry<String, Double> entry : shown) {
      String label = shorten(entry.getKey(), 32);
      String unique = label;
      for (int k = 2; !used.add(unique); k++) {
        unique = label + " (" + k + ")";
      }
      names.add(unique);
    }
    return names;
  }

  private static void noteIfEmpty(XYChart chart, boolean empty, String note) {
    if (empty) {
      text(chart, note, 0.5, 0.5);
    }
  }

  /** Text centred on a point in data coordinates. */
  private static void text(XYChart chart, String text, double x, double y) {
    chart.addAnnotation(new AnnotationText(text, x, y, false));
  }

  /** White for 0 to mid blue for 1: light enough for black text on the fullest cell. */
  private static Color shade(double fraction) {
    Color full = new Color(0x4292C6);
    return new Color(
        (int) Math.round(255 + fraction * (full.getRed() - 255)),
        (int) Math.round(255 + fraction * (full.getGreen() - 255)),
        (int) Math.round(255 + fraction * (full.getBlue() - 255)));
  }

  /** An XY chart with nothing to plot: fixed unit axes, no legend, and the note in the middle. */
  private static XYChart placeholder(XYChart chart, String note) {
    unitSquare(chart);
    chart.getStyler().setLegendVisible(false);
    // Numbers on empty axes would suggest there is data.
    chart.getStyler().setAxisTicksVisible(false);
    // An invisible point, because XChart cannot lay out axes without any series.
    XYSeries anchor = chart.addSeries(" ", new double[] {0.5}, new double[] {0.5});
    anchor.setMarker(SeriesMarkers.NONE);
    anchor.setShowInLegend(false);
    noteIfEmpty(chart, true, note);
    return chart;
  }

  /** Appends what had nothing finite to draw: below the plot, where a long note still fits. */
  private static String withLeftOut(String axisTitle, List<String> left) {
    if (left.isEmpty()) {
      return axisTitle;
    }
    String names =
        left.stream().limit(3).map(name -> shorten(name, 24)).collect(Collectors.joining(", "));
    String more = left.size() > 3 ? " and " + (left.size() - 3) + " more" : "";
    return axisTitle + "   [left out, not finite: " + names + more + "]";
  }

  /** Cuts the middle out of a long name: one-hot names differ at both ends. */
  private static String shorten(String name, int max) {
    if (name.length() <= max) {
      return name;
    }
    int half = (max - 1) / 2;
    return name.substring(0, half) + "…" + name.substring(name.length() - half);
  }

  private static String format(String pattern, Object... args) {
    return String.format(Locale.ROOT, pattern, args);
  }

  private static Path write(Chart<?, ?> chart, Path file) {
    Objects.requireNonNull(file, "file");
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
        BitmapEncoder.saveBitmap(chart, out, BitmapFormat.PNG);
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Could not write the plot "
              + file
              + " ("
              + e.getMessage()
              + "): check that its directory is writable and the disk is not full.",
          e);
    }
  }
}
