// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The prediction log's metrics, registered beside the service's only when the log is on: {@code
 * lakepipe_serving_prediction_log_lines_total{result}}, one per scored record by what became of its
 * line: {@code written} (in a file), {@code failed} (the file could not be opened or written: a
 * full disk, an unwritable folder) or {@code dropped} (the writer was that far behind), and {@code
 * lakepipe_serving_prediction_log_files_total{result}}, files {@code closed} (renamed to their
 * final name, ready for the ingest) or {@code failed} (could not be closed or renamed).
 */
public final class PredictionLogMetrics {
  /** What became of a line. */
  public enum Line {
    WRITTEN("written"),
    FAILED("failed"),
    DROPPED("dropped");

    private final String label;

    Line(String label) {
      this.label = label;
    }
  }

  private final Counter lines;
  private final Counter files;

  PredictionLogMetrics(PrometheusRegistry registry) {
    lines =
        Counter.builder()
            .name("lakepipe_serving_prediction_log_lines")
            .help("Lines of the prediction log (one per scored record), by result")
            .labelNames("result")
            .register(registry);
    for (Line line : Line.values()) {
      lines.initLabelValues(line.label);
    }
    files =
        Counter.builder()
            .name("lakepipe_serving_prediction_log_files")
            .help("Files of the prediction log closed under their final name, or failing to")
            .labelNames("result")
            .register(registry);
    files.initLabelValues("closed");
    files.initLabelValues("failed");
  }

  /** A registry of its own, for tests of the log without a service. */
  public static PredictionLogMetrics standalone() {
    return new PredictionLogMetrics(new PrometheusRegistry());
  }

  public void lines(Line result, long count) {
    lines.labelValues(result.label).inc(count);
  }

  public long lines(Line result) {
    return (long) lines.labelValues(result.label).get();
  }

  public void fileClosed(boolean closed) {
    files.labelValues(closed ? "closed" : "failed").inc();
  }
}
