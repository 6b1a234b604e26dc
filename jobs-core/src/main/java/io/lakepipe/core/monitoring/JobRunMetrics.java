// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.monitoring;

import io.lakepipe.core.audit.AuditRecord;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * The numbers of one audit row as Prometheus gauges, labelled with the run's {@code ds}. Dashboards
 * and alerts rely on these names and on the Pushgateway grouping key of {@link
 * PushgatewayPublisher}: {@code job="lakepipe_jobs"}, {@code lakepipe_job="<job as in the audit
 * row>"}.
 */
public final class JobRunMetrics {
  public static final String ROWS_READ = "lakepipe_job_rows_read";
  public static final String ROWS_WRITTEN = "lakepipe_job_rows_written";
  public static final String ROWS_QUARANTINED = "lakepipe_job_rows_quarantined";

  /** Rows quarantined over rows read; 0 when nothing was read. */
  public static final String QUARANTINE_SHARE = "lakepipe_job_quarantine_share";

  public static final String DURATION_SECONDS = "lakepipe_job_duration_seconds";

  /** 1 for a run that succeeded, 0 for one that failed. */
  public static final String SUCCEEDED = "lakepipe_job_succeeded";

  /** When the run ended: its start plus its duration, in Unix seconds. */
  public static final String FINISHED_TIMESTAMP = "lakepipe_job_finished_timestamp_seconds";

  private JobRunMetrics() {}

  /** The seven gauges of one run. */
  public static MetricSnapshots of(AuditRecord run) {
    Labels labels = Labels.of("ds", run.ds().toString());
    double share = run.rowsRead() == 0 ? 0.0 : (double) run.rowsQuarantined() / run.rowsRead();
    double finished = run.startedAt().toEpochMilli() / 1000.0 + run.durationMs() / 1000.0;
    return MetricSnapshots.of(
        gauge(ROWS_READ, "Rows the run read (audit rows_read)", labels, run.rowsRead()),
        gauge(ROWS_WRITTEN, "Rows the run wrote (audit rows_written)", labels, run.rowsWritten()),
        gauge(
            ROWS_QUARANTINED,
            "Rows the run quarantined (audit rows_quarantined)",
            labels,
            run.rowsQuarantined()),
        gauge(
            QUARANTINE_SHARE,
            "Rows quarantined over rows read, 0 when nothing was read",
            labels,
            share),
        gauge(
            DURATION_SECONDS,
            "Duration of the run (audit duration_ms / 1000)",
            labels,
            run.durationMs() / 1000.0),
        gauge(
            SUCCEEDED,
            "1 when the run succeeded, 0 when it failed",
            labels,
            AuditRecord.SUCCEEDED.equals(run.status()) ? 1 : 0),
        gauge(FINISHED_TIMESTAMP, "When the run ended, in Unix seconds", labels, finished));
  }

  private static GaugeSnapshot gauge(String name, String help, Labels labels, double value) {
    return GaugeSnapshot.builder()
        .name(name)
        .help(help)
        .dataPoint(GaugeDataPointSnapshot.builder().labels(labels).value(value).build())
        .build();
  }
}
