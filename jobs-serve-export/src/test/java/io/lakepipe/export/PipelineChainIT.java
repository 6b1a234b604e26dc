// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.export;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.cli.JobRunner;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.job.JobResult;
import io.lakepipe.core.tracking.MlflowTracking;
import io.lakepipe.core.tracking.ModelVersion;
import io.lakepipe.features.BuildFeatures;
import io.lakepipe.features.FeatureViewReader;
import io.lakepipe.ingest.files.IngestFiles;
import io.lakepipe.ingest.jdbc.IngestJdbc;
import io.lakepipe.mlflow.MlflowRestClient;
import io.lakepipe.mlflow.MlflowRuns;
import io.lakepipe.mlflow.RunStatus;
import io.lakepipe.tools.files.LandDemoFiles;
import io.lakepipe.train.TrainModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The four jobs as a chain on one real day of flights-3m, landed as the daily CSV file, against the
 * real MLflow server that {@code ./lakepipe services start} runs, with real Delta tables in a
 * temporary lakehouse.
 */
class PipelineChainIT extends SparkTestBase {
  private static final String MLFLOW =
      System.getProperty("mlflow.tracking.uri", "http://127.0.0.1:5000");
  private static final LocalDate DS = LocalDate.of(2001, 1, 15);
  private static final Path FLIGHTS = lakepipeHome().resolve(".lakepipe/data/flights-3m.parquet");

  @TempDir Path home;

  private LakepipeConfig config(Map<String, Object> extra) {
    Map<String, Object> overrides = new HashMap<>();
    String unique = UUID.randomUUID().toString().replace("-", "");
    overrides.put("lakepipe.demo.flights-data", FLIGHTS.toString());
    overrides.put("lakepipe.sources.flights.location", home.resolve("landing").toString());
    overrides.put("lakepipe.mlflow.tracking-uri", MLFLOW);
    overrides.put("lakepipe.mlflow.experiment", "lakepipe-chain-it-" + unique);
    overrides.put("lakepipe.mlflow.model-name", "lakepipe_chain_it_" + unique);
    overrides.putAll(extra);
    return testConfig(home, overrides);
  }

  private static JobResult run(String job, io.lakepipe.core.job.Job body, LakepipeConfig config) {
    return run(job, body, config, DS);
  }

  private static JobResult run(
      String job, io.lakepipe.core.job.Job body, LakepipeConfig config, LocalDate ds) {
    return JobRunner.runAudited(
        job, body, JobContext.of(spark, config, ds, UUID.randomUUID().toString()));
  }

  private static List<String> contents(String path, String... orderBy) {
    return spark
        .read()
        .format("delta")
        .load(path)
        .drop("_run_id", "_ingested_at")
        .orderBy(orderBy[0], java.util.Arrays.copyOfRange(orderBy, 1, orderBy.length))
        .collectAsList()
        .stream()
        .map(Row::toString)
        .toList();
  }

  @Test
  void theJobsChainOnRealDaysAndARerunChangesNothing() throws Exception {
    assertThat(FLIGHTS).as("run ./lakepipe setup first").exists();
    // Training splits by time: the two days before ds train and validate, ds is the test day.
    LocalDate first = DS.minusDays(2);
    LakepipeConfig config =
        config(
            Map.of(
                "lakepipe.train.window-days",
                3,
                "lakepipe.train.candidates",
                List.of(
                    Map.of(
                        "name",
                        "logistic_regression",
                        "type",
                        "logistic-regression",
                        "grid",
                        Map.of("max-iter", List.of(20))))));
    long flightsThatDay =
        spark
            .read()
            .parquet(FLIGHTS.toString())
            .where(to_date(col("date")).equalTo(lit(java.sql.Date.valueOf(DS))))
            .count();
    LandDemoFiles.land(spark, config, "flights", first, DS);

    run("ingest-jdbc:airports", IngestJdbc.of("airports"), config, first);
    long featureRows = 0;
    JobResult ingest = null;
    JobResult features = null;
    for (LocalDate day = first; !day.isAfter(DS); day = day.plusDays(1)) {
      ingest = run("ingest-files", IngestFiles.of("flights"), config, day);
      features =
          run(
              "build-features",
              c -> BuildFeatures.run(c, FeatureViewReader.read(config, "flights")),
              config,
              day);
      featureRows += features.rowsWritten();
    }
    JobResult train =
        run(
            "train-model:flights-delay",
            c -> TrainModel.prepare(config, Map.of("model", "flights-delay")).run(c),
            config);
    JobResult export = run("serve-export", ServeExport::run, config);

    assertThat(flightsThatDay).isGreaterThan(10_000);
    assertThat(ingest.rowsRead()).isEqualTo(flightsThatDay);
    assertThat(ingest.rowsWritten() + ingest.rowsQuarantined()).isEqualTo(flightsThatDay);
    assertThat(
            spark
                .read()
                .format("delta")
                .load(config.tablePath("bronze-flights"))
                .where(col("ds").equalTo(lit(java.sql.Date.valueOf(DS))))
                .count())
        .isEqualTo(ingest.rowsWritten());
    assertThat(features.rowsWritten()).isEqualTo(ingest.rowsWritten());
    assertThat(train.rowsRead()).isEqualTo(featureRows);
    assertThat(export.rowsWritten()).isEqualTo(features.rowsWritten());

    // The registered version's source is the run's logged model (MLflow 3), and its metrics are
    // there.
    String modelName = config.string("mlflow.model-name");
    try (MlflowTracking tracking = MlflowTracking.connect(MLFLOW, Duration.ofSeconds(10))) {
      MlflowRestClient client =
          MlflowRestClient.of(MLFLOW, System.getenv(), Duration.ofSeconds(10));
      ModelVersion version = tracking.versionByAlias(modelName, "challenger");
      assertThat(version.version()).isEqualTo("1");
      MlflowRuns.Run run = client.runs().get(version.runId());
      assertThat(run.status()).isEqualTo(RunStatus.FINISHED.name());
      assertThat(version.source()).startsWith("models:/m-");
      assertThat(run.metrics()).containsKey("test_roc_auc");
      assertThat(run.metrics().get("test_roc_auc")).isBetween(0.5, 1.0);
      // The training set's versions: the tables' versions the features job left.
      io.lakepipe.core.table.DeltaTables tables = new io.lakepipe.core.table.DeltaTables(spark);
      String featuresVersion =
          String.valueOf(tables.latestVersion(config.tablePath("features-flights")));
      String labelsVersion =
          String.valueOf(tables.latestVersion(config.tablePath("labels-flights")));
      assertThat(run.tags())
          .containsEntry("lakepipe.input.features.version", featuresVersion)
          .containsEntry("lakepipe.input.labels.version", labelsVersion);
      // Its files are its logged model's, as the export jobs download them.
      Path downloaded = home.resolve("downloaded-model");
      tracking.downloadModel(version, downloaded);
      assertThat(downloaded.resolve("MLmodel")).isRegularFile();
      assertThat(downloaded.resolve("sparkml/metadata")).isDirectory();
    }
    Path exported = Path.of(config.string("export.dir")).resolve(modelName).resolve("1");
    assertThat(exported.resolve("MLmodel")).exists();
    assertThat(exported.resolve("sparkml/metadata")).isDirectory();
    List<Row> predictions =
        spark.read().format("delta").load(config.tablePath("predictions-flights")).collectAsList();
    assertThat(predictions)
        .hasSize((int) features.rowsWritten())
        .allSatisfy(r -> assertThat(r.<Double>getAs("delay_probability")).isBetween(0.0, 1.0));

    // Scoring resolved the champion (the first version passes the gate); a rerun of the ds replaces
    // its partition with the same rows, and the table is partitioned by ds.
    assertThat(predictions)
        .allSatisfy(
            r -> {
              assertThat(r.<String>getAs("model_name")).isEqualTo(modelName);
              assertThat(r.<String>getAs("model_version")).isEqualTo("1");
            });
    List<String> predictionsBefore = contents(config.tablePath("predictions-flights"), "flight_id");
    run("serve-export", ServeExport::run, config);
    assertThat(contents(config.tablePath("predictions-flights"), "flight_id"))
        .isEqualTo(predictionsBefore);
    Row detail =
        spark.sql("DESCRIBE DETAIL delta.`" + config.tablePath("predictions-flights") + "`").head();
    assertThat(detail.<String>getList(detail.fieldIndex("partitionColumns"))).containsExactly("ds");

    // Rerunning the data jobs for the same ds leaves exactly the same tables.
    List<String> bronzeBefore =
        contents(
            config.tablePath("bronze-flights"),
            "flight_ts",
            "origin",
            "destination",
            "delay",
            "distance");
    List<String> featuresBefore = contents(config.tablePath("features-flights"), "flight_id");
    List<String> labelsBefore = contents(config.tablePath("labels-flights"), "flight_id");
    run("ingest-files", IngestFiles.of("flights"), config);
    run(
        "build-features",
        c -> BuildFeatures.run(c, FeatureViewReader.read(config, "flights")),
        config);
    assertThat(
            contents(
                config.tablePath("bronze-flights"),
                "flight_ts",
                "origin",
                "destination",
                "delay",
                "distance"))
        .isEqualTo(bronzeBefore);
    assertThat(contents(config.tablePath("features-flights"), "flight_id"))
        .isEqualTo(featuresBefore);
    assertThat(contents(config.tablePath("labels-flights"), "flight_id")).isEqualTo(labelsBefore);

    // Every run left one audit row, and read = written + quarantined in each.
    List<Row> audit =
        spark.read().format("delta").load(config.tablePath("audit-runs")).collectAsList();
    assertThat(audit)
        .hasSize(12)
        .allSatisfy(
            r -> {
              assertThat(r.<String>getAs("status")).isEqualTo("SUCCEEDED");
              assertThat(r.<Long>getAs("rows_read"))
                  .isEqualTo(r.<Long>getAs("rows_written") + r.<Long>getAs("rows_quarantined"));
            });
  }

  @Test
  void missingInputFailsClearlyAndWritesNoTable() {
    LakepipeConfig config = config(Map.of());

    assertThatThrownBy(() -> run("ingest-files", IngestFiles.of("flights"), config))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("No files landed for ds=2001-01-15 in " + home.resolve("landing"));
    assertThat(Path.of(config.tablePath("bronze-flights"))).doesNotExist();
  }

  @Test
  void unreachableTrackingServerFailsTrainingBeforeAnythingIsRegistered() {
    // No tables either: the training must stop at the tracking server, before it reads anything
    // (a training that read first would fail on the missing features, with another message).
    LakepipeConfig good = config(Map.of());
    Map<String, Object> unreachable = new HashMap<>();
    unreachable.put("lakepipe.mlflow.tracking-uri", "http://127.0.0.1:9");
    unreachable.put("lakepipe.mlflow.model-name", good.string("mlflow.model-name"));
    LakepipeConfig bad = config(unreachable);

    assertThatThrownBy(
            () ->
                run(
                    "train-model:flights-delay",
                    c -> TrainModel.prepare(bad, Map.of("model", "flights-delay")).run(c),
                    bad))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("unreachable");
    try (MlflowTracking tracking = MlflowTracking.connect(MLFLOW, Duration.ofSeconds(10))) {
      assertThatThrownBy(
              () -> tracking.versionByAlias(good.string("mlflow.model-name"), "challenger"))
          .hasMessageContaining("has no version @challenger");
    }
  }

  @Test
  void emptyDayFailsIngestWithoutTouchingTheTables() throws Exception {
    LakepipeConfig config = config(Map.of());
    Files.createFile(
        Files.createDirectories(home.resolve("landing/ds=2009-01-01")).resolve("part-0.csv"));

    assertThatThrownBy(
            () ->
                JobRunner.runAudited(
                    "ingest-files",
                    IngestFiles.of("flights"),
                    JobContext.of(spark, config, LocalDate.of(2009, 1, 1), "r")))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("landed for ds=2009-01-01")
        .hasMessageContaining("hold no records");
    assertThat(Files.exists(Path.of(config.tablePath("bronze-flights")))).isFalse();
    assertThat(Files.exists(Path.of(config.tablePath("quarantine-flights")))).isFalse();
  }
}
