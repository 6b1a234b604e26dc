// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.scoring;

import static io.lakepipe.serving.TestBundles.expected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.lakepipe.serving.BundleException;
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

class ScorerTest {
  // PMML4S computes the logit and sigmoid as the hand formula does, up to rounding.
  private static final double TOLERANCE = 1e-12;

  @TempDir Path dir;

  private Scorer scorer(String name) {
    return Scorer.of(
        new FolderBundleSource(TestBundles.write(dir.resolve(name), name, "1")).load());
  }

  private static Map<String, Object> record(Long hour, Double distance, String origin) {
    Map<String, Object> record = new HashMap<>();
    record.put("hour", hour);
    record.put("distance", distance);
    record.put("origin", origin);
    return record;
  }

  @Test
  void scoresKnownProbabilities() {
    Scorer scorer = scorer("lr-v1");
    for (String origin : List.of("ORD", "ATL", "DFW")) {
      for (long hour : new long[] {0, 7, 23}) {
        Prediction p = scorer.score(record(hour, 1234.5, origin));
        assertThat(p.probability())
            .isCloseTo(expected(1, (int) hour, 1234.5, origin), within(TOLERANCE));
        assertThat(p.unknownCategories()).isEmpty();
        assertThat(p.missingInputs()).isEmpty();
      }
    }
    // -1.2 + 0.5 + 0.5 + 0.4 = 0.2
    assertThat(scorer.score(record(10L, 1000.0, "ORD")).probability())
        .isCloseTo(1 / (1 + Math.exp(-0.2)), within(TOLERANCE));
  }

  @Test
  void aMissingNumberTakesThePmmlReplacementCastToTheFieldType() {
    Prediction p = scorer("lr-v1").score(record(null, 1000.0, "ATL"));
    // hour's replacement 13.5 becomes 13 on an integer field, as Spark's Imputer casts its
    // surrogate.
    assertThat(p.probability()).isCloseTo(expected(1, 13, 1000.0, "ATL"), within(TOLERANCE));
    assertThat(p.missingInputs()).containsExactly("hour");

    Prediction noDistance = scorer("lr-v1").score(record(10L, null, "ATL"));
    assertThat(noDistance.probability())
        .isCloseTo(expected(1, 10, 800.0, "ATL"), within(TOLERANCE));
  }

  @Test
  void anUnknownCategoryIsScoredAsNoCategoryAndFlagged() {
    Scorer scorer = scorer("lr-v1");
    Prediction unknown = scorer.score(record(10L, 1000.0, "XXX"));
    assertThat(unknown.probability()).isCloseTo(expected(1, 10, 1000.0, "XXX"), within(TOLERANCE));
    assertThat(unknown.unknownCategories()).containsExactly("origin");

    Prediction missing = scorer.score(record(10L, 1000.0, null));
    assertThat(missing.probability()).isCloseTo(unknown.probability(), within(TOLERANCE));
    assertThat(missing.unknownCategories()).isEmpty();
    assertThat(missing.missingInputs()).containsExactly("origin");
  }

  @Test
  void unknownCategoriesAreScoredWhateverTheInvalidValueTreatment() {
    for (String treatment :
        List.of(
            "",
            "invalidValueTreatment=\"asIs\"",
            "invalidValueTreatment=\"returnInvalid\"",
            "invalidValueTreatment=\"asMissing\"")) {
      Path bundle =
          TestBundles.write(
              dir.resolve("t" + treatment.hashCode()),
              "lr-v1",
              "1",
              pmml ->
                  pmml.replace(
                      "invalidValueTreatment=\"asValue\" invalidValueReplacement=\"__unknown\"",
                      treatment));
      Prediction p =
          Scorer.of(new FolderBundleSource(bundle).load()).score(record(10L, 1000.0, "XXX"));
      assertThat(p.probability())
          .as(treatment)
          .isCloseTo(expected(1, 10, 1000.0, "XXX"), within(TOLERANCE));
      assertThat(p.unknownCategories()).containsExactly("origin");
    }
  }

  @Test
  void aMissingNumberWithoutReplacementIsUnscorable() {
    Path bundle =
        TestBundles.write(
            dir.resolve("noreplace"),
            "lr-v1",
            "1",
            pmml -> pmml.replace(" missingValueReplacement=\"800.0\"", ""));
    Scorer scorer = Scorer.of(new FolderBundleSource(bundle).load());

    assertThatThrownBy(() -> scorer.score(record(10L, null, "ORD")))
        .isInstanceOf(UnscorableRecordException.class)
        .satisfies(
            e ->
                assertThat(((UnscorableRecordException) e).missingInputs())
                    .containsExactly("distance"));
  }

  @Test
  void aBundleWhoseOutputFieldTheModelLacksIsRefused() {
    String pmml = TestBundles.pmml("lr-v1");
    Bundle bundle =
        Bundle.of(
            "here",
            null,
            TestBundles.manifest("1", pmml, "probability(yes)", "0.5")
                .getBytes(StandardCharsets.UTF_8),
            pmml.getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> Scorer.of(bundle))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining(
            "names output_field 'probability(yes)', but model.pmml has no such output")
        .hasMessageContaining("probability(1)");

    Bundle notProbability =
        Bundle.of(
            "here",
            null,
            TestBundles.manifest("1", pmml, "prediction", "0.5").getBytes(StandardCharsets.UTF_8),
            pmml.getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> Scorer.of(notProbability))
        .hasMessageContaining("must name a probability output");
  }

  @Test
  void aModelInputThatTheBundleDoesNotDeclareIsRefused() {
    String pmml = TestBundles.pmml("lr-v1");
    String manifest =
        TestBundles.manifest("1", pmml)
            .replace(", {\"name\": \"distance\", \"type\": \"double\"}", "");
    Bundle bundle =
        Bundle.of(
            "here",
            null,
            manifest.getBytes(StandardCharsets.UTF_8),
            pmml.getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> Scorer.of(bundle))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("reads the input 'distance', which bundle.json does not declare");

    String wrongType =
        TestBundles.manifest("1", pmml)
            .replace(
                "{\"name\": \"origin\", \"type\": \"string\"}",
                "{\"name\": \"origin\", \"type\": \"double\"}");
    Bundle mismatch =
        Bundle.of(
            "here",
            null,
            wrongType.getBytes(StandardCharsets.UTF_8),
            pmml.getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> Scorer.of(mismatch))
        .hasMessageContaining("declares the input 'origin' as double");
  }

  @Test
  void aDocumentThatIsNotPmmlIsRefused() {
    String pmml = "<html>not a model</html>";
    Bundle bundle =
        Bundle.of(
            "here",
            null,
            TestBundles.manifest("1", pmml).getBytes(StandardCharsets.UTF_8),
            pmml.getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> Scorer.of(bundle))
        .isInstanceOf(BundleException.class)
        .hasMessageStartingWith("PMML4S cannot load model.pmml at here");
  }

  @Test
  void oneScorerGivesTheSameAnswersToManyThreads() throws Exception {
    Scorer scorer = scorer("lr-v1");
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
                  for (int i = 0; i < 20_000; i++) {
                    int hour = (i + seed) % 24;
                    String origin = origins[(i + seed) % origins.length];
                    double p = scorer.score(record((long) hour, 10.0 * i, origin)).probability();
                    if (Math.abs(p - expected(1, hour, 10.0 * i, origin)) > TOLERANCE) {
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
}
