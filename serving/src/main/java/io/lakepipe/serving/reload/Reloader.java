// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.reload;

import io.lakepipe.serving.bundle.Bundle;
import io.lakepipe.serving.bundle.BundleSource;
import io.lakepipe.serving.metrics.ModelMetrics;
import io.lakepipe.serving.scoring.Scorer;
import java.util.Optional;
import java.util.OptionalDouble;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the bundle from its source and puts it in service. The new model is read, verified and
 * parsed completely before the swap; until then, and if anything fails, the previous model keeps
 * serving. Loads run one at a time (an admin reload and the alias watcher may meet). The served
 * model and the shadow each have their own reloader, holder and metrics.
 */
public final class Reloader {
  private static final Logger LOG = LoggerFactory.getLogger(Reloader.class);

  private final BundleSource source;
  private final ModelHolder holder;
  private final ModelMetrics metrics;
  private final ModelRole role;
  private final OptionalDouble thresholdOverride;

  public Reloader(
      BundleSource source,
      ModelHolder holder,
      ModelMetrics metrics,
      ModelRole role,
      OptionalDouble thresholdOverride) {
    this.source = source;
    this.holder = holder;
    this.metrics = metrics;
    this.role = role;
    this.thresholdOverride = thresholdOverride;
  }

  public BundleSource source() {
    return source;
  }

  /**
   * Loads the bundle as the source holds it now and puts it in service.
   *
   * @return the model now in service
   * @throws io.lakepipe.serving.BundleException when the bundle cannot be loaded; the previous
   *     model, if any, stays in service
   */
  public synchronized LoadedModel reload() {
    Optional<LoadedModel> previous = holder.current();
    LoadedModel next;
    try {
      Bundle bundle = source.load();
      Scorer scorer = Scorer.of(bundle);
      next =
          new LoadedModel(bundle, scorer, thresholdOverride.orElse(bundle.manifest().threshold()));
    } catch (RuntimeException | Error e) {
      // A first load that fails counts too: the served model's stops the start, but the shadow's
      // does not, and its watcher tries again.
      metrics.loadFailed();
      if (previous.isPresent()) {
        LOG.error(
            "Reload from {} failed; version {} stays {}: {}",
            source.location(),
            previous.get().manifest().modelVersion(),
            role.place(),
            e.getMessage());
      }
      throw e;
    }
    holder.swap(next);
    metrics.loaded(next.manifest(), previous.isPresent());
    LOG.info(
        "{} model {} version {} (run {}, threshold {}) from {}{}",
        role.verb(),
        next.manifest().modelName(),
        next.manifest().modelVersion(),
        next.manifest().runId(),
        next.threshold(),
        next.bundle().location(),
        previous.map(p -> "; replaced version " + p.manifest().modelVersion()).orElse(""));
    return next;
  }

  /**
   * Reloads when the source's revision moved away from the one in service (the alias points to
   * another version), and does nothing otherwise.
   *
   * @return whether a new model was put in service
   */
  public synchronized boolean reloadIfMoved() {
    Optional<String> now = source.currentRevision();
    Optional<String> serving = holder.current().flatMap(model -> model.bundle().revision());
    if (now.isEmpty() || now.equals(serving)) {
      return false;
    }
    LOG.info(
        "{} moved from version {} to {}: loading it in the background",
        source.location(),
        serving.orElse("(none)"),
        now.get());
    reload();
    return true;
  }
}
