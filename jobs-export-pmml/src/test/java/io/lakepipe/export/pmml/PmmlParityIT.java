// SPDX-License-Identifier: AGPL-3.0-only
package io.lakepipe.export.pmml;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.cli.JobRunner;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.job.Job;
import io.lakepipe.core.job.JobContext;
import io.lakepipe.core.table.DeltaTables;
import io.lakepipe.features.BuildFeatures;
import io.lakepipe.features.FeatureCatalog;
import io.lakepipe.features.FeatureView;
import io.lakepipe.features.FeatureViewReader;
import io.lakepipe.features.TrainingSets;
import io.lakepipe.ingest.files.IngestFiles;
import io.lakepipe.ingest.jdbc.IngestJdbc;
import io.lakepipe.tools.files.LandDemoFiles;
import io.lakepipe.train.model.Candidate;
import io.lakepipe.train.model.ModelType;
import io.lakepipe.train.model.Preprocessing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Parity of the PMML export with Spark on 10,000 real flights: real days of flights-3m are landed,
 * ingested (airports from the PostgreSQL of {@code ./lakepipe services start}) and turned into
 * features by the jobs themselves; each model type is trained with the train job's own stages, its
 * bundle is built, and the scoring service ({@code serving/}, PMML4S behind HTTP) is started on it
 * with {@code java -jar} and sent the same rows as JSON batches, as a client sends them. Its
 * P(delayed) is compared with Spark's {@code probability[1]}, its model name, version and labels
 * with the bundle's; the largest difference of each model type is printed and written to {@code
 * target/parity/parity.txt}, beside each service's log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PmmlParityIT extends SparkTestBase {
  static final LocalDate DS = LocalDate.of(2001, 1, 15);

  /**
   * The first day only feeds the history features of the next one, which fits; ds is scored. One
   * fit day leaves flights of ds with an airport the fit never saw, so every family's service also
   * scores unseen categories on real rows (XGBoost's scored one 6.2e-2 from Spark until
   * SparkFidelity.unseenCategoriesDownTheirSide, 9.5e-8 since).
   */
  static final LocalDate FIRST = DS.minusDays(2);

  static final int ROWS = 10_000;

  /** Failsafe sets it to serving's shaded jar, which the reactor packages before this module. */
  static final Path SCORER_JAR = Path.of(System.getProperty("lakepipe.serving.jar", "missing"));

  static final Path FLIGHTS = lakepipeHome().resolve(".lakepipe/data/flights-3m.parquet");
  static final ExportedVersion VERSION =
      new ExportedVersion("parity", "1", "parity-run", 0.3, Map.of(), Instant.EPOCH);
  static final Path REPORT_DIR =
      Path.of(System.getProperty("lakepipe.parity.report", "target/parity"));

  /** The service's default limits (its ServingConfig): batches a default deployment accepts. */
  static final int MAX_BODY_BYTES = 1 << 20;

  static final int MAX_BATCH = 10_000;

  private Path home;
  private List<String> numeric;
  private List<String> categorical;
  private Dataset<Row> fitRows;

  /** The preprocessing every model type shares, fitted once, and the fit rows through it. */
  private PipelineModel preprocessing;

  private Dataset<Row> prepared;
  private Dataset<Row> scoreRows;
  private org.apache.spark.sql.types.StructType featureSchema;
  private final List<String> report = new ArrayList<>();

  @BeforeAll
  void realFeatures() throws IOException {
    assertThat(FLIGHTS).as("run ./lakepipe setup first").exists();
    home = Files.createTempDirectory("lakepipe-parity-");
    LakepipeConfig config =
        testConfig(
            home,
            Map.of(
                "lakepipe.demo.flights-data", FLIGHTS.toString(),
                "lakepipe.sources.flights.location", home.resolve("landing").toString()));
    LandDemoFiles.land(spark, config, "flights", FIRST, DS);
    run("ingest-jdbc:airports", IngestJdbc.of("airports"), config, FIRST);
    FeatureView view = FeatureViewReader.read(config, "flights");
    for (LocalDate day = FIRST; !day.isAfter(DS); day = day.plusDays(1)) {
      run("ingest-files", IngestFiles.of("flights"), config, day);
      // The first day's features are never read: its bronze is the next day's history, whose
      // build computes the daily stats it lacks.
      if (day.isAfter(FIRST)) {
        run("build-features", context -> BuildFeatures.run(context, view), config, day);
      }
    }
    FeatureCatalog catalog = view.catalog();
    Dataset<Row> rows =
        new TrainingSets(new DeltaTables(spark), config, view)
            .latest(FIRST.plusDays(1), DS)
            .rows()
            .withColumn(view.label().name(), col(view.label().name()).cast("double"));
    featureSchema =
        spark.read().format("delta").load(config.tablePath("features-flights")).schema();
    fitRows =
        rows.where(col(DeltaTables.DS).lt(java.sql.Date.valueOf(DS)))
            .persist(StorageLevel.MEMORY_AND_DISK());
    scoreRows =
        rows.where(col(DeltaTables.DS).equalTo(java.sql.Date.valueOf(DS)))
            .orderBy("flight_id")
            .limit(ROWS)
            .persist(StorageLevel.MEMORY_AND_DISK());
    // As the training does: a numeric feature without a single value cannot be fit.
    Row values =
        fitRows
            .agg(
                count(col(catalog.numericInputs().get(0))),
                catalog.numericInputs().stream()
                    .skip(1)
                    .map(c -> count(col(c)))
                    .toArray(Column[]::new))
            .head();
    numeric = new ArrayList<>();
    for (int i = 0; i < catalog.numericInputs().size(); i++) {
      if (values.getLong(i) > 0) {
        numeric.add(catalog.numericInputs().get(i));
      }
    }
    categorical = catalog.categoricalInputs();
    preprocessing = Preprocessing.pipeline(numeric, categorical).fit(fitRows);
    prepared = preprocessing.transform(fitRows).persist(StorageLevel.MEMORY_AND_DISK());
    assertThat(scoreRows.count()).isEqualTo(ROWS);
  }

  @AfterAll
  void writeReport() throws IOException {
    Files.createDirectories(REPORT_DIR);
    Files.write(REPORT_DIR.resolve("parity.txt"), report, StandardCharsets.UTF_8);
    report.forEach(System.out::println);
    org.apache.commons.io.FileUtils.deleteQuietly(home.toFile());
  }

  @Test
  void logisticRegressionMatchesSpark() throws Exception {
    assertThat(
            maxDifference(
                ModelType.LOGISTIC_REGRESSION, Map.of("max-iter", 50, "reg-param", 0.001)))
        .isLessThanOrEqualTo(1e-9);
  }

  @Test
  void gradientBoostedTreesMatchSpark() throws Exception {
    assertThat(
            maxDifference(ModelType.GBT, Map.of("max-iter", 8, "max-depth", 5, "step-size", 0.2)))
        .isLessThanOrEqualTo(1e-9);
  }

  @Test
  void multilayerPerceptronMatchesSpark() throws Exception {
    assertThat(
            maxDifference(
                ModelType.MLP,
                Map.of("hidden-layers", List.of(16), "max-iter", 20, "step-size", 0.03)))
        .isLessThanOrEqualTo(1e-9);
  }

  /**
   * XGBoost's probability is a float32 (its steps near 1 are 6e-8 apart; 7.6e-8 was measured), so
   * its bound is float precision; a flight sent down the wrong branch differs by 1e-3 or more.
   */
  @Test
  void xgboostMatchesSpark() throws Exception {
    assertThat(maxDifference(ModelType.XGBOOST, Map.of("num-round", 10, "max-depth", 4)))
        .isLessThanOrEqualTo(1e-6);
  }

  /**
   * The network's ONNX file in ONNX Runtime on both sides (Java's, inside Spark's tasks and in the
   * scorer): the same float32 arithmetic. (Against PyTorch itself: jobs-train's Python tests, 1e-5
   * over 10,000 rows.)
   */
  @Test
  void torchMatchesSpark() throws Exception {
    assertThat(
            maxDifference(
                ModelType.TORCH,
                Map.of("epochs", 2, "batch-size", 256, "hidden-layers", List.of(16))))
        .isLessThanOrEqualTo(1e-6);
  }

  private PipelineModel fit(ModelType type, Map<String, Object> params) {
    List<PipelineStage> head =
        type.stages(
            new Candidate(type.configName(), type, 1, params),
            Preprocessing.layout(prepared, numeric, categorical),
            42,
            "delayed");
    PipelineModel fitted =
        new Pipeline().setStages(head.toArray(PipelineStage[]::new)).fit(prepared);
    // One flat pipeline from feature columns to probability, as the train job registers it.
    return new PipelineModel(
        "parity_" + type.configName(),
        Stream.concat(Stream.of(preprocessing.stages()), Stream.of(fitted.stages()))
            .toArray(Transformer[]::new));
  }

  /**
   * Trains and exports one model type, scores the rows with the scoring service over HTTP, and
   * returns max |service - Spark| over the rows.
   */
  private double maxDifference(ModelType type, Map<String, Object> params) throws Exception {
    PipelineModel model = fit(type, params);
    PmmlBundle bundle =
        PmmlBundles.build(model, PipelineInputs.schema(model, featureSchema), VERSION);
    Path dir = bundle.writeTo(home.resolve("bundles").resolve(type.configName()));
    BundleMetadata metadata = bundle.metadata();

    // One query gives each flight's request record beside Spark's probability, so both lists are
    // in the same order by construction.
    List<Row> scored =
        model
            .transform(scoreRows)
            .select(
                col("flight_id"),
                vector_to_array(col("probability"), "float64").getItem(1).as("p"),
                ServingCheck.requestRecord(metadata.inputs()).as("record"))
            .orderBy("flight_id")
            .collectAsList();
    List<String> records = scored.stream().map(row -> row.getString(2)).toList();
    Files.write(dir.resolve("inputs.jsonl"), records, StandardCharsets.UTF_8);

    Path log = dir.resolve("serving.log");
    List<List<String>> batches = batches(records);
    List<Double> served = new ArrayList<>(ROWS);
    int unknownCategories = 0;
    try (SandboxedScorer service = SandboxedScorer.start(SCORER_JAR, dir, log, 512)) {
      JsonNode health = service.health();
      assertThat(health.path("model_name").asText())
          .as(service::logTail)
          .isEqualTo(metadata.modelName());
      assertThat(health.path("model_version").asText())
          .as(service::logTail)
          .isEqualTo(metadata.modelVersion());
      for (List<String> batch : batches) {
        JsonNode answer = service.predict("[" + String.join(",", batch) + "]");
        assertThat(answer.path("model_name").asText()).isEqualTo(metadata.modelName());
        assertThat(answer.path("model_version").asText()).isEqualTo(metadata.modelVersion());
        JsonNode predictions = answer.path("predictions");
        assertThat(predictions.size())
            .as("predictions for a batch of %d", batch.size())
            .isEqualTo(batch.size());
        for (JsonNode prediction : predictions) {
          JsonNode probability = prediction.path("probability");
          assertThat(probability.isNumber()).as("a probability in %s", prediction).isTrue();
          // bundle.json's threshold is the one above which a flight is labelled delayed.
          assertThat(prediction.path("delayed").asBoolean())
              .as("the label of %s at threshold %s", prediction, metadata.threshold())
              .isEqualTo(probability.doubleValue() > metadata.threshold());
          served.add(probability.doubleValue());
          if (prediction.has("unknown_categories")) {
            unknownCategories++;
          }
        }
      }
    } finally {
      if (Files.exists(log)) {
        Files.createDirectories(REPORT_DIR);
        Files.copy(
            log,
            REPORT_DIR.resolve(type.configName() + "-serving.log"),
            StandardCopyOption.REPLACE_EXISTING);
      }
    }

    assertThat(served).hasSize(ROWS);
    assertThat(unknownCategories)
        .as("flights of %s with a category the fit never saw (else none is tested)", DS)
        .isPositive();
    double max = 0;
    for (int i = 0; i < ROWS; i++) {
      max = Math.max(max, Math.abs(served.get(i) - scored.get(i).getDouble(1)));
    }
    report.add(
        String.format(
            Locale.ROOT,
            "%s: max |service - Spark| over %d flights of %s = %.3e"
                + " (%d inputs, %s %d bytes, %d requests, %d flights with an unseen category)",
            type.configName(),
            ROWS,
            DS,
            max,
            metadata.inputs().size(),
            metadata.format(),
            bundle.model().length,
            batches.size(),
            unknownCategories));
    return max;
  }

  /** The records in order, cut into JSON arrays that fit the service's default limits. */
  private static List<List<String>> batches(List<String> records) {
    List<List<String>> batches = new ArrayList<>();
    List<String> batch = new ArrayList<>();
    long bytes = 2;
    for (String record : records) {
      int size = record.getBytes(StandardCharsets.UTF_8).length + 1;
      if (!batch.isEmpty() && (bytes + size > MAX_BODY_BYTES || batch.size() == MAX_BATCH)) {
        batches.add(batch);
        batch = new ArrayList<>();
        bytes = 2;
      }
      batch.add(record);
      bytes += size;
    }
    if (!batch.isEmpty()) {
      batches.add(batch);
    }
    return batches;
  }

  private static void run(String job, Job body, LakepipeConfig config, LocalDate ds) {
    JobRunner.runAudited(job, body, JobContext.of(spark, config, ds, UUID.randomUUID().toString()));
  }
}
