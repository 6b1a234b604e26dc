// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.tracking.MlflowTracking;
import io.lakepipe.core.tracking.ModelVersion;
import io.lakepipe.core.tracking.Promotion;
import io.lakepipe.core.tracking.PromotionLock;
import io.lakepipe.core.tracking.TrackedRun;
import io.lakepipe.mlflow.MlflowLoggedModels.LoggedModel;
import io.lakepipe.mlflow.MlflowRestClient;
import io.lakepipe.train.evaluation.PairedComparison;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Registration against the real tracking server that {@code ./lakepipe services start} runs, with a
 * call failing half-way: the run it logs to is deleted on the server before the registration logs
 * the gate's decision to it.
 */
class RegistrationIT {
  private static final String MLFLOW =
      System.getProperty("mlflow.tracking.uri", "http://127.0.0.1:5000");
  private static final String METRIC = "roc_auc";
  // Short, so that a withheld answer times out quickly.
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(3);

  /** The route baseline's score, which every model registered here beats. */
  private static final double BASELINE = 0.55;

  private final String unique = UUID.randomUUID().toString().replace("-", "");
  private final String modelName = "lakepipe_registration_it_" + unique;
  private MlflowTracking tracking;
  private MlflowRestClient client;
  private String experimentId;
  @TempDir Path models;

  @BeforeEach
  void connect() {
    tracking = MlflowTracking.connect(MLFLOW, Duration.ofSeconds(10));
    client = MlflowRestClient.of(MLFLOW, System.getenv(), Duration.ofSeconds(10));
    experimentId = tracking.experimentId("lakepipe-registration-it-" + unique);
  }

  @AfterEach
  void close() {
    tracking.close();
  }

  private Registration registration(MlflowTracking through) {
    return new Registration(through, modelName, "challenger", "champion");
  }

  /** Registers a new run's model; {@code deleteRunFirst} makes the registration's run log fail. */
  private Registration.Result register(double score, boolean deleteRunFirst) {
    return register(tracking, score, BASELINE, deleteRunFirst);
  }

  /** The same through {@code through}, a client of the server or of a proxy in front of it. */
  private Registration.Result register(
      MlflowTracking through, double score, double baseline, boolean deleteRunFirst) {
    return through.withRun(
        experimentId,
        "train",
        Map.of(),
        run -> {
          LoggedModel model = logModel(run);
          if (deleteRunFirst) {
            client.runs().delete(run.runId());
          }
          return registration(through)
              .register(run, model, METRIC, score, baseline, 0.0, scored(score, champion -> 0.60));
        });
  }

  /** The champion compared by its score alone, as {@code championScore} gives it. */
  private static Function<ModelVersion, PairedComparison> scored(
      double challengerScore, ToDoubleFunction<ModelVersion> championScore) {
    return champion ->
        PairedComparison.ofScores(METRIC, challengerScore, championScore.applyAsDouble(champion));
  }

  /** A logged model of the run: a file standing for the model, which the gate never loads here. */
  private LoggedModel logModel(TrackedRun run) {
    try {
      Path dir = Files.createDirectories(models.resolve(run.runId()));
      Files.writeString(dir.resolve("MLmodel"), "artifact_path: model\n");
      return run.logModel("model", "test", dir, Map.of(), Map.of());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Two trainings at once: while training A scores champion v1, training B registers a better model
   * and takes the alias. A, better than v1 but worse than B's, must not take it back.
   */
  @Test
  void aChampionMovedByAnotherTrainingMeanwhileIsTheOneToBeat() {
    register(0.60, false);
    Map<String, Double> scores = Map.of("1", 0.60, "2", 0.80);

    Registration.Result a =
        tracking.withRun(
            experimentId,
            "train-a",
            Map.of(),
            run ->
                registration(tracking)
                    .register(
                        run,
                        logModel(run),
                        METRIC,
                        0.70,
                        BASELINE,
                        0.0,
                        scored(
                            0.70,
                            champion -> {
                              if (champion.version().equals("1")
                                  && tracking
                                      .findByAlias(modelName, "champion")
                                      .orElseThrow()
                                      .version()
                                      .equals("1")) {
                                // Training B, finishing while A is still scoring the champion.
                                tracking.withRun(
                                    experimentId,
                                    "train-b",
                                    Map.of(),
                                    b ->
                                        registration(tracking)
                                            .register(
                                                b,
                                                logModel(b),
                                                METRIC,
                                                0.80,
                                                BASELINE,
                                                0.0,
                                                scored(0.80, c -> scores.get(c.version()))));
                              }
                              return scores.get(champion.version());
                            })));

    assertThat(a.version().version()).isEqualTo("3");
    assertThat(a.decision().outcome()).isEqualTo(GateDecision.Outcome.KEPT_CHAMPION);
    assertThat(a.champion()).hasValueSatisfying(c -> assertThat(c.version()).isEqualTo("2"));
    assertThat(tracking.versionByAlias(modelName, "champion").version()).isEqualTo("2");
  }

  /**
   * Two promotions at once: training A has made its last check of the champion (v1) and its alias
   * call is slow to reach the server; meanwhile training B, better than both, checks and moves the
   * alias. Without a lock, A's late call would take the alias back from B's better model (the last
   * writer wins); with it, B waits for A's promotion, finds the champion moved and decides again.
   */
  @Test
  void twoPromotionsAtOnceNeverLeaveTheWorseModelChampion() throws Exception {
    register(0.60, false);
    Map<String, Double> scores = Map.of("1", 0.60, "2", 0.70, "3", 0.80);
    ExecutorService trainingA = Executors.newSingleThreadExecutor();
    try (FaultyMlflowProxy slowNetwork =
            new FaultyMlflowProxy(
                MLFLOW,
                "POST",
                "registered-models/alias",
                2, // the champion alias; the first is the challenger's
                FaultyMlflowProxy.Fault.DELAYED,
                Duration.ofSeconds(4));
        MlflowTracking slow = MlflowTracking.connect(slowNetwork.uri(), Duration.ofSeconds(10))) {
      Future<Registration.Result> a =
          trainingA.submit(
              () ->
                  slow.withRun(
                      experimentId,
                      "train-a",
                      Map.of(),
                      run ->
                          registration(slow)
                              .register(
                                  run,
                                  logModel(run),
                                  METRIC,
                                  0.70,
                                  BASELINE,
                                  0.0,
                                  scored(0.70, c -> scores.get(c.version())))));
      assertThat(slowNetwork.awaitFault(Duration.ofSeconds(60)))
          .as("training A's champion alias call on its way")
          .isTrue();
      Registration.Result b =
          tracking.withRun(
              experimentId,
              "train-b",
              Map.of(),
              run ->
                  registration(tracking)
                      .register(
                          run,
                          logModel(run),
                          METRIC,
                          0.80,
                          BASELINE,
                          0.0,
                          scored(0.80, c -> scores.get(c.version()))));

      Registration.Result resultA = a.get(60, TimeUnit.SECONDS);
      assertThat(tracking.versionByAlias(modelName, "champion").version())
          .as("the champion: B's, the best")
          .isEqualTo("3");
      assertThat(resultA.decision().outcome()).isEqualTo(GateDecision.Outcome.PROMOTED);
      assertThat(b.version().version()).isEqualTo("3");
      assertThat(b.decision().outcome()).isEqualTo(GateDecision.Outcome.PROMOTED);
      assertThat(b.champion())
          .as("the champion B decided against last")
          .hasValueSatisfying(c -> assertThat(c.version()).isEqualTo("2"));
    } finally {
      trainingA.shutdownNow();
    }
    assertThat(tracking.registeredModelTags(PromotionLock.lockName(modelName)))
        .as("the promotion lock, released")
        .isEmpty();
  }

  @Test
  void aModelThatDoesNotBeatTheRouteBaselineIsNeverTheFirstChampion() {
    Registration.Result below = register(tracking, 0.60, 0.65, false);

    assertThat(below.decision().outcome()).isEqualTo(GateDecision.Outcome.BELOW_BASELINE);
    assertThat(tracking.findByAlias(modelName, "champion")).isEmpty();
    assertThat(tracking.findByAlias(modelName, "challenger"))
        .hasValueSatisfying(challenger -> assertThat(challenger.version()).isEqualTo("1"));
    assertThat(client.runs().get(below.version().runId()).metrics())
        .containsEntry("gate_baseline_roc_auc", 0.65);

    // The next model that beats the baseline becomes the first champion.
    assertThat(register(tracking, 0.70, 0.65, false).decision().outcome())
        .isEqualTo(GateDecision.Outcome.FIRST_CHAMPION);
    assertThat(tracking.versionByAlias(modelName, "champion").version()).isEqualTo("2");
  }

  @Test
  void aRegistrationThatFailsAfterThePromotionKeepsTheOldChampion() {
    assertThat(register(0.60, false).decision().outcome())
        .isEqualTo(GateDecision.Outcome.FIRST_CHAMPION);

    // A better model: the gate promotes it, then logging to its run fails.
    assertThatThrownBy(() -> register(0.70, true))
        .hasMessageContaining("must be in the 'active' state");

    assertThat(tracking.findByAlias(modelName, "champion"))
        .as("the champion after the failure")
        .hasValueSatisfying(champion -> assertThat(champion.version()).isEqualTo("1"));
    assertThatThrownBy(() -> tracking.version(modelName, "2"))
        .as("the failed registration's version")
        .hasMessageContaining("has no version 2");

    // And the next good training is gated against that champion, not promoted unconditionally.
    Registration.Result next = register(0.70, false);
    assertThat(next.decision().outcome()).isEqualTo(GateDecision.Outcome.PROMOTED);
    assertThat(next.champion()).hasValueSatisfying(c -> assertThat(c.version()).isEqualTo("1"));
    assertThat(tracking.versionByAlias(modelName, "champion").version())
        .isEqualTo(next.version().version());
  }

  /**
   * A registry call failing during a promotion, injected by a proxy in front of the real server:
   * answered 503 before it reaches the server, or acted on by the server with its answer lost (the
   * client times out). Whichever call fails, the champion stays on the old version, the failed
   * registration leaves no version behind, and the next training is gated against that champion.
   */
  @ParameterizedTest(name = "{0} {1} (call {2}): {3}")
  @CsvSource({
    "POST, registered-models/alias, 1, UNAVAILABLE", // the challenger alias
    "POST, model-versions/set-tag, 1, UNAVAILABLE",
    "POST, runs/log-batch, 1, UNAVAILABLE", // the gate's decision, logged to the run
    "POST, registered-models/alias, 2, UNAVAILABLE", // the champion alias
    "POST, registered-models/alias, 2, LOST_RESPONSE", // the server moved it; the client never
    // heard
  })
  void aRegistryCallFailingDuringAPromotionNeverLosesTheChampion(
      String method, String endpoint, int occurrence, FaultyMlflowProxy.Fault fault) {
    assertThat(register(0.60, false).decision().outcome())
        .isEqualTo(GateDecision.Outcome.FIRST_CHAMPION);

    try (FaultyMlflowProxy proxy =
            new FaultyMlflowProxy(
                MLFLOW, method, endpoint, occurrence, fault, CALL_TIMEOUT.multipliedBy(2));
        MlflowTracking throughProxy = MlflowTracking.connect(proxy.uri(), CALL_TIMEOUT)) {
      assertThatThrownBy(() -> register(throughProxy, 0.70, BASELINE, false))
          .as("the registration with the failing call")
          .isNotNull();
      assertThat(proxy.faultsApplied()).as("the fault was injected").isEqualTo(1);
    }

    assertThat(tracking.versionByAlias(modelName, "champion").version())
        .as("the champion after the failure")
        .isEqualTo("1");
    assertThatThrownBy(() -> tracking.version(modelName, "2"))
        .as("the failed registration's version")
        .hasMessageContaining("has no version 2");
    Registration.Result next = register(0.70, false);
    assertThat(next.decision().outcome()).isEqualTo(GateDecision.Outcome.PROMOTED);
    assertThat(next.champion()).hasValueSatisfying(c -> assertThat(c.version()).isEqualTo("1"));
  }

  /**
   * The server creates the new version and its answer is lost: the registration finds the version
   * of its run's model and goes on with it, instead of failing and leaving it behind unaliased.
   */
  @Test
  void aLostAnswerToTheVersionCreateLeavesNoOrphanVersion() {
    register(0.60, false);

    Registration.Result result;
    try (FaultyMlflowProxy proxy =
            new FaultyMlflowProxy(
                MLFLOW,
                "POST",
                "model-versions/create",
                1,
                FaultyMlflowProxy.Fault.LOST_RESPONSE,
                CALL_TIMEOUT.multipliedBy(2));
        MlflowTracking throughProxy = MlflowTracking.connect(proxy.uri(), CALL_TIMEOUT)) {
      result = register(throughProxy, 0.70, BASELINE, false);
      assertThat(proxy.faultsApplied()).as("the fault was injected").isEqualTo(1);
    }

    assertThat(result.version().version()).isEqualTo("2");
    assertThat(result.decision().outcome()).isEqualTo(GateDecision.Outcome.PROMOTED);
    assertThat(tracking.versionByAlias(modelName, "champion").version()).isEqualTo("2");
    assertThatThrownBy(() -> tracking.version(modelName, "3"))
        .as("a second version of the same model")
        .hasMessageContaining("has no version 3");
  }

  /**
   * With the serving check on, a model the gate promotes waits for export-pmml: tagged awaiting the
   * check, with the champion it was compared with, and the alias stays where it is.
   */
  @Test
  void aPromotionAwaitingTheServingCheckLeavesTheChampionWhereItIs() {
    register(0.60, false);

    Registration.Result result =
        tracking.withRun(
            experimentId,
            "train",
            Map.of(),
            run ->
                new Registration(tracking, modelName, "challenger", "champion", true)
                    .register(
                        run,
                        logModel(run),
                        METRIC,
                        0.70,
                        BASELINE,
                        0.0,
                        scored(0.70, champion -> 0.60)));

    assertThat(result.decision().outcome()).isEqualTo(GateDecision.Outcome.PROMOTED);
    // What the job's summary says: promoted by the gate, but not champion yet.
    assertThat(result.outcome())
        .startsWith("promoted: ")
        .endsWith("(the champion alias moves once export-pmml's serving check has passed)");
    assertThat(tracking.versionByAlias(modelName, "champion").version()).isEqualTo("1");
    assertThat(tracking.versionByAlias(modelName, "challenger").version()).isEqualTo("2");
    assertThat(tracking.versionTags(modelName, "2"))
        .containsEntry(Promotion.TAG, Promotion.AWAITING);
    assertThat(tracking.run(result.version().runId()).tags())
        .containsEntry(Promotion.GATE_CHAMPION_TAG, "1")
        .containsEntry(Promotion.TAG, Promotion.AWAITING);
  }

  @Test
  void aRegistrationThatFailsWithoutAChampionLeavesNoVersion() {
    assertThatThrownBy(() -> register(0.70, true))
        .hasMessageContaining("must be in the 'active' state");

    assertThat(tracking.findByAlias(modelName, "champion")).isEmpty();
    assertThat(tracking.findByAlias(modelName, "challenger")).isEmpty();
  }
}
