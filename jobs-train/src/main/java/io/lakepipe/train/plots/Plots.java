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
import java.util.stream.IntStream;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
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
 * <p>Each method writes one {@value #WIDTH}x{@value #HEIGHT} PNG to {@code file} (creating its parent
 * directories, replacing an existing file) and returns {@code file}. Callers collect the numbers first;
 * nothing here knows Spark.
 *
 * <p>Plots are diagnostics, so data that cannot be drawn never fails a training run: non-finite values
 * (NaN, infinity) are left out and named in the title, and when nothing is left the chart is still
 * written, with a "no data" note where the content would be. Only a caller's bug throws: null arguments
 * ({@link NullPointerException}), {@code top < 1}, negative counts or a positive share outside [0, 1]
 * ({@link IllegalArgumentException}). A file that cannot be written throws {@link UncheckedIOException}.
 */
public final class Plots {
  /** Width of every image, in pixels. */
  public static final int WIDTH = 800;
  /** Height of every image, in pixels. */
  public static final int HEIGHT = 600;

  static {
    // Jobs run on servers without a display. AWT reads this property once, when it first starts,
    // so it must be set before any chart class touches fonts or images.
    System.setProperty("java.awt.headless", "true");
  }

  private static final Color REFERENCE = Color.GRAY;
  private static final Color POSITIVE = new Color(0x1F77B4);
  private static final Color NEGATIVE = new Color(0xD62728);
  private static final BasicStroke DASHED = new BasicStroke(
      1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 6f}, 0f);
  // Below this many points a line gets markers, so that a short history shows each value.
  private static final int MARKERS_UP_TO = 50;

  private Plots() {}

  /**
   * ROC curves: false positive rate against true positive rate, with the chance diagonal. Put the AUC
   * in each curve's label; the legend shows it.
   */
  public static Path roc(List<Curve> curves, Path file) {
    Objects.requireNonNull(curves, "curves");
    XYChart chart = xy("ROC curve", "false positive rate", "true positive rate");
    unitSquare(chart);
    List<String> left = addCurves(chart, curves, false);
    reference(chart, "chance", new double[] {0, 1}, new double[] {0, 1});
    chart.getStyler().setLegendPosition(LegendPosition.InsideSE);
    noteIfEmpty(chart, curves.size() == left.size(), "no curves to draw");
    chart.setTitle(withLeftOut(chart.getTitle(), left));
    return write(chart, file);
  }

  /**
   * Precision-recall curves: recall against precision, with a horizontal no-skill line at {@code
   * positiveShare}, the share of positive labels (left out when NaN).
   */
  public static Path precisionRecall(List<Curve> curves, double positiveShare, Path file) {
    Objects.requireNonNull(curves, "curves");
    if (positiveShare < 0 || positiveShare > 1) {
      throw new IllegalArgumentException("positiveShare is " + positiveShare
          + ": pass the share of positive labels, between 0 and 1.");
    }
    XYChart chart = xy("Precision-recall curve", "recall", "precision");
    unitSquare(chart);
    List<String> left = addCurves(chart, curves, false);
    if (!Double.isNaN(positiveShare)) {
      reference(chart, "no skill (" + format("%.3f", positiveShare) + ")",
          new double[] {0, 1}, new double[] {positiveShare, positiveShare});
    }
    noteIfEmpty(chart, curves.size() == left.size(), "no curves to draw");
    chart.setTitle(withLeftOut(chart.getTitle(), left));
    return write(chart, file);
  }

  /**
   * Calibration (reliability) curves: mean predicted probability per bin against the observed share
   * of positives in that bin, one marker per bin, with the perfect-calibration diagonal. Empty bins can
   * be passed as NaN.
   */
  public static Path calibration(List<Curve> curves, Path file) {
    Objects.requireNonNull(curves, "curves");
    XYChart chart = xy("Calibration", "mean predicted probability", "observed share of positives");
    unitSquare(chart);
    List<String> left = addCurves(chart, curves, true);
    reference(chart, "perfectly calibrated", new double[] {0, 1}, new double[] {0, 1});
    chart.getStyler().setLegendPosition(LegendPosition.InsideNW);
    noteIfEmpty(chart, curves.size() == left.size(), "no curves to draw");
    chart.setTitle(withLeftOut(chart.getTitle(), left));
    return write(chart, file);
  }

  /**
   * The 2x2 confusion matrix at a decision threshold: actual class in rows, predicted class in columns,
   * each cell coloured by its count and labelled with the count and its share of all rows.
   */
  public static Path confusionMatrix(long trueNegatives, long falsePositives, long falseNegatives,
      long truePositives, double threshold, Path file) {
    long[] counts = {trueNegatives, falsePositives, falseNegatives, truePositives};
    if (Arrays.stream(counts).anyMatch(count -> count < 0)) {
      throw new IllegalArgumentException("Confusion matrix counts must not be negative, got TN="
          + trueNegatives + " FP=" + falsePositives + " FN=" + falseNegatives + " TP=" + truePositives);
    }
    double total = (double) trueNegatives + falsePositives + falseNegatives + truePositives;
    HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH).height(HEIGHT)
        .title("Confusion matrix at threshold " + format("%.3f", threshold)
            + (total == 0 ? " (no rows)" : ""))
        .xAxisTitle("predicted").yAxisTitle("actual").build();
    var styler = chart.getStyler();
    common(styler);
    styler.setLegendVisible(false);
    styler.setShowValue(true);
    styler.setValueFont(new Font(Font.SANS_SERIF, Font.BOLD, 20));
    styler.setValueFontColor(Color.BLACK);
    // Light colours only, so that the black counts stay readable on the fullest cell.
    styler.setRangeColors(new Color[] {Color.WHITE, new Color(0x9ECAE1), new Color(0x4292C6)});
    styler.setMin(0);
    styler.setMax(Math.max(1, Math.max(Math.max(trueNegatives, falsePositives),
        Math.max(falseNegatives, truePositives))));
    // The cell text is built from the cell's value, so the share is computed from it.
    styler.setHeatMapDecimalValueFormatter(count -> format("%,d", Math.round(count))
        + (total == 0 ? "" : format(" (%.1f%%)", 100 * count / total)));
    // y index 0 is drawn at the bottom; the actual negatives go on top, as in the usual layout.
    chart.addSeries("counts", List.of("negative", "positive"), List.of("positive", "negative"),
        List.of(new Number[] {0, 1, trueNegatives}, new Number[] {1, 1, falsePositives},
            new Number[] {0, 0, falseNegatives}, new Number[] {1, 0, truePositives}));
    return write(chart, file);
  }

  /**
   * Horizontal bars of the {@code top} largest importances by absolute value, largest on top; negative
   * values (such as signed coefficients) point left in another colour. Keep {@code top} to about 40 or
   * fewer for every name to get its own label.
   */
  public static Path featureImportance(Map<String, Double> importance, int top, String title,
      Path file) {
    Objects.requireNonNull(title, "title");
    if (top < 1) {
      throw new IllegalArgumentException("top is " + top + ": pass how many features to show, at least 1.");
    }
    List<String> left = new ArrayList<>();
    List<Map.Entry<String, Double>> finite = finiteEntries(importance, left);
    // Smallest first: the first bar is drawn at the bottom.
    List<Map.Entry<String, Double>> shown = new ArrayList<>(finite.stream()
        .sorted(Comparator.comparingDouble((Map.Entry<String, Double> e) -> Math.abs(e.getValue()))
            .reversed().thenComparing(Map.Entry::getKey))
        .limit(top).toList());
    Collections.reverse(shown);
    boolean anyNegative = shown.stream().anyMatch(e -> e.getValue() < 0);
    String fullTitle = title
        + (shown.size() < finite.size() ? " (top " + shown.size() + " of " + finite.size() + ")" : "");
    XYChart chart = xy(withLeftOut(fullTitle, left),
        anyNegative ? "importance (negative in red)" : "importance", null);
    var styler = chart.getStyler();
    styler.setLegendVisible(false);
    styler.setPlotGridHorizontalLinesVisible(false);
    if (shown.isEmpty()) {
      return write(placeholder(chart, "no finite importances to draw"), file);
    }
    // XChart 3.8.8 has no horizontal bar chart, so each bar is a thick line at y = its rank. With a
    // custom label function and equally spaced y values, XChart puts one tick on each value, and the
    // function names it. The axis runs one step past both ends; those two ticks get distinct blanks,
    // because XChart thins out the ticks when two labels are equal.
    int n = shown.size();
    List<String> names = tickNames(shown);
    styler.setYAxisMin(-1.0);
    styler.setYAxisMax((double) n);
    chart.setCustomYAxisTickLabelsFormatter(y -> {
      long rank = Math.round(y);
      return rank < 0 ? " " : rank >= n ? "  " : names.get((int) rank);
    });
    // The plot is about HEIGHT - 100 pixels tall; a bar fills 70% of its step.
    float thickness = Math.max(1f, 0.7f * (HEIGHT - 100) / (n + 1));
    for (int rank = 0; rank < n; rank++) {
      double value = shown.get(rank).getValue();
      XYSeries bar = chart.addSeries("bar " + rank, new double[] {0, value}, new double[] {rank, rank});
      bar.setMarker(SeriesMarkers.NONE);
      bar.setLineStyle(new BasicStroke(thickness, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER));
      bar.setLineColor(value < 0 ? NEGATIVE : POSITIVE);
    }
    return write(chart, file);
  }

  /**
   * One line per named series of per-iteration values (a training objective history, validation log
   * loss per tree), against the iteration number from 1. NaN values leave a gap.
   */
  public static Path iterations(String title, String yLabel, Map<String, double[]> series,
      Path file) {
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
    chart.setTitle(withLeftOut(title, left));
    if (chart.getSeriesMap().isEmpty()) {
      return write(placeholder(chart, "no iterations to draw"), file);
    }
    return write(chart, file);
  }

  /**
   * One labelled bar per model for one metric (candidates and the naive baseline, say), in the map's
   * iteration order.
   */
  public static Path comparison(Map<String, Double> scores, String metric, Path file) {
    Objects.requireNonNull(metric, "metric");
    List<String> left = new ArrayList<>();
    List<Map.Entry<String, Double>> finite = finiteEntries(scores, left);
    String title = withLeftOut("Models by " + metric, left);
    if (finite.isEmpty()) {
      return write(placeholder(xy(title, "model", metric), "no finite scores to draw"), file);
    }
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
        .xAxisTitle("model").yAxisTitle(metric).build();
    var styler = chart.getStyler();
    common(styler);
    styler.setLegendVisible(false);
    styler.setLabelsVisible(true);
    styler.setDecimalPattern("0.0000");
    styler.setYAxisDecimalPattern("0.00");
    if (finite.size() > 4) {
      styler.setXAxisLabelRotation(30);
    }
    chart.addSeries(metric, finite.stream().map(Map.Entry::getKey).toList(),
        finite.stream().map(Map.Entry::getValue).toList());
    return write(chart, file);
  }

  private static XYChart xy(String title, String xTitle, String yTitle) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
        .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
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
    int[] kept = IntStream.range(0, x.length)
        .filter(i -> Double.isFinite(x[i]) && Double.isFinite(y[i])).toArray();
    if (kept.length == 0) {
      return false;
    }
    XYSeries series = chart.addSeries(uniqueName(chart, curve.label()),
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

  private static List<Map.Entry<String, Double>> finiteEntries(Map<String, Double> values,
      List<String> left) {
    List<Map.Entry<String, Double>> finite = new ArrayList<>();
    values.forEach((name, value) -> {
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
      String name = entry.getKey();
      String label = name.length() <= 40
          ? name : name.substring(0, 19) + "…" + name.substring(name.length() - 19);
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
      chart.addAnnotation(new AnnotationText(note, 0.5, 0.5, false));
    }
  }

  /** An XY chart with nothing to plot: fixed unit axes, no legend, and the note in the middle. */
  private static XYChart placeholder(XYChart chart, String note) {
    unitSquare(chart);
    chart.getStyler().setLegendVisible(false);
    // An invisible point, because XChart cannot lay out axes without any series.
    XYSeries anchor = chart.addSeries(" ", new double[] {0.5}, new double[] {0.5});
    anchor.setMarker(SeriesMarkers.NONE);
    anchor.setShowInLegend(false);
    noteIfEmpty(chart, true, note);
    return chart;
  }

  private static String withLeftOut(String title, List<String> left) {
    return left.isEmpty() ? title : title + " (no finite data: " + String.join(", ", left) + ")";
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
      throw new UncheckedIOException("Could not write the plot " + file + " (" + e.getMessage()
          + "): check that its directory is writable and the disk is not full.", e);
    }
  }
}
