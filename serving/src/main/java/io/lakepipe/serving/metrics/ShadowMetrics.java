// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The shadow model's metrics, registered beside the service's only when a shadow is configured:
 *
 * <ul>
 *   <li>{@code lakepipe_serving_shadow_requests_total{result}}: requests handed to the shadow, by
 *       what became of them: {@code scored}, {@code dropped} (its queue was full), {@code failed}
 *       (the shadow threw) or {@code no_model} (no shadow model is loaded);
 *   <li>{@code lakepipe_serving_shadow_records_total{champion_version,shadow_version,agreement}}:
 *       records both models scored, by whether their labels ({@code delayed}, each model at its own
 *       threshold) are the same ({@code agree}) or not ({@code disagree});
 *   <li>{@code lakepipe_serving_shadow_probability_difference{champion_version,shadow_version}}: a
 *       histogram of |champion's probability - shadow's| per record;
 *   <li>{@code lakepipe_serving_shadow_duration_seconds}: how long the shadow took to score a
 *       request's records (in the background, never part of a response's time);
 *   <li>{@code lakepipe_serving_shadow_model_info}, {@code
 *       lakepipe_serving_shadow_model_loaded_timestamp_seconds} and {@code
 *       lakepipe_serving_shadow_reloads_total{result}}, as the served model's ({@link
 *       ModelMetrics}).
 * </ul>
 */
public final class ShadowMetrics {
  /** Where a request handed to the shadow ended. */
  public enum Outcome {
    SCORED("scored"),
    DROPPED("dropped"),
    FAILED("failed"),
    NO_MODEL("no_model");

    private final String label;

    Outcome(String label) {
      this.label = label;
    }
  }

  // Differences of one logistic model's refits are in the thousandths; a real change of model is
  // in the tenths.
  private static final double[] DIFFERENCE_BUCKETS = {
    0.0001, 0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1
  };

  private final ModelMetrics model;
  private final Counter requests;
  private final Counter records;
  private final Histogram difference;
  private final Histogram latency;

  ShadowMetrics(PrometheusRegistry registry, double[] latencyBuckets) {
    model = new ModelMetrics(registry, "lakepipe_serving_shadow_", "shadow model");
    requests =
        Counter.builder()
            .name("lakepipe_serving_shadow_requests")
            .help("Requests handed to the shadow model, by result")
            .labelNames("result")
            .register(registry);
    for (Outcome outcome : Outcome.values()) {
      requests.initLabelValues(outcome.label);
    }
    records =
        Counter.builder()
            .name("lakepipe_serving_shadow_records")
            .help(
                "Records scored by both models, by whether their labels agree (each at its own"
                    + " threshold)")
            .labelNames("champion_version", "shadow_version", "agreement")
            .register(registry);
    difference =
        Histogram.builder()
            .name("lakepipe_serving_shadow_probability_difference")
            .help("|champion's probability - shadow's probability| per record")
            .labelNames("champion_version", "shadow_version")
            .classicOnly()
            .classicUpperBounds(DIFFERENCE_BUCKETS)
            .register(registry);
    latency =
        Histogram.builder()
            .name("lakepipe_serving_shadow_duration_seconds")
            .help("Time the shadow model took to score a request's records, in the background")
            .classicOnly()
            .classicUpperBounds(latencyBuckets)
            .register(registry);
  }

  /** The shadow model's load metrics, for its reloader. */
  public ModelMetrics model() {
    return model;
  }

  /** Counts a request the shadow did not score. */
  public void request(Outcome outcome) {
    requests.labelValues(outcome.label).inc();
  }

  /**
   * Counts a request the shadow scored: its records' agreement and differences, and its time.
   *
   * @param differences |champion - shadow| of each record
   */
  public void scored(
      String championVersion,
      String shadowVersion,
      long agreeing,
      long disagreeing,
      double[] differences,
      long nanos) {
    requests.labelValues(Outcome.SCORED.label).inc();
    records.labelValues(championVersion, shadowVersion, "agree").inc(agreeing);
    records.labelValues(championVersion, shadowVersion, "disagree").inc(disagreeing);
    var perRecord = difference.labelValues(championVersion, shadowVersion);
    for (double d : differences) {
      perRecord.observe(d);
    }
    latency.observe(nanos / 1e9);
  }
}
