// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.metrics;

import io.lakepipe.serving.bundle.BundleManifest;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * What is known of one loaded model, the served one or the shadow: {@code <prefix>model_info},
 * {@code <prefix>model_loaded_timestamp_seconds} and {@code <prefix>reloads_total{result}}. The
 * served model's prefix is {@code lakepipe_serving_}, the shadow's {@code
 * lakepipe_serving_shadow_}, so that the two never share a series and the served model's names stay
 * what dashboards already read.
 */
public final class ModelMetrics {
  private final Info model;
  private final Gauge loadedAt;
  private final Counter reloads;

  ModelMetrics(PrometheusRegistry registry, String prefix, String which) {
    model =
        Info.builder()
            .name(prefix + "model")
            .help("The " + which + " (value 1)")
            .labelNames("model_name", "model_version", "run_id")
            .register(registry);
    loadedAt =
        Gauge.builder()
            .name(prefix + "model_loaded_timestamp_seconds")
            .help("When the " + which + " was loaded, in Unix seconds")
            .register(registry);
    reloads =
        Counter.builder()
            .name(prefix + "reloads")
            .help("Reloads of the " + which + " by result")
            .labelNames("result")
            .register(registry);
    reloads.initLabelValues("success");
    reloads.initLabelValues("failure");
  }

  /** Records that {@code manifest}'s model is now loaded. */
  public void loaded(BundleManifest manifest, boolean reload) {
    model.setLabelValues(
        manifest.modelName(),
        manifest.modelVersion(),
        manifest.runId() == null ? "" : manifest.runId());
    loadedAt.set(System.currentTimeMillis() / 1000.0);
    if (reload) {
      reloads.labelValues("success").inc();
    }
  }

  /** Counts a load that failed (the previous model, if any, stays). */
  public void loadFailed() {
    reloads.labelValues("failure").inc();
  }
}
