// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.scoring;

import static io.lakepipe.serving.OnnxTestBundles.expected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.lakepipe.serving.BundleException;
import io.lakepipe.serving.OnnxTestBundles;
import io.lakepipe.serving.TestBundles;
import io.lakepipe.serving.bundle.Bundle;
import io.lakepipe.serving.bundle.FolderBundleSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxScorerTest {
  // ONNX Runtime computes in float32, the hand formula in double.
  private static final double TOLERANCE = 1e-6;

  @TempDir Path dir;

  private Scorer scorer(String file) {
    return Scorer.of(
        new FolderBundleSource(OnnxTestBundles.write(dir.resolve(file), file, "1")).load());
  }

  private static Map<String, Object> record(Long hour, Double distance, String origin) {
    Map<String, Object> record = new HashMap<>();
    record.put("hour", hour);
    record.put("distance", distance);
    record.put("origin", origin);
    return record;
  }

  private static Bundle bundle(String manifest, byte[] model) {
    return Bundle.of("here", null, manifest.getBytes(StandardCharsets.UTF_8), model);
  }

  @Test
  void anOnnxBundleGetsTheOnnxScorerAndAPmmlBundleThePmmlOne() {
    assertThat(scorer(OnnxTestBundles.LR)).isInstanceOf(OnnxScorer.class);
    Path pmml = TestBundles.write(dir.resolve("pmml"), "lr-v1", "1");
    assertThat(Scorer.of(new FolderBundleSource(pmml).load())).isInstanceOf(PmmlScorer.class);
  }

  @Test
  void scoresTheLogisticFormula() {
    Scorer scorer = scorer(OnnxTestBundles.LR);
    for (String origin : List.of("ORD", "ATL", "DFW")) {
      for (long hour : new long[] {0, 7, 23}) {
        for (double distance : new double[] {0, 250.0, 1234.5, 4000}) {
          Prediction p = scorer.score(record(hour, distance, origin));
          assertThat(p.probability())
              .as("%s %s %s", hour, distance, origin)
              .isCloseTo(expected((double) hour, distance, origin), within(TOLERANCE));
          assertThat(p.unknownCategories()).isEmpty();
          assertThat(p.missingInputs()).isEmpty();
        }
      }
    }
    // -1.2 + 0.5 + 0.5 + 0.4 = 0.2
    assertThat(scorer.score(record(10L, 1000.0, "ORD")).probability())
        .isCloseTo(1 / (1 + Math.exp(-0.2)), within(TOLERANCE));
  }

  @Test
  void aMissingNumberIsNanThatTheGraphReplaces() {
    Prediction p = scorer(OnnxTestBundles.LR).score(record(null, 1000.0, "ATL"));
    assertThat(p.probability()).isCloseTo(expected(13.5, 1000.0, "ATL"), within(TOLERANCE));
    assertThat(p.missingInputs()).containsExactly("hour");
    assertThat(p.unknownCategories()).isEmpty();
  }

  @Test
  void aNanProbabilityIsUnscorableNamingTheMissingInputs() {
    // The graph has no replacement for distance: NaN in, NaN out.
    Scorer scorer = scorer(OnnxTestBundles.LR);
    assertThatThrownBy(() -> scorer.score(record(null, null, "ORD")))
        .isInstanceOf(UnscorableRecordException.class)
        .satisfies(
            e ->
                assertThat(((UnscorableRecordException) e).missingInputs())
                    .containsExactly("hour", "distance"));
  }

  @Test
  void unknownAndMissingCategoriesAreScoredAsNoCategoryAndReported() {
    Scorer scorer = scorer(OnnxTestBundles.LR);
    Prediction unknown = scorer.score(record(10L, 1000.0, "XXX"));
    assertThat(unknown.probability()).isCloseTo(expected(10.0, 1000.0, "XXX"), within(TOLERANCE));
    assertThat(unknown.unknownCategories()).containsExactly("origin");
    assertThat(unknown.missingInputs()).isEmpty();

    Prediction missing = scorer.score(record(10L, 1000.0, null));
    assertThat(missing.probability()).isEqualTo(unknown.probability());
    assertThat(missing.unknownCategories()).isEmpty();
    assertThat(missing.missingInputs()).containsExactly("origin");

    // An empty string is what a missing category travels as: the same score, but it was sent.
    Prediction empty = scorer.score(record(10L, 1000.0, ""));
    assertThat(empty.probability()).isEqualTo(unknown.probability());
    assertThat(empty.unknownCategories()).containsExactly("origin");
  }

  @Test
  void withoutCategoriesInTheMetadataNoCategoryIsReportedUnknown() {
    Prediction p = scorer(OnnxTestBundles.NO_CATEGORIES).score(record(10L, 1000.0, "XXX"));
    assertThat(p.probability()).isCloseTo(expected(10.0, 1000.0, "XXX"), within(TOLERANCE));
    assertThat(p.unknownCategories()).isEmpty();
  }

  @Test
  void aBatchGivesWhatEachRecordGivesAlone() {
    Scorer scorer = scorer(OnnxTestBundles.LR);
    String[] origins = {"ORD", "ATL", "DFW", "XXX", null};
    List<Map<String, Object>> records = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      records.add(record(i % 3 == 0 ? null : (long) (i % 24), 37.5 * i, origins[i % 5]));
    }
    List<Prediction> batch = scorer.scoreAll(records);
    assertThat(batch).hasSize(records.size());
    for (int i = 0; i < records.size(); i++) {
      assertThat(batch.get(i)).isEqualTo(scorer.score(records.get(i)));
    }
    assertThat(scorer.scoreAll(List.of())).isEmpty();

    records.set(17, record(3L, null, "ORD"));
    assertThatThrownBy(() -> scorer.scoreAll(records))
        .isInstanceOf(UnscorableRecordException.class)
        .satisfies(
            e ->
                assertThat(((UnscorableRecordException) e).missingInputs())
                    .containsExactly("distance"));
  }

  @Test
  void oneScorerGivesTheSameAnswersToManyThreads() throws Exception {
    Scorer scorer = scorer(OnnxTestBundles.LR);
    String[] origins = {"ORD", "ATL", "DFW", "XXX", null};
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> mismatches = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int seed = t;
        mismatches.add(
            pool.submit(
                () -> {
                  int bad = 0;
                  for (int i = 0; i < 2_000; i++) {
                    int hour = (i + seed) % 24;
                    String origin = origins[(i + seed) % origins.length];
                    Map<String, Object> one = record((long) hour, 10.0 * i, origin);
                    double p =
                        i % 2 == 0
                            ? scorer.score(one).probability()
                            : scorer.scoreAll(List.of(one, one)).get(1).probability();
                    if (Math.abs(p - expected((double) hour, 10.0 * i, origin)) > TOLERANCE) {
                      bad++;
                    }
                  }
                  return bad;
                }));
      }
      for (Future<Integer> f : mismatches) {
        assertThat(f.get()).isZero();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aDeclaredInputTheGraphDoesNotReadIsCarriedButNotPassedToTheModel() {
    byte[] model = OnnxTestBundles.model(OnnxTestBundles.LR);
    String manifest =
        OnnxTestBundles.manifest("1", model)
            .replace(
                "{\"name\": \"origin\", \"type\": \"string\"}",
                "{\"name\": \"origin\", \"type\": \"string\"},"
                    + " {\"name\": \"destination\", \"type\": \"string\"}");
    Scorer scorer = Scorer.of(bundle(manifest, model));
    assertThat(scorer.inputs()).extracting(input -> input.name()).contains("destination");

    Prediction p = scorer.score(record(10L, 1000.0, "ORD"));
    assertThat(p.probability()).isCloseTo(expected(10.0, 1000.0, "ORD"), within(TOLERANCE));
    assertThat(p.missingInputs()).containsExactly("destination");
  }

  @Test
  void anOnnxInputThatTheBundleDoesNotDeclareIsRefused() {
    byte[] model = OnnxTestBundles.model(OnnxTestBundles.LR);
    String manifest =
        OnnxTestBundles.manifest("1", model)
            .replace(", {\"name\": \"distance\", \"type\": \"double\"}", "");
    assertThatThrownBy(() -> Scorer.of(bundle(manifest, model)))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining(
            "model.onnx at here reads the input 'distance', which bundle.json does not declare"
                + " (it declares [hour, origin])");
  }

  @Test
  void anInputOfTheWrongTypeIsRefused() {
    byte[] model = OnnxTestBundles.model(OnnxTestBundles.LR);
    String manifest =
        OnnxTestBundles.manifest("1", model)
            .replace(
                "{\"name\": \"origin\", \"type\": \"string\"}",
                "{\"name\": \"origin\", \"type\": \"double\"}");
    assertThatThrownBy(() -> Scorer.of(bundle(manifest, model)))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining(
            "declares the input 'origin' as double, but model.onnx reads it as tensor(string) [N, 1]");

    byte[] doubleHour = OnnxTestBundles.model(OnnxTestBundles.HOUR_DOUBLE);
    assertThatThrownBy(
            () -> Scorer.of(bundle(OnnxTestBundles.manifest("1", doubleHour), doubleHour)))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining(
            "declares the input 'hour' as integer, but model.onnx reads it as tensor(double) [N, 1]")
        .hasMessageContaining("numbers (double, long, integer) must be tensor(float)");
  }

  @Test
  void anInputThatIsNotAColumnIsRefused() {
    byte[] model = OnnxTestBundles.model(OnnxTestBundles.HOUR_RANK1);
    assertThatThrownBy(() -> Scorer.of(bundle(OnnxTestBundles.manifest("1", model), model)))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("reads the input 'hour' with the shape [N]")
        .hasMessageContaining("must be [N, 1]");
  }

  @Test
  void aModelWithoutAProbabilityOutputIsRefused() {
    byte[] model = OnnxTestBundles.model(OnnxTestBundles.NO_PROBABILITY);
    assertThatThrownBy(() -> Scorer.of(bundle(OnnxTestBundles.manifest("1", model), model)))
        .isInstanceOf(BundleException.class)
        .hasMessageStartingWith(
            "model.onnx at here has no output named 'probability' (it has [score])");
  }

  @Test
  void bytesThatAreNotOnnxAreRefused() {
    byte[] model = "<html>not a model</html>".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Scorer.of(bundle(OnnxTestBundles.manifest("1", model), model)))
        .isInstanceOf(BundleException.class)
        .hasMessageStartingWith("ONNX Runtime cannot load model.onnx at here");
  }

  @Test
  void categoriesMetadataThatIsNotAnArrayOfStringsIsRefused() {
    // The metadata value is plain bytes in the model: swap the array for an object of one length.
    byte[] model = OnnxTestBundles.model(OnnxTestBundles.LR);
    String text = new String(model, StandardCharsets.ISO_8859_1);
    String categories = "[\"ORD\", \"ATL\", \"DFW\"]";
    assertThat(text).contains(categories);
    byte[] broken =
        text.replace(categories, "{\"ORD\": 1, \"ATL\": 22}").getBytes(StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> Scorer.of(bundle(OnnxTestBundles.manifest("1", broken), broken)))
        .isInstanceOf(BundleException.class)
        .hasMessageStartingWith(
            "The metadata 'lakepipe.categories.origin' of model.onnx at here is not a JSON array");
  }
}
