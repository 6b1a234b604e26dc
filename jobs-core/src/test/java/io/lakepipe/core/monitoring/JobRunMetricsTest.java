// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakepipe.core.audit.AuditRecord;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class JobRunMetricsTest {
  private static final Instant STARTED = Instant.parse("2001-01-16T03:00:00Z");

  private static AuditRecord run(
      String status, long read, long written, long quarantined, long millis) {
    return new AuditRecord(
        "run-1",
        "ingest-flights",
        "/landing",
        LocalDate.of(2001, 1, 15),
        status,
        read,
        written,
        quarantined,
        Map.of(),
        Map.of(),
        STARTED,
        millis,
        "summary");
  }

  /** Metric name to its one value, checking that each gauge has exactly one point labelled ds. */
  private static Map<String, Double> values(MetricSnapshots snapshots) {
    Map<String, Double> values = new TreeMap<>();
    for (MetricSnapshot snapshot : snapshots) {
      assertThat(snapshot).isInstanceOf(GaugeSnapshot.class);
      assertThat(snapshot.getDataPoints()).hasSize(1);
      GaugeDataPointSnapshot point = ((GaugeSnapshot) snapshot).getDataPoints().get(0);
      assertThat(point.getLabels().size()).isEqualTo(1);
      assertThat(point.getLabels().get("ds")).isEqualTo("2001-01-15");
      values.put(snapshot.getMetadata().getPrometheusName(), point.getValue());
    }
    return values;
  }

  @Test
  void aSucceededRunGivesItsAuditNumbersShareDurationAndEnd() {
    Map<String, Double> values =
        values(JobRunMetrics.of(run(AuditRecord.SUCCEEDED, 16_500, 16_468, 32, 41_250)));

    assertThat(values)
        .containsOnlyKeys(
            JobRunMetrics.ROWS_READ,
            JobRunMetrics.ROWS_WRITTEN,
            JobRunMetrics.ROWS_QUARANTINED,
            JobRunMetrics.QUARANTINE_SHARE,
            JobRunMetrics.DURATION_SECONDS,
            JobRunMetrics.SUCCEEDED,
            JobRunMetrics.FINISHED_TIMESTAMP);
    assertThat(values.get("lakepipe_job_rows_read")).isEqualTo(16_500.0);
    assertThat(values.get("lakepipe_job_rows_written")).isEqualTo(16_468.0);
    assertThat(values.get("lakepipe_job_rows_quarantined")).isEqualTo(32.0);
    assertThat(values.get("lakepipe_job_quarantine_share")).isEqualTo(32.0 / 16_500);
    assertThat(values.get("lakepipe_job_duration_seconds")).isEqualTo(41.25);
    assertThat(values.get("lakepipe_job_succeeded")).isEqualTo(1.0);
    assertThat(values.get("lakepipe_job_finished_timestamp_seconds"))
        .isEqualTo(STARTED.getEpochSecond() + 41.25);
  }

  @Test
  void aFailedRunThatReadNothingHasShareZeroAndSucceededZero() {
    Map<String, Double> values = values(JobRunMetrics.of(run(AuditRecord.FAILED, 0, 0, 0, 1_500)));

    assertThat(values.get("lakepipe_job_quarantine_share")).isEqualTo(0.0);
    assertThat(values.get("lakepipe_job_succeeded")).isEqualTo(0.0);
    assertThat(values.get("lakepipe_job_rows_read")).isEqualTo(0.0);
    assertThat(values.get("lakepipe_job_duration_seconds")).isEqualTo(1.5);
  }

  @Test
  void theGroupingKeyIsTheLakepipeJobsJobAndTheJobNameEncodedWhenNotPlain() {
    PushgatewayPublisher publisher =
        new PushgatewayPublisher(URI.create("http://127.0.0.1:9091/"), Duration.ofSeconds(1));

    assertThat(publisher.groupUri("ingest-flights"))
        .hasToString("http://127.0.0.1:9091/metrics/job/lakepipe_jobs/lakepipe_job/ingest-flights");
    assertThat(publisher.groupUri("a/b c"))
        .hasToString(
            "http://127.0.0.1:9091/metrics/job/lakepipe_jobs/lakepipe_job@base64/YS9iIGM=");
  }
}
