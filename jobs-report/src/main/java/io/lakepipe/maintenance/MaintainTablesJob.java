// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.maintenance;

import io.lakepipe.core.cli.JobRunner;
import java.util.List;

/** spark-submit entry point: {@code --config <file> --ds <YYYY-MM-DD>}. */
public final class MaintainTablesJob {
  /** The job's name in the audit table. */
  public static final String NAME = "maintain-tables";

  private MaintainTablesJob() {}

  public static void main(String[] args) {
    JobRunner.exit(
        JobRunner.execute(
            NAME,
            args,
            List.of(),
            (config, options) -> new TableMaintenance(MaintenanceSettings.from(config))));
  }
}
