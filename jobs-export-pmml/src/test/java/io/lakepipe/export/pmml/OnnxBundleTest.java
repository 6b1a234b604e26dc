// SPDX-License-Identifier: AGPL-3.0-only
package io.lakepipe.export.pmml;

import static io.lakepipe.export.pmml.PmmlBundlesTest.FLIGHTS;
import static io.lakepipe.export.pmml.PmmlBundlesTest.VERSION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakepipe.core.SparkTestBase;
import io.lakepipe.train.model.ModelType;
import io.lakepipe.train.torch.TorchModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundle of a pipeline ending in the torch family's model: its own ONNX file, which the real
 * scorer serves as Spark scores it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OnnxBundleTest extends SparkTestBase {
  /** The scoring service's jar, as the build packages it (see this module's pom). */
  static final Path SCORER_JAR = Path.of(System.getProperty("lakepipe.serving.jar", "missing"));

  private Dataset<Row> flights;
  private PipelineModel model;
  private TorchModel torch;

  @BeforeAll
  void fitATorchPipeline() {
    flights = PmmlBundlesTest.syntheticFlights(400, 11).cache();
    model =
        PmmlBundlesTest.fit(
            flights,
            ModelType.TORCH,
            Map.of("epochs", 2, "batch-size", 64, "hidden-layers", List.of(8), "num-processes", 1));
    torch = (TorchModel) PipelineInputs.lastStage(model);
  }

  private PmmlBundle bundle() {
    return PmmlBundles.build(model, PipelineInputs.schema(model, FLIGHTS), VERSION);
  }

  @Test
  void aTorchPipelineIsExportedAsItsOwnOnnxFile() {
    PmmlBundle bundle = bundle();

    BundleMetadata metadata = bundle.metadata();
    assertThat(ModelFormat.of(model)).isEqualTo(ModelFormat.ONNX);
    assertThat(bundle.model()).isEqualTo(torch.onnx());
    assertThat(bundle.files().keySet()).containsExactly("model.onnx", "bundle.json");
    assertThat(bundle.files().get("model.onnx")).isEqualTo(torch.onnx());
    assertThat(metadata.format()).isEqualTo(ModelFormat.ONNX);
    assertThat(metadata.modelSha256()).isEqualTo(PmmlBundles.sha256(torch.onnx())).hasSize(64);
    assertThat(metadata.outputField()).isNull();
    // The pipeline's inputs, typed as for PMML: the network reads the same raw columns.
    assertThat(metadata.inputs())
        .containsExactly(
            new BundleMetadata.Input("hour", "integer"),
            new BundleMetadata.Input("distance", "double"),
            new BundleMetadata.Input("origin", "string"),
            new BundleMetadata.Input("destination", "string"));
    assertThatThrownBy(bundle::pmml).hasMessageContaining("holds model.onnx, not PMML");
  }

  @Test
  void itsMetadataIsTheScorersOnnxContract() throws Exception {
    PmmlBundle bundle = bundle();
    JsonNode json = new ObjectMapper().readTree(bundle.files().get(PmmlBundle.METADATA_FILE));

    assertThat(json.fieldNames())
        .toIterable()
        .containsExactly(
            "model_name",
            "model_version",
            "run_id",
            "threshold",
            "format",
            "inputs",
            "metrics",
            "model_sha256",
            "created_at");
    assertThat(json.path("format").asText()).isEqualTo("onnx");
    assertThat(json.path("model_sha256").asText()).isEqualTo(PmmlBundles.sha256(torch.onnx()));
    assertThat(json.path("model_name").asText()).isEqualTo("flights_delay");
    assertThat(json.path("model_version").asText()).isEqualTo("3");
    assertThat(json.path("run_id").asText()).isEqualTo("run-1");
    assertThat(json.path("threshold").asDouble()).isEqualTo(0.3);
    assertThat(json.path("inputs").toString())
        .isEqualTo(
            "[{\"name\":\"hour\",\"type\":\"integer\"},{\"name\":\"distance\",\"type\":\"double\"},"
                + "{\"name\":\"origin\",\"type\":\"string\"},"
                + "{\"name\":\"destination\",\"type\":\"string\"}]");
    assertThat(json.path("metrics").fieldNames())
        .toIterable()
        .containsExactly("test_log_loss", "test_roc_auc");
    assertThat(json.path("created_at").asText()).isEqualTo("2025-01-02T03:04:05Z");
  }

  @Test
  void buildingTheSameVersionAgainGivesTheSameBytes() {
    Map<String, byte[]> first = bundle().files();
    Map<String, byte[]> second = bundle().files();

    assertThat(second.keySet()).containsExactlyElementsOf(first.keySet());
    first.forEach((name, bytes) -> assertThat(second.get(name)).as(name).isEqualTo(bytes));
  }

  @Test
  void theServingCheckHoldsItToTheFloat32Bound() {
    ServingCheck.Settings settings =
        new ServingCheck.Settings(Path.of("scorer.jar"), 100, 1e-9, 1e-6, 20, 256);

    assertThat(settings.parityBound(model)).isEqualTo(1e-6);
  }

  /**
   * The serving check as the export job runs it: the real scorer's jar serves the bundle in its own
   * JVM and answers each row, missing values and an unseen category among them, as Spark does.
   */
  @Test
  void theScorerServesTheBundleAsSparkScoresIt(@TempDir Path work) throws Exception {
    assumeTrue(
        Files.isRegularFile(SCORER_JAR),
        () -> SCORER_JAR + " is not built: ./mvnw -o -pl serving -am -DskipTests package");
    PmmlBundle bundle = bundle();
    Path dir = bundle.writeTo(work.resolve("bundle"));
    Dataset<Row> rows =
        flights
            .limit(40)
            .union(
                rows(
                    FLIGHTS,
                    new Object[] {"x1", null, null, null, null, 1.0},
                    new Object[] {"x2", 18, 500.0, "ZZZ", "ORD", 1.0},
                    new Object[] {"x3", 6, Double.NaN, "ATL", "", 0.0}));
    // No budget to meet: the parity is checked here, not the machine's speed.
    ServingCheck.Settings settings =
        new ServingCheck.Settings(SCORER_JAR, 100, 1e-9, 1e-6, Double.POSITIVE_INFINITY, 256);

    ServingCheck.Verdict verdict =
        ServingCheck.run(
            model,
            bundle.metadata().inputs(),
            dir,
            rows,
            settings,
            work.resolve("serving-check.log"));

    assertThat(verdict.passed()).as(verdict.reason()).isTrue();
    assertThat(verdict.rows()).isEqualTo(43);
    assertThat(verdict.maxDifference()).isLessThanOrEqualTo(1e-6);
  }
}
