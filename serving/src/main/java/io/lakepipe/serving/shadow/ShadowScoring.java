// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.shadow;

import io.lakepipe.serving.metrics.ShadowMetrics;
import io.lakepipe.serving.metrics.ShadowMetrics.Outcome;
import io.lakepipe.serving.reload.AliasWatcher;
import io.lakepipe.serving.reload.LoadedModel;
import io.lakepipe.serving.reload.ModelHolder;
import io.lakepipe.serving.reload.ModelRole;
import io.lakepipe.serving.reload.Reloader;
import io.lakepipe.serving.scoring.Prediction;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shadow model: loaded and reloaded by a {@link Reloader} of its own (and, for a registry
 * alias, an {@link AliasWatcher}), exactly as the served model is, and scored on one background
 * thread on the records of the requests the served model has answered.
 *
 * <p>A request thread only hands over references ({@link #offer}): it never waits for the shadow,
 * and nothing the shadow does reaches a response. When the records waiting would pass {@link
 * ShadowConfig#maxQueuedRecords()}, the request is not shadowed and counted as dropped. A shadow
 * that fails to load, or throws while scoring, is logged (at most one line a minute for scoring
 * failures) and counted in {@link ShadowMetrics}, nothing else.
 */
public final class ShadowScoring implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ShadowScoring.class);
  private static final Duration FAILURE_LOG_PERIOD = Duration.ofMinutes(1);
  // After the constant above, which its constructor reads.
  private static final ShadowScoring DISABLED = new ShadowScoring();

  private final ShadowConfig config;
  private final ShadowMetrics metrics;
  private final ModelHolder holder;
  private final Reloader reloader;
  private final ExecutorService worker;
  private final ShadowTally tally;
  private final LogThrottle failureLog = new LogThrottle(FAILURE_LOG_PERIOD);
  private final AtomicInteger queuedRecords = new AtomicInteger();
  private AliasWatcher watcher;

  private ShadowScoring() {
    config = null;
    metrics = null;
    holder = new ModelHolder();
    reloader = null;
    worker = null;
    tally = null;
  }

  private ShadowScoring(
      ShadowConfig config, ShadowMetrics metrics, OptionalDouble thresholdOverride) {
    this.config = config;
    this.metrics = metrics;
    this.holder = new ModelHolder();
    // The served model's threshold override applies to the shadow too: its labels are then the
    // ones it would answer if it were promoted in this service.
    this.reloader =
        new Reloader(config.source(), holder, metrics.model(), ModelRole.SHADOW, thresholdOverride);
    // One daemon thread: the shadow may take at most one core from the requests, and never keeps
    // the JVM up. The queue is bounded by records in offer(), not by the executor.
    this.worker =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            runnable -> {
              Thread thread = new Thread(runnable, "lakepipe-shadow");
              thread.setDaemon(true);
              return thread;
            });
    this.tally = new ShadowTally(config.summaryInterval(), System.nanoTime());
  }

  /** No shadow: {@link #offer} does nothing. */
  public static ShadowScoring disabled() {
    return DISABLED;
  }

  /**
   * The shadow of {@code config}, with its worker ready and no model yet: requests offered before
   * {@link #start} are counted as {@code no_model}.
   */
  public static ShadowScoring of(
      ShadowConfig config, ShadowMetrics metrics, OptionalDouble thresholdOverride) {
    return new ShadowScoring(config, metrics, thresholdOverride);
  }

  /**
   * Loads the shadow (a failure is logged and counted, and retried by the next poll or reload), and
   * starts its alias watcher when its source is a registry, polled every {@code reloadInterval} as
   * the served model's. Does nothing without a shadow.
   */
  public synchronized void start(Duration reloadInterval) {
    if (!enabled() || watcher != null) {
      return;
    }
    reload();
    if (config.source().watchable()) {
      watcher = AliasWatcher.start(reloader, reloadInterval);
    }
  }

  /** Whether a shadow is configured. */
  public boolean enabled() {
    return worker != null;
  }

  /** The shadow model loaded now, if any. */
  public Optional<LoadedModel> model() {
    return holder.current();
  }

  /**
   * Loads the shadow's bundle again. Never throws: a failure is logged and counted, and the shadow
   * loaded before, if any, stays.
   *
   * @return the shadow's version loaded now, if any
   */
  public Optional<String> reload() {
    if (!enabled()) {
      return Optional.empty();
    }
    try {
      return Optional.of(reloader.reload().manifest().modelVersion());
    } catch (RuntimeException | Error e) {
      // An Error too (a PMML that overflows the stack when parsed): the shadow must not take the
      // service's start or an admin reload with it. The reloader counted it.
      if (holder.current().isEmpty()) {
        LOG.warn(
            "The shadow model could not be loaded from {}, so no request is shadowed until it"
                + " is; {}: {}",
            config.source().location(),
            config.source().watchable()
                ? "the alias is polled again"
                : "POST /admin/reload tries again",
            e.toString());
      }
      return holder.current().map(model -> model.manifest().modelVersion());
    }
  }

  /**
   * Hands a request the served model has answered to the shadow, and returns at once: the shadow
   * scores the same parsed records later, on its own thread. Never throws.
   *
   * @param champion the model that answered
   * @param records the request's records, as parsed for the answer (never modified after)
   * @param answers the served model's predictions of the records, in order
   */
  public void offer(
      LoadedModel champion, List<Map<String, Object>> records, List<Prediction> answers) {
    if (!enabled()) {
      return;
    }
    int count = records.size();
    try {
      if (queuedRecords.addAndGet(count) > config.maxQueuedRecords()) {
        queuedRecords.addAndGet(-count);
        dropped();
        return;
      }
      worker.execute(
          () -> {
            try {
              score(champion, records, answers);
            } finally {
              queuedRecords.addAndGet(-count);
            }
          });
    } catch (RejectedExecutionException closing) {
      queuedRecords.addAndGet(-count);
      dropped();
    } catch (RuntimeException e) {
      // Nothing of the shadow's may reach the response.
      LOG.warn("Handing a request to the shadow model failed: {}", e.toString());
    }
  }

  private void dropped() {
    metrics.request(Outcome.DROPPED);
    tally.dropped();
  }

  private void score(
      LoadedModel champion, List<Map<String, Object>> records, List<Prediction> answers) {
    try {
      Optional<LoadedModel> loaded = holder.current();
      if (loaded.isEmpty()) {
        metrics.request(Outcome.NO_MODEL);
        tally.noModel();
        return;
      }
      LoadedModel shadow = loaded.get();
      long start = System.nanoTime();
      double[] shadowProbabilities;
      try {
        shadowProbabilities =
            shadow.scorer().scoreAll(records).stream()
                .mapToDouble(Prediction::probability)
                .toArray();
      } catch (RuntimeException | LinkageError | StackOverflowError e) {
        failed(shadow, records.size(), e);
        return;
      }
      long nanos = System.nanoTime() - start;
      double[] championProbabilities =
          answers.stream().mapToDouble(Prediction::probability).toArray();
      Comparison comparison =
          Comparison.of(
              championProbabilities, champion.threshold(), shadowProbabilities, shadow.threshold());
      String championVersion = champion.manifest().modelVersion();
      String shadowVersion = shadow.manifest().modelVersion();
      metrics.scored(
          championVersion,
          shadowVersion,
          comparison.agreeing(),
          comparison.disagreeing(),
          comparison.differences(),
          nanos);
      tally
          .scored(championVersion, shadowVersion, comparison, System.nanoTime())
          .ifPresent(summary -> LOG.info(summary.line()));
    } finally {
      tally.due(System.nanoTime()).ifPresent(summary -> LOG.info(summary.line()));
    }
  }

  private void failed(LoadedModel shadow, int records, Throwable e) {
    metrics.request(Outcome.FAILED);
    tally.failed();
    failureLog
        .allow(System.nanoTime())
        .ifPresent(
            heldBack ->
                LOG.warn(
                    "Shadow model version {} failed on a request of {} record(s) that the served"
                        + " model answered (the answer is unchanged){}: {}",
                    shadow.manifest().modelVersion(),
                    records,
                    heldBack > 0
                        ? "; " + heldBack + " more failure(s) since the last such line"
                        : "",
                    e.toString()));
  }

  /** Stops the alias watcher and the worker; requests still queued are not shadowed. */
  @Override
  public synchronized void close() {
    if (watcher != null) {
      watcher.close();
    }
    if (worker != null) {
      worker.shutdownNow();
    }
  }
}
