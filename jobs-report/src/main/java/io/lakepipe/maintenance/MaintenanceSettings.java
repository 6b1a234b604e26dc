// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.maintenance;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.config.LakepipeConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The settings of {@code lakepipe.maintenance}, read and checked before Spark starts.
 *
 * @param tables the tables to maintain, name (a key of {@code lakepipe.tables}) to path, in order
 * @param retention the least retention of VACUUM: files a version younger than this needs stay
 * @param margin added to the age of the oldest protected version's commit
 * @param interval how often the job runs: a protected commit must stay in the log until the next
 * @param dryRun count what would be compacted and vacuumed, change nothing
 * @param models the registered models whose versions' training data is protected: every {@code
 *     model-name} of {@code lakepipe.models}, and {@code lakepipe.mlflow.model-name}
 */
public record MaintenanceSettings(
    Map<String, String> tables,
    Duration retention,
    Duration margin,
    Duration interval,
    boolean dryRun,
    List<String> models) {

  public MaintenanceSettings {
    tables = Collections.unmodifiableMap(new LinkedHashMap<>(tables));
    models = List.copyOf(models);
  }

  public static MaintenanceSettings from(LakepipeConfig config) {
    Set<String> declared = new TreeSet<>(config.keys("tables"));
    List<String> chosen = config.strings("maintenance.tables");
    Map<String, String> tables = new LinkedHashMap<>();
    for (String name : chosen.isEmpty() ? new ArrayList<>(declared) : chosen) {
      if (!declared.contains(name)) {
        throw LakepipeErrors.configValueInvalid(
            "maintenance.tables", name, "keys of lakepipe.tables " + declared);
      }
      tables.put(name, config.tablePath(name));
    }
    Duration retention = nonNegative(config, "maintenance.retention");
    Duration margin = nonNegative(config, "maintenance.retention-margin");
    Duration interval = nonNegative(config, "maintenance.interval");
    Set<String> models = new LinkedHashSet<>();
    for (String model : new TreeSet<>(config.keys("models"))) {
      models.add(config.string("models." + model + ".model-name"));
    }
    models.add(config.string("mlflow.model-name"));
    return new MaintenanceSettings(
        tables,
        retention,
        margin,
        interval,
        config.bool("maintenance.dry-run"),
        new ArrayList<>(models));
  }

  private static Duration nonNegative(LakepipeConfig config, String key) {
    Duration value = config.duration(key);
    if (value.isNegative()) {
      throw LakepipeErrors.configValueInvalid(
          key, value.toString(), "a duration of 0 or more, such as 7 days");
    }
    return value;
  }
}
