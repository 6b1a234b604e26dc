// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.monitoring;

import io.lakepipe.core.audit.AuditRecord;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Pushes the metrics of one job run ({@link JobRunMetrics}) to a Prometheus Pushgateway, under the
 * grouping key {@code job="lakepipe_jobs"}, {@code lakepipe_job="<job>"}. A push replaces the group
 * (HTTP PUT), so the gateway holds each job's last run. Written by hand on the JDK's HTTP client
 * with the client library's text format, because the library's Pushgateway exporter cannot be
 * fetched from the registry here.
 */
public final class PushgatewayPublisher {
  /** The {@code job} label of every group; Prometheus keeps it with {@code honor_labels: true}. */
  public static final String JOB = "lakepipe_jobs";

  /** The grouping-key label naming the lakepipe job, as in the audit row. */
  public static final String JOB_LABEL = "lakepipe_job";

  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_.-]+");

  private final URI gateway;
  private final Duration timeout;
  private final HttpClient http;

  /** A publisher for the gateway's base URL, such as {@code http://127.0.0.1:9091}. */
  public PushgatewayPublisher(URI gateway, Duration timeout) {
    String base = gateway.toString();
    this.gateway = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /** The URL of a job's group: {@code <gateway>/metrics/job/lakepipe_jobs/lakepipe_job/<job>}. */
  public URI groupUri(String job) {
    return URI.create(gateway + "/metrics/job/" + JOB + "/" + JOB_LABEL + pathValue(job));
  }

  /**
   * The URL of any group: {@code <gateway>/metrics/job/<job>/<label>/<value>...}, the grouping
   * key's labels in the map's order.
   */
  public URI groupUri(String job, Map<String, String> groupingKey) {
    StringBuilder uri = new StringBuilder(gateway + "/metrics/job" + pathValue(job));
    groupingKey.forEach((label, value) -> uri.append('/').append(label).append(pathValue(value)));
    return URI.create(uri.toString());
  }

  /** Pushes one run, replacing the job's group; throws when the gateway does not accept it. */
  public void push(AuditRecord run) throws IOException, InterruptedException {
    push(groupUri(run.job()), JobRunMetrics.of(run));
  }

  /**
   * Pushes {@code metrics} to the group at {@code group} (see {@link #groupUri(String, Map)}),
   * replacing it; throws when the gateway does not accept them.
   */
  public void push(URI group, MetricSnapshots metrics) throws IOException, InterruptedException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(body, metrics, EscapingScheme.UNDERSCORE_ESCAPING);
    HttpRequest request =
        HttpRequest.newBuilder(group)
            .timeout(timeout)
            .header("Content-Type", PrometheusTextFormatWriter.CONTENT_TYPE)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IOException(
          "the Pushgateway answered HTTP "
              + response.statusCode()
              + ": "
              + response.body().strip());
    }
  }

  /**
   * A label value as a path segment; values that are not plain go base64url-encoded (label@base64).
   */
  private static String pathValue(String value) {
    if (PLAIN.matcher(value).matches()) {
      return "/" + URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
    return "@base64/"
        + Base64.getUrlEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }
}
