// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.maintenance;

import io.lakepipe.core.job.Job;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.table.DeltaTables;
import io.lakepipe.core.tracking.LoggedRun;
import io.lakepipe.core.tracking.MlflowTracking;
import io.lakepipe.core.tracking.ModelVersion;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The maintain-tables job: for each maintained table that exists, compacts its small files
 * (OPTIMIZE), then deletes the files no longer needed (VACUUM) with a retention that keeps every
 * table version a registered model version was trained on ({@link RetentionChoice}). It first asks
 * the MLflow registry for those versions, and fails rather than vacuum without knowing them.
 */
public final class TableMaintenance implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(TableMaintenance.class);

  private final MaintenanceSettings settings;

  public TableMaintenance(MaintenanceSettings settings) {
    this.settings = settings;
  }

  /**
   * What maintenance did to one table.
   *
   * @param activeBefore data files of the latest version before (Delta log)
   * @param activeAfter data files of the latest version after compaction
   * @param storedBefore data files on storage before
   * @param storedAfter data files on storage after
   * @param vacuumed files VACUUM deleted, or would delete in a dry run
   * @param protectedVersions the versions of the table that registered models need
   */
  public record TableReport(
      String table,
      String path,
      long versionBefore,
      long versionAfter,
      long activeBefore,
      long activeAfter,
      long storedBefore,
      long storedAfter,
      long vacuumed,
      List<ProtectedVersion> protectedVersions,
      RetentionChoice retention) {

    String summary(boolean dryRun) {
      return table
          + ": active files "
          + activeBefore
          + (dryRun ? "" : " -> " + activeAfter)
          + ", stored files "
          + storedBefore
          + (dryRun ? " (" + vacuumed + " to vacuum)" : " -> " + storedAfter)
          + ", "
          + protectedVersions.stream().map(ProtectedVersion::version).distinct().count()
          + " versions protected, retention "
          + retention.reason(table);
    }
  }

  @Override
  public JobResult run(JobContext context) {
    List<ProtectedVersion> protectedVersions;
    try (MlflowTracking tracking = MlflowTracking.connect(context.config())) {
      protectedVersions = protectedVersions(tracking, settings.models());
    }
    LOG.info(
        "{} table versions protected by the versions of {}",
        protectedVersions.size(),
        settings.models());
    // A table spelt otherwise than in this config (another host's folder, another URI form) would
    // not be protected: name each such path once, so that an operator can compare.
    protectedVersions.stream()
        .filter(v -> settings.tables().values().stream().noneMatch(v::isOf))
        .map(ProtectedVersion::path)
        .distinct()
        .forEach(
            path ->
                LOG.warn(
                    "Registered model versions protect versions of {}, which is none of the"
                        + " maintained tables; nothing is kept for them here",
                    path));
    DeltaTables tables = context.tables();
    JobResult.Builder result = JobResult.builder().source(context.config().string("lakehouse"));
    List<String> summaries = new ArrayList<>();
    for (Map.Entry<String, String> table : settings.tables().entrySet()) {
      if (!tables.exists(table.getValue())) {
        LOG.info("{} ({}): no Delta table there, skipped", table.getKey(), table.getValue());
        continue;
      }
      List<ProtectedVersion> ofTable =
          protectedVersions.stream().filter(v -> v.isOf(table.getValue())).toList();
      TableReport report = maintain(tables, table.getKey(), table.getValue(), ofTable);
      result.read(report.path(), report.versionBefore());
      if (report.versionAfter() != report.versionBefore()) {
        result.wrote(report.path(), report.versionAfter());
        context.progress().wrote(report.path(), report.versionAfter());
      }
      String line = report.summary(settings.dryRun());
      LOG.info("{}", line);
      summaries.add(line);
    }
    return result
        .summary(
            (settings.dryRun() ? "Dry run, nothing changed. " : "")
                + summaries.size()
                + (summaries.size() == 1 ? " table" : " tables")
                + " maintained"
                + (summaries.isEmpty() ? "." : ": " + String.join("; ", summaries)))
        .build();
  }

  /** Compacts, chooses the retention, vacuums and counts one table. */
  public TableReport maintain(
      DeltaTables tables, String table, String path, List<ProtectedVersion> protectedVersions) {
    long versionBefore = tables.latestVersion(path);
    long activeBefore = tables.activeFiles(path);
    long storedBefore = tables.storedFiles(path);
    long versionAfter = settings.dryRun() ? versionBefore : tables.compact(path);
    // Chosen right before the VACUUM: its clock starts the retention.
    RetentionChoice retention =
        RetentionChoice.choose(
            settings.retention(),
            settings.margin(),
            settings.interval(),
            Instant.now(),
            protectedVersions,
            tables.commitTimes(path),
            tables.logRetention(path));
    for (ProtectedVersion gone : retention.notInLog()) {
      LOG.warn(
          "{} {} is no longer in the table's log (Delta removed its commit after"
              + " delta.logRetentionDuration): its training set cannot be read again",
          table,
          gone.describe());
    }
    LOG.info("{}: VACUUM retention {}", table, retention.reason(table));
    if (retention.raiseLogRetentionTo().isPresent()) {
      Duration raised = retention.raiseLogRetentionTo().orElseThrow();
      if (settings.dryRun()) {
        LOG.warn(
            "{}: its log keeps commits for {}, too short for the protected versions until the next"
                + " run; a run would raise delta.logRetentionDuration to {}",
            table,
            tables.logRetention(path),
            raised);
      } else {
        // Time travel needs the commits as well as the files: Delta deletes commits older than
        // the log retention at a checkpoint, whoever writes it.
        versionAfter = tables.setLogRetention(path, raised);
        LOG.info(
            "{}: delta.logRetentionDuration raised to {} to keep the protected commits",
            table,
            raised);
      }
    }
    long vacuumed = tables.vacuum(path, retention.hours(), settings.dryRun());
    return new TableReport(
        table,
        path,
        versionBefore,
        versionAfter,
        activeBefore,
        settings.dryRun() ? activeBefore : tables.activeFiles(path),
        storedBefore,
        settings.dryRun() ? storedBefore : tables.storedFiles(path),
        vacuumed,
        protectedVersions,
        retention);
  }

  /**
   * The table versions that the training runs of every registered version of {@code models}
   * recorded. A model not registered yet has none.
   */
  static List<ProtectedVersion> protectedVersions(MlflowTracking tracking, List<String> models) {
    Map<String, ProtectedVersion> found = new LinkedHashMap<>();
    for (String model : models) {
      for (ModelVersion version : tracking.versions(model)) {
        if (version.runId() == null || version.runId().isBlank()) {
          LOG.warn(
              "{} version {} has no training run: no table version is known to protect for it",
              model,
              version.version());
          continue;
        }
        LoggedRun run = tracking.run(version.runId());
        List<ProtectedVersion> inputs =
            ProtectedVersion.fromRunTags(model, version.version(), run.runId(), run.tags());
        if (inputs.isEmpty()) {
          LOG.info(
              "{} version {}: its run {} recorded no lakepipe.input.* table versions",
              model,
              version.version(),
              run.runId());
        }
        for (ProtectedVersion input : inputs) {
          found.putIfAbsent(input.model() + "/" + input.modelVersion() + "/" + input.path(), input);
        }
      }
    }
    return List.copyOf(found.values());
  }
}
