// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.cli.JobRunner;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.table.DeltaHistory;
import io.lakepipe.core.table.DeltaTables;
import io.lakepipe.core.tracking.MlflowTracking;
import io.lakepipe.core.tracking.TrackedRun;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * maintain-tables on a real Delta table in a temporary lakehouse and the real MLflow registry: a
 * training run that read an old version of the table is registered as a model version; after the
 * compaction and the VACUUM, the table has fewer files, the protected version reads back the same
 * rows, and an older version that no model needs, removed before the protected one was committed,
 * is gone from storage.
 */
class TableMaintenanceIT extends SparkTestBase {
  private static final String MLFLOW =
      System.getProperty("mlflow.tracking.uri", "http://127.0.0.1:5000");
  private static final LocalDate DAY1 = LocalDate.parse("2001-01-01");
  private static final LocalDate DAY2 = LocalDate.parse("2001-01-02");

  @TempDir Path home;

  private final String model =
      "lakepipe_maintenance_it_" + UUID.randomUUID().toString().substring(0, 8);
  private MlflowTracking tracking;

  @AfterEach
  void deleteModel() {
    if (tracking != null) {
      tracking.deleteRegisteredModel(model);
    }
  }

  /** Rows of one day, written as {@code files} small files. */
  private static Dataset<Row> day(long from, int files) {
    return spark
        .range(from, from + 30)
        .withColumn("value", functions.col("id").multiply(7))
        .repartition(files);
  }

  private static List<Row> sorted(Dataset<Row> rows) {
    return rows.orderBy("ds", "id").collectAsList();
  }

  /** The data files of {@code version} of the table, as paths on disk (from its log alone). */
  private static List<Path> filesOf(Path table, long version) {
    return Arrays.stream(
            spark
                .read()
                .format("delta")
                .option("versionAsOf", version)
                .load(table.toString())
                .inputFiles())
        .map(file -> Path.of(URI.create(file)))
        .toList();
  }

  @Test
  void compactsAndVacuumsButKeepsTheVersionARegisteredModelWasTrainedOn() throws Exception {
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("lakepipe.mlflow.tracking-uri", MLFLOW);
    overrides.put("lakepipe.mlflow.model-name", model);
    overrides.put("lakepipe.maintenance.tables", List.of("features-flights", "labels-flights"));
    // No least retention: what the protected version needs sets it (1 hour, VACUUM's unit).
    overrides.put("lakepipe.maintenance.retention", "0 s");
    overrides.put("lakepipe.maintenance.retention-margin", "1 s");
    LakepipeConfig config = testConfig(home, overrides);
    Path table = Path.of(config.tablePath("features-flights"));
    // Written elsewhere first, so that this session caches no state of the backdated log.
    Path written = home.resolve("written");
    DeltaTables tables = new DeltaTables(spark);

    long v0 = tables.replaceDs(day(0, 3), written.toString(), DAY1);
    tables.replaceDs(day(100, 3), written.toString(), DAY1); // v1 removes v0's files
    long protectedVersion = tables.replaceDs(day(200, 3), written.toString(), DAY2);
    tables.replaceDs(day(300, 3), written.toString(), DAY1); // removes files v2 needs
    tables.replaceDs(day(400, 3), written.toString(), DAY2);
    // v0 and v1 three hours old: v0's files removed 3 hours ago, past any retention v2 needs.
    DeltaHistory.backdate(written, 0, 2, Duration.ofHours(3));
    Files.createDirectories(table.getParent());
    Files.move(written, table);
    List<Path> v0Files = DeltaHistory.filesAddedBy(table, v0);
    List<Row> trainedOn =
        sorted(
            spark
                .read()
                .format("delta")
                .option("versionAsOf", protectedVersion)
                .load(table.toString()));
    // A log kept for an hour would lose the protected commit before the next weekly run.
    spark.sql(
        "ALTER TABLE delta.`"
            + table
            + "` SET TBLPROPERTIES ('delta.logRetentionDuration' = 'interval 1 hours')");
    long activeBefore = tables.activeFiles(table.toString());
    long storedBefore = tables.storedFiles(table.toString());

    tracking = MlflowTracking.connect(config);
    String experiment = tracking.experimentId("lakepipe-maintenance-it");
    Map<String, String> lineage =
        Map.of(
            "lakepipe.input.features.path", table.toString(),
            "lakepipe.input.features.version", String.valueOf(protectedVersion),
            "lakepipe.input.labels.path", config.tablePath("labels-flights"),
            "lakepipe.input.labels.version", "0");
    String runId = tracking.withRun(experiment, "training", lineage, TrackedRun::runId);
    tracking.registerVersion(
        model, "mlflow-artifacts:/" + experiment + "/" + runId + "/artifacts/model", runId);

    JobResult result =
        JobRunner.runAudited(
            MaintainTablesJob.NAME,
            new TableMaintenance(MaintenanceSettings.from(config)),
            JobContext.of(spark, config, DAY2, UUID.randomUUID().toString()));

    long activeAfter = tables.activeFiles(table.toString());
    long storedAfter = tables.storedFiles(table.toString());
    System.out.printf(
        "maintain-tables IT: active files %d -> %d, stored files %d -> %d%n",
        activeBefore, activeAfter, storedBefore, storedAfter);
    assertThat(activeBefore).isEqualTo(6);
    assertThat(activeAfter).isEqualTo(2); // one file per ds partition
    // 15 written + 2 compacted, less v0's 3.
    assertThat(storedBefore).isEqualTo(15);
    assertThat(storedAfter).isEqualTo(14);
    assertThat(result.summary())
        .contains(
            "1 table maintained: features-flights: active files 6 -> 2, stored files 15 -> 14")
        .contains(
            "retention 1 h, set by features-flights v"
                + protectedVersion
                + " ("
                + model
                + " version 1");
    // Raised to the protected version's age, plus the margin, plus two weekly intervals.
    assertThat(tables.logRetention(table.toString()))
        .isGreaterThanOrEqualTo(Duration.ofDays(14))
        .isLessThanOrEqualTo(Duration.ofDays(14).plusHours(1));
    // The training set reads back as it was.
    assertThat(
            sorted(
                spark
                    .read()
                    .format("delta")
                    .option("versionAsOf", protectedVersion)
                    .load(table.toString())))
        .isEqualTo(trainedOn);
    assertThat(filesOf(table, protectedVersion)).allMatch(Files::exists);
    // v0, which no model needs, was vacuumed: its files are gone and it no longer reads.
    assertThat(v0Files).hasSize(3).noneMatch(Files::exists);
    assertThatThrownBy(
            () ->
                spark
                    .read()
                    .format("delta")
                    .option("versionAsOf", v0)
                    .load(table.toString())
                    .collectAsList())
        .hasStackTraceContaining("does not exist");
    assertThat(spark.read().format("delta").load(table.toString()).count()).isEqualTo(60);
  }
}
