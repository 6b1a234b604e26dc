// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.plots;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PlotsTest {
  static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  // Bar colours in Plots: positive importances, and the comparison bars.
  static final int BAR = 0x1F77B4;
  static final int COMPARISON_BAR = 0x6BAED6;

  @TempDir Path dir;

  static final Curve GOOD =
      new Curve(
          "good (AUC 0.90)",
          new double[] {0, 0.05, 0.1, 0.3, 1},
          new double[] {0, 0.6, 0.8, 0.95, 1});
  static final Curve POOR =
      new Curve("poor (AUC 0.60)", new double[] {0, 0.3, 0.6, 1}, new double[] {0, 0.4, 0.7, 1});

  static Stream<Arguments> everyPlot() {
    Map<String, Double> importance = new LinkedHashMap<>();
    importance.put("distance", 0.4);
    importance.put("hour", -0.8);
    importance.put("origin_ORD", 0.1);
    Map<String, double[]> history = Map.of("objective", new double[] {0.69, 0.5, 0.45, 0.44});
    Map<String, Double> scores = new LinkedHashMap<>();
    scores.put("logistic regression", 0.81);
    scores.put("naive baseline", 0.5);
    return Stream.of(
        plot("roc", file -> Plots.roc(List.of(GOOD, POOR), file)),
        plot("precisionRecall", file -> Plots.precisionRecall(List.of(GOOD), 0.2, file)),
        plot("calibration", file -> Plots.calibration(List.of(GOOD), file)),
        plot("confusionMatrix", file -> Plots.confusionMatrix(800, 50, 70, 80, 0.5, file)),
        plot("featureImportance", file -> Plots.featureImportance(importance, 10, "Weights", file)),
        plot("iterations", file -> Plots.iterations("History", "loss", history, file)),
        plot("comparison", file -> Plots.comparison(scores, "AUC", file)));
  }

  static Arguments plot(String name, Function<Path, Path> draw) {
    return Arguments.of(name, draw);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyPlot")
  void everyPlotWritesAPngOfTheFixedSizeWithSomethingDrawn(String name, Function<Path, Path> draw)
      throws IOException {
    Path file = dir.resolve(name + ".png");

    assertThat(draw.apply(file)).isEqualTo(file);

    BufferedImage image = png(file);
    // A chart has a background, axes, text and data: far more than a handful of colours.
    assertThat(colours(image)).isGreaterThan(20);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyPlot")
  void everyPlotCreatesMissingDirectoriesAndReplacesAnOldFile(
      String name, Function<Path, Path> draw) throws IOException {
    Path file = dir.resolve("run/42/plots/" + name + ".png");
    draw.apply(file);
    byte[] first = Files.readAllBytes(file);
    Files.writeString(file, "stale");

    draw.apply(file);

    // Same input, same bytes: the drawing is deterministic and the stale content is gone.
    assertThat(Files.readAllBytes(file)).isEqualTo(first);
  }

  @Test
  void drawingForcesHeadlessMode() {
    Plots.roc(List.of(GOOD), dir.resolve("roc.png"));

    assertThat(System.getProperty("java.awt.headless")).isEqualTo("true");
  }

  @Test
  void differentCurvesDrawDifferentPixels() throws IOException {
    BufferedImage good = png(Plots.roc(List.of(GOOD), dir.resolve("good.png")));
    BufferedImage poor = png(Plots.roc(List.of(POOR), dir.resolve("poor.png")));

    assertThat(differingPixels(good, poor)).isGreaterThan(500);
  }

  @Test
  void countsAreWrittenAsText() throws IOException {
    // Twice the counts: same shades and shares, so only the digits in the cells can differ.
    BufferedImage small = png(Plots.confusionMatrix(10, 5, 5, 10, 0.5, dir.resolve("small.png")));
    BufferedImage large = png(Plots.confusionMatrix(20, 10, 10, 20, 0.5, dir.resolve("large.png")));

    assertThat(differingPixels(small, large)).isGreaterThan(50);
  }

  @Test
  void theThresholdIsInTheTitle() throws IOException {
    BufferedImage half = png(Plots.confusionMatrix(10, 5, 5, 10, 0.5, dir.resolve("half.png")));
    BufferedImage high = png(Plots.confusionMatrix(10, 5, 5, 10, 0.7, dir.resolve("high.png")));

    // Only the title changes, and it is at the top.
    assertThat(differingPixels(half, high)).isGreaterThan(10);
    assertThat(differingPixels(below(half, 40), below(high, 40))).isZero();
  }

  @Test
  void featureImportanceDrawsOnlyTheTopBarsLargestOnTop() throws IOException {
    Map<String, Double> importance = new LinkedHashMap<>();
    for (int i = 1; i <= 10; i++) {
      importance.put("feature_" + i, 0.1 * i);
    }

    BufferedImage image =
        png(Plots.featureImportance(importance, 3, "Importance", dir.resolve("importance.png")));

    List<Integer> lengths = barLengths(image);
    assertThat(lengths).hasSize(3);
    // feature_10, feature_9, feature_8 from the top: 1.0, 0.9 and 0.8 of the longest bar.
    assertThat(lengths).isSortedAccordingTo((a, b) -> b - a);
    assertThat(lengths.get(2) / (double) lengths.get(0)).isBetween(0.75, 0.85);
  }

  @Test
  void featureImportanceRanksByAbsoluteValue() throws IOException {
    Map<String, Double> importance = new LinkedHashMap<>();
    importance.put("small", 0.1);
    importance.put("large negative", -0.9);
    importance.put("medium", 0.5);

    BufferedImage image =
        png(Plots.featureImportance(importance, 2, "Weights", dir.resolve("weights.png")));

    // The negative bar is red, so the only blue bar is "medium": "small" is not drawn.
    assertThat(barLengths(image)).hasSize(1);
  }

  @Test
  void nonFinitePointsAreLeftOutOfCurves() throws IOException {
    Curve withEmptyBin =
        new Curve(
            "test",
            new double[] {0.1, Double.NaN, 0.5, 0.9},
            new double[] {0.15, Double.NaN, 0.45, Double.POSITIVE_INFINITY});
    Curve finiteOnly = new Curve("test", new double[] {0.1, 0.5}, new double[] {0.15, 0.45});

    BufferedImage drawn = png(Plots.calibration(List.of(withEmptyBin), dir.resolve("nan.png")));
    BufferedImage expected = png(Plots.calibration(List.of(finiteOnly), dir.resolve("finite.png")));

    assertThat(differingPixels(drawn, expected)).isZero();
  }

  @Test
  void nonFiniteScoresAreLeftOut() throws IOException {
    Map<String, Double> scores = new LinkedHashMap<>();
    scores.put("candidate", 0.8);
    scores.put("broken", Double.NaN);
    scores.put("baseline", 0.5);

    BufferedImage image = png(Plots.comparison(scores, "AUC", dir.resolve("nan.png")));

    // Just above the bars' base: two bars, each in one of two slots (three slots would be
    // narrower).
    int base = lowestRow(image, COMPARISON_BAR);
    List<Integer> bars = runs(image, base - 5, COMPARISON_BAR);
    assertThat(bars).hasSize(2).allSatisfy(width -> assertThat(width).isGreaterThan(280));
  }

  @Test
  void emptyInputsStillWriteAChartWithANote() throws IOException {
    List<Path> files =
        List.of(
            Plots.roc(List.of(), dir.resolve("roc.png")),
            Plots.precisionRecall(List.of(), 0.3, dir.resolve("pr.png")),
            Plots.calibration(List.of(), dir.resolve("calibration.png")),
            Plots.confusionMatrix(0, 0, 0, 0, 0.5, dir.resolve("confusion.png")),
            Plots.featureImportance(Map.of(), 5, "Importance", dir.resolve("importance.png")),
            Plots.iterations("History", "loss", Map.of(), dir.resolve("iterations.png")),
            Plots.comparison(Map.of(), "AUC", dir.resolve("comparison.png")));

    for (Path file : files) {
      assertThat(colours(png(file))).as(file.toString()).isGreaterThan(2);
    }
  }

  @Test
  void emptyCurveListsDrawANoteInsteadOfCurves() throws IOException {
    BufferedImage empty = png(Plots.roc(List.of(), dir.resolve("empty.png")));
    BufferedImage allNaN =
        png(
            Plots.roc(
                List.of(new Curve("nan", new double[] {Double.NaN}, new double[] {0.5})),
                dir.resolve("nan.png")));
    BufferedImage drawn = png(Plots.roc(List.of(GOOD), dir.resolve("good.png")));

    assertThat(differingPixels(empty, drawn)).isGreaterThan(500);
    // All-NaN is drawn as empty, plus the name of what was left out under the x axis.
    assertThat(differingPixels(empty, allNaN)).isGreaterThan(10);
  }

  @Test
  void nonFiniteAndSinglePointInputsDoNotFail() throws IOException {
    Map<String, Double> nanImportance = new LinkedHashMap<>();
    nanImportance.put("nan", Double.NaN);
    nanImportance.put("infinite", Double.NEGATIVE_INFINITY);
    nanImportance.put("zero", 0.0);
    Map<String, double[]> nanHistory =
        Map.of(
            "objective", new double[] {Double.NaN, 0.5, Double.NaN},
            "all NaN", new double[] {Double.NaN});
    Curve point = new Curve("one threshold", new double[] {0.2}, new double[] {0.7});

    List<Path> files =
        List.of(
            Plots.roc(List.of(point, point), dir.resolve("roc.png")),
            Plots.precisionRecall(List.of(point), Double.NaN, dir.resolve("pr.png")),
            Plots.calibration(List.of(point), dir.resolve("calibration.png")),
            Plots.confusionMatrix(0, 0, 0, 1, Double.NaN, dir.resolve("confusion.png")),
            Plots.featureImportance(nanImportance, 3, "Importance", dir.resolve("importance.png")),
            Plots.featureImportance(Map.of("only", 0.3), 1, "One", dir.resolve("one.png")),
            Plots.iterations("History", "loss", nanHistory, dir.resolve("iterations.png")),
            Plots.iterations(
                "One", "loss", Map.of("one", new double[] {0.4}), dir.resolve("once.png")),
            Plots.comparison(Map.of("only", 0.7), "AUC", dir.resolve("comparison.png")));

    for (Path file : files) {
      png(file);
    }
  }

  @Test
  void callerMistakesAreRejectedWithAClearMessage() {
    Path file = dir.resolve("bad.png");

    assertThatThrownBy(() -> new Curve("roc", new double[] {0, 1}, new double[] {0}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 x values but 1 y");
    assertThatThrownBy(() -> Plots.featureImportance(Map.of("a", 1.0), 0, "Importance", file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("top is 0");
    assertThatThrownBy(() -> Plots.confusionMatrix(1, -1, 0, 0, 0.5, file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("FP=-1");
    assertThatThrownBy(() -> Plots.precisionRecall(List.of(GOOD), 1.5, file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("positiveShare is 1.5");
    assertThat(file).doesNotExist();
  }

  @Test
  void aFileThatCannotBeWrittenSaysWhich() throws IOException {
    Path blocker = Files.writeString(dir.resolve("not-a-directory"), "");
    Path file = blocker.resolve("roc.png");

    assertThatThrownBy(() -> Plots.roc(List.of(GOOD), file))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  void curvesAreImmutableValues() {
    double[] x = {0, 1};
    Curve curve = new Curve("c", x, new double[] {0, 1});
    x[1] = 0.5;
    curve.x()[0] = 0.5;

    assertThat(curve.x()).containsExactly(0, 1);
    assertThat(curve)
        .isEqualTo(new Curve("c", new double[] {0, 1}, new double[] {0, 1}))
        .hasSameHashCodeAs(new Curve("c", new double[] {0, 1}, new double[] {0, 1}));
  }

  /** Checks the file is a PNG that decodes to the fixed size, and returns the image. */
  static BufferedImage png(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    assertThat(bytes).as("PNG signature of " + file).startsWith(PNG_SIGNATURE);
    BufferedImage image = ImageIO.read(file.toFile());
    assertThat(image).as("decoded " + file).isNotNull();
    assertThat(image.getWidth()).isEqualTo(800);
    assertThat(image.getHeight()).isEqualTo(600);
    return image;
  }

  static int colours(BufferedImage image) {
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        colours.add(image.getRGB(x, y));
      }
    }
    return colours.size();
  }

  static long differingPixels(BufferedImage a, BufferedImage b) {
    long count = 0;
    for (int y = 0; y < a.getHeight(); y++) {
      for (int x = 0; x < a.getWidth(); x++) {
        if (a.getRGB(x, y) != b.getRGB(x, y)) {
          count++;
        }
      }
    }
    return count;
  }

  /**
   * Lengths in pixels of the blue bars, from the top: finds the leftmost blue column, follows it
   * down to separate the bars, and measures each along its middle row.
   */
  static List<Integer> barLengths(BufferedImage image) {
    int left = -1;
    for (int x = 0; x < image.getWidth() && left < 0; x++) {
      for (int y = 0; y < image.getHeight(); y++) {
        if (isBar(image, x, y)) {
          left = x;
          break;
        }
      }
    }
    List<Integer> lengths = new ArrayList<>();
    if (left < 0) {
      return lengths;
    }
    int column = left + 2;
    for (int y = 0; y < image.getHeight(); y++) {
      if (isBar(image, column, y)) {
        int top = y;
        while (y < image.getHeight() && isBar(image, column, y)) {
          y++;
        }
        int middle = (top + y) / 2;
        int length = 0;
        while (column + length < image.getWidth() && isBar(image, column + length, middle)) {
          length++;
        }
        lengths.add(length);
      }
    }
    return lengths;
  }

  static BufferedImage below(BufferedImage image, int top) {
    return image.getSubimage(0, top, image.getWidth(), image.getHeight() - top);
  }

  static int lowestRow(BufferedImage image, int rgb) {
    for (int y = image.getHeight() - 1; y >= 0; y--) {
      if (!runs(image, y, rgb).isEmpty()) {
        return y;
      }
    }
    throw new AssertionError("no pixel of colour " + Integer.toHexString(rgb));
  }

  /** Lengths of the runs of one colour along a row, left to right. */
  static List<Integer> runs(BufferedImage image, int y, int rgb) {
    List<Integer> runs = new ArrayList<>();
    for (int x = 0; x < image.getWidth(); x++) {
      int start = x;
      while (x < image.getWidth() && (image.getRGB(x, y) & 0xFFFFFF) == rgb) {
        x++;
      }
      if (x > start) {
        runs.add(x - start);
      }
    }
    return runs;
  }

  static boolean isBar(BufferedImage image, int x, int y) {
    return (image.getRGB(x, y) & 0xFFFFFF) == BAR;
  }
}
