// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * The service's Prometheus metrics, in a registry of its own (so tests can run several services in
 * one JVM), exposed as Prometheus text by {@link #write(OutputStream)}:
 *
 * <ul>
 *   <li>{@code lakepipe_serving_requests_total{endpoint,status}} and {@code
 *       lakepipe_serving_request_duration_seconds{endpoint}} (a histogram with buckets from 50
 *       microseconds, the scale of one scored record, to 10 seconds);
 *   <li>{@code lakepipe_serving_errors_total{endpoint,reason}}: every 4xx and 5xx answer by reason
 *       ({@code bad_request}, {@code unauthorized}, {@code payload_too_large}, {@code unscorable},
 *       {@code no_model}, {@code internal}, ...);
 *   <li>{@code lakepipe_serving_rows_scored_total}, and by input {@code
 *       lakepipe_serving_unknown_categories_total{input}} and {@code
 *       lakepipe_serving_missing_inputs_total{input}}, which show drift between training data and
 *       traffic;
 *   <li>{@code lakepipe_serving_model_info{model_name,model_version,run_id}} (1 for the loaded
 *       model), {@code lakepipe_serving_model_loaded_timestamp_seconds}, and {@code
 *       lakepipe_serving_reloads_total{result}} ({@code success} or {@code failure}), from {@link
 *       ModelMetrics};
 *   <li>with a shadow model configured, the {@code lakepipe_serving_shadow_*} metrics of {@link
 *       ShadowMetrics}.
 * </ul>
 */
public final class ServiceMetrics {
  private static final double[] LATENCY_BUCKETS = {
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
    2.5, 10
  };

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
  private final Counter requests =
      Counter.builder()
          .name("lakepipe_serving_requests")
          .help("HTTP requests by endpoint and status code")
          .labelNames("endpoint", "status")
          .register(registry);
  private final Histogram latency =
      Histogram.builder()
          .name("lakepipe_serving_request_duration_seconds")
          .help("Time from request to response, by endpoint")
          .labelNames("endpoint")
          .classicOnly()
          .classicUpperBounds(LATENCY_BUCKETS)
          .register(registry);
  private final Counter errors =
      Counter.builder()
          .name("lakepipe_serving_errors")
          .help("Answers with status 4xx or 5xx, by endpoint and reason")
          .labelNames("endpoint", "reason")
          .register(registry);
  private final Counter rowsScored =
      Counter.builder()
          .name("lakepipe_serving_rows_scored")
          .help("Records scored")
          .register(registry);
  private final Counter unknownCategories =
      Counter.builder()
          .name("lakepipe_serving_unknown_categories")
          .help("Scored records whose category the model never saw, by input")
          .labelNames("input")
          .register(registry);
  private final Counter missingInputs =
      Counter.builder()
          .name("lakepipe_serving_missing_inputs")
          .help("Scored records with a null input, by input")
          .labelNames("input")
          .register(registry);
  private final ModelMetrics model =
      new ModelMetrics(registry, "lakepipe_serving_", "loaded model");
  private ShadowMetrics shadow;
  private PredictionLogMetrics predictionLog;

  /** Counts one answered request, and its error when its status is 4xx or 5xx. */
  public void request(String endpoint, int status, String errorReason, long nanos) {
    requests.labelValues(endpoint, Integer.toString(status)).inc();
    latency.labelValues(endpoint).observe(nanos / 1e9);
    if (status >= 400) {
      String reason = errorReason != null ? errorReason : status == 503 ? "no_model" : "other";
      errors.labelValues(endpoint, reason).inc();
    }
  }

  /** Counts scored records and what they lacked. */
  public void scored(int rows, List<String> unknownInputs, List<String> nullInputs) {
    rowsScored.inc(rows);
    unknownInputs.forEach(input -> unknownCategories.labelValues(input).inc());
    nullInputs.forEach(input -> missingInputs.labelValues(input).inc());
  }

  /** The served model's load metrics, for its reloader. */
  public ModelMetrics model() {
    return model;
  }

  /**
   * Registers the shadow model's metrics ({@link ShadowMetrics}) beside these, once: a service
   * without a shadow shows none of them.
   */
  public synchronized ShadowMetrics addShadow() {
    if (shadow == null) {
      shadow = new ShadowMetrics(registry, LATENCY_BUCKETS);
    }
    return shadow;
  }

  /**
   * Registers the prediction log's metrics ({@link PredictionLogMetrics}) beside these, once: a
   * service without the log shows none of them.
   */
  public synchronized PredictionLogMetrics addPredictionLog() {
    if (predictionLog == null) {
      predictionLog = new PredictionLogMetrics(registry);
    }
    return predictionLog;
  }

  /** The content type of {@link #write(OutputStream)}'s output. */
  public String contentType() {
    return writer.getContentType();
  }

  /** Writes every metric in Prometheus text format. */
  public void write(OutputStream out) throws IOException {
    writer.write(out, registry.scrape());
  }
}
