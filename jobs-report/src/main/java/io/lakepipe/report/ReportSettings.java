// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.report;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.config.LakepipeConfig;

/**
 * The settings of {@code lakepipe.report}, read and checked before any input is touched.
 *
 * @param windowDays days ending at ds that the plots cover, ds included
 * @param location folder of the pages, {@code <location>/ds=<ds>/index.html}, local or s3a://
 * @param experiment MLflow experiment of the report runs
 * @param maxBadShare the quarantine share drawn as the limit line
 * @param airflowUrl the Airflow UI for the DAG run link, or empty
 */
public record ReportSettings(
    int windowDays, String location, String experiment, double maxBadShare, String airflowUrl) {

  public static ReportSettings from(LakepipeConfig config) {
    int window = config.integer("report.window-days");
    if (window < 1) {
      throw LakepipeErrors.configValueInvalid(
          "report.window-days", String.valueOf(window), "a number of days of at least 1");
    }
    return new ReportSettings(
        window,
        config.string("report.location").replaceAll("/+$", ""),
        config.string("report.experiment"),
        config.number("report.max-bad-share"),
        config.string("report.airflow-url").replaceAll("/+$", ""));
  }
}
