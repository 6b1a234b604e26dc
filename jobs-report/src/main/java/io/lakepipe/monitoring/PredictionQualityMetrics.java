// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.monitoring;

import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.monitoring.PushgatewayPublisher;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.net.URI;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The realised quality of a day's predictions as Prometheus gauges labelled {@code model}, {@code
 * version}, {@code source} ({@code batch} or {@code online}) and {@code ds}, pushed to the
 * Pushgateway under the grouping key {@code job="lakepipe_predictions"}, {@code model="<model
 * name>"}: a push replaces the model's group, so the gateway holds the last monitored day, and
 * Prometheus' history the rest. Separate from the job-run group ({@code job="lakepipe_jobs"}),
 * which JobRunner replaces after every run.
 */
public final class PredictionQualityMetrics {
  private static final Logger LOG = LoggerFactory.getLogger(PredictionQualityMetrics.class);

  /** The {@code job} label of the groups. */
  public static final String JOB = "lakepipe_predictions";

  public static final String ROC_AUC = "lakepipe_prediction_roc_auc";
  public static final String LOG_LOSS = "lakepipe_prediction_log_loss";
  public static final String CALIBRATION_ERROR = "lakepipe_prediction_calibration_error";
  public static final String MEAN_PREDICTED = "lakepipe_prediction_mean_probability";
  public static final String OBSERVED_SHARE = "lakepipe_prediction_observed_positive_share";
  public static final String ROWS_SCORED = "lakepipe_prediction_rows_scored";
  public static final String ROWS_LABELLED = "lakepipe_prediction_rows_labelled";

  private PredictionQualityMetrics() {}

  /**
   * The gauges of one model's versions on ds. A metric that could not be computed (no labels yet,
   * one class only) is left out rather than pushed as NaN.
   */
  public static MetricSnapshots of(
      LocalDate ds, List<PredictionMonitoring.VersionQuality> versions) {
    List<GaugeSnapshot> gauges = new ArrayList<>();
    gauge(
        gauges,
        ROC_AUC,
        "Realised ROC AUC of the day's predictions",
        ds,
        versions,
        RealisedQuality::rocAuc);
    gauge(
        gauges,
        LOG_LOSS,
        "Realised log loss of the day's predictions",
        ds,
        versions,
        RealisedQuality::logLoss);
    gauge(
        gauges,
        CALIBRATION_ERROR,
        "Expected calibration error (10 bins) of the day's predictions",
        ds,
        versions,
        RealisedQuality::calibrationError);
    gauge(
        gauges,
        MEAN_PREDICTED,
        "Mean predicted probability of the labelled predictions",
        ds,
        versions,
        RealisedQuality::meanPredicted);
    gauge(
        gauges,
        OBSERVED_SHARE,
        "Observed share of positives among the labelled predictions",
        ds,
        versions,
        RealisedQuality::observedShare);
    gauge(gauges, ROWS_SCORED, "Predictions made for the day", ds, versions, q -> q.rowsScored());
    gauge(
        gauges,
        ROWS_LABELLED,
        "Predictions of the day whose label has landed",
        ds,
        versions,
        q -> q.rowsLabelled());
    return new MetricSnapshots(gauges.toArray(GaugeSnapshot[]::new));
  }

  /**
   * Pushes the gauges, one group per model name, when {@code lakepipe.monitoring.pushgateway-url}
   * is set. Monitoring never fails the job: a failed push is one WARN line and nothing else.
   */
  public static void publish(
      LakepipeConfig config, LocalDate ds, List<PredictionMonitoring.VersionQuality> versions) {
    String url = config.string("monitoring.pushgateway-url");
    if (url.isBlank() || versions.isEmpty()) {
      return;
    }
    // Credentials in the URL (user:password@) stay out of the log.
    String shown = url.replaceFirst("//[^/@]*@", "//***@");
    Map<String, List<PredictionMonitoring.VersionQuality>> byModel = new LinkedHashMap<>();
    versions.forEach(v -> byModel.computeIfAbsent(v.modelName(), k -> new ArrayList<>()).add(v));
    for (var model : byModel.entrySet()) {
      try {
        PushgatewayPublisher publisher =
            new PushgatewayPublisher(
                URI.create(url),
                Duration.ofSeconds(config.integer("monitoring.push-timeout-seconds")));
        publisher.push(
            publisher.groupUri(JOB, Map.of("model", model.getKey())), of(ds, model.getValue()));
        LOG.info(
            "monitor-predictions ds={}: quality of {} pushed to the Pushgateway at {}",
            ds,
            model.getKey(),
            shown);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        LOG.warn("monitor-predictions ds={}: quality not pushed to {}: interrupted", ds, shown);
        return;
      } catch (Exception | LinkageError e) {
        LOG.warn(
            "monitor-predictions ds={}: quality of {} not pushed to the Pushgateway at {} ({}); the"
                + " run itself is unaffected. Check lakepipe.monitoring.pushgateway-url and that the"
                + " gateway is up.",
            ds,
            model.getKey(),
            shown,
            e.toString());
      }
    }
  }

  private static void gauge(
      List<GaugeSnapshot> gauges,
      String name,
      String help,
      LocalDate ds,
      List<PredictionMonitoring.VersionQuality> versions,
      ToDoubleFunction<RealisedQuality> value) {
    GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name(name).help(help);
    boolean any = false;
    for (PredictionMonitoring.VersionQuality v : versions) {
      double x = value.applyAsDouble(v.quality());
      if (Double.isFinite(x)) {
        gauge.dataPoint(
            GaugeDataPointSnapshot.builder()
                .labels(
                    Labels.of(
                        "ds",
                        ds.toString(),
                        "model",
                        v.modelName(),
                        "source",
                        v.source(),
                        "version",
                        v.modelVersion()))
                .value(x)
                .build());
        any = true;
      }
    }
    if (any) {
      gauges.add(gauge.build());
    }
  }
}
