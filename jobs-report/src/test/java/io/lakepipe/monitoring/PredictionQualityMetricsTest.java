// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakepipe.core.config.TestConfigs;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PredictionQualityMetricsTest {
  private static final LocalDate DS = LocalDate.parse("2001-01-15");

  /** The gauges as lines "name{label=value,...} value", one per data point. */
  private static String text(List<PredictionMonitoring.VersionQuality> versions) {
    StringBuilder text = new StringBuilder();
    for (MetricSnapshot metric : PredictionQualityMetrics.of(DS, versions)) {
      for (var point : ((GaugeSnapshot) metric).getDataPoints()) {
        StringBuilder labels = new StringBuilder();
        point
            .getLabels()
            .forEach(
                l ->
                    labels
                        .append(labels.length() == 0 ? "" : ",")
                        .append(l.getName())
                        .append("=\"")
                        .append(l.getValue())
                        .append('"'));
        text.append(metric.getMetadata().getName())
            .append('{')
            .append(labels)
            .append("} ")
            .append(point.getValue())
            .append('\n');
      }
    }
    return text.toString();
  }

  @Test
  void gaugesAreLabelledWithModelVersionAndDs() {
    RealisedQuality q =
        RealisedQuality.of(5, new double[] {0.1, 0.2, 0.8, 0.9}, new int[] {0, 0, 1, 1});

    String text = text(List.of(new PredictionMonitoring.VersionQuality("flights", "3", q)));

    assertThat(text)
        .contains(
            "lakepipe_prediction_roc_auc{ds=\"2001-01-15\",model=\"flights\",source=\"batch\",version=\"3\"} 1.0")
        .contains(
            "lakepipe_prediction_rows_scored{ds=\"2001-01-15\",model=\"flights\",source=\"batch\",version=\"3\"} 5.0")
        .contains(
            "lakepipe_prediction_rows_labelled{ds=\"2001-01-15\",model=\"flights\",source=\"batch\",version=\"3\"} 4.0")
        .contains("lakepipe_prediction_calibration_error{")
        .contains("lakepipe_prediction_log_loss{")
        .contains("lakepipe_prediction_mean_probability{")
        .contains("lakepipe_prediction_observed_positive_share{");
  }

  @Test
  void batchAndOnlinePredictionsOfOneVersionAreTwoSeries() {
    RealisedQuality ranked = RealisedQuality.of(2, new double[] {0.1, 0.9}, new int[] {0, 1});
    RealisedQuality reversed = RealisedQuality.of(3, new double[] {0.9, 0.1}, new int[] {0, 1});

    String text =
        text(
            List.of(
                new PredictionMonitoring.VersionQuality("batch", "flights", "3", ranked),
                new PredictionMonitoring.VersionQuality("online", "flights", "3", reversed)));

    assertThat(text)
        .contains(
            "lakepipe_prediction_roc_auc{ds=\"2001-01-15\",model=\"flights\",source=\"batch\",version=\"3\"} 1.0")
        .contains(
            "lakepipe_prediction_roc_auc{ds=\"2001-01-15\",model=\"flights\",source=\"online\",version=\"3\"} 0.0")
        .contains(
            "lakepipe_prediction_rows_scored{ds=\"2001-01-15\",model=\"flights\",source=\"online\",version=\"3\"} 3.0");
  }

  @Test
  void aMetricThatCouldNotBeComputedIsLeftOutNotPushedAsNaN() {
    RealisedQuality unlabelled = RealisedQuality.of(9, new double[0], new int[0]);

    String text =
        text(List.of(new PredictionMonitoring.VersionQuality("flights", "4", unlabelled)));

    assertThat(text)
        .doesNotContain("NaN")
        .doesNotContain("lakepipe_prediction_roc_auc")
        .contains(
            "lakepipe_prediction_rows_scored{ds=\"2001-01-15\",model=\"flights\",source=\"batch\",version=\"4\"} 9.0")
        .contains(
            "lakepipe_prediction_rows_labelled{ds=\"2001-01-15\",model=\"flights\",source=\"batch\",version=\"4\"} 0.0");
  }

  @Test
  void aGatewayThatIsDownIsOneWarningNotAFailure() {
    RealisedQuality q = RealisedQuality.of(2, new double[] {0.2, 0.8}, new int[] {0, 1});

    // Port 9 (discard) on loopback: nothing listens there.
    PredictionQualityMetrics.publish(
        TestConfigs.flights(
            Map.of(
                "lakepipe.monitoring.pushgateway-url",
                "http://127.0.0.1:9",
                "lakepipe.monitoring.push-timeout-seconds",
                1)),
        DS,
        List.of(new PredictionMonitoring.VersionQuality("flights", "3", q)));
  }
}
