// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.serving.BundleException;
import io.lakepipe.serving.OnnxTestBundles;
import io.lakepipe.serving.TestBundles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleTest {
  @TempDir Path dir;

  @Test
  void theCommittedFixtureLoadsWithItsMetadata() throws Exception {
    Path fixture = Paths.get(BundleTest.class.getResource("/bundles/lr-v1").toURI());
    Bundle bundle = new FolderBundleSource(fixture).load();

    BundleManifest manifest = bundle.manifest();
    assertThat(manifest.modelName()).isEqualTo("lakepipe_flights_delay");
    assertThat(manifest.modelVersion()).isEqualTo("1");
    assertThat(manifest.runId()).isEqualTo("test-run-1");
    assertThat(manifest.threshold()).isEqualTo(0.5);
    assertThat(manifest.format()).isEqualTo(ModelFormat.PMML);
    assertThat(manifest.outputField()).isEqualTo("probability(1)");
    assertThat(manifest.inputs())
        .containsExactly(
            new InputField("hour", InputType.INTEGER),
            new InputField("distance", InputType.DOUBLE),
            new InputField("origin", InputType.STRING));
    assertThat(manifest.metrics()).containsEntry("test_roc_auc", 0.71);
    assertThat(bundle.revision()).isEmpty();
    assertThat(bundle.location()).isEqualTo(fixture.toString());
  }

  @Test
  void aNumericModelVersionIsKeptAsAString() {
    String pmml = TestBundles.pmml("lr-v1");
    String manifest =
        TestBundles.manifest("7", pmml).replace("\"model_version\": \"7\"", "\"model_version\": 7");
    Bundle bundle = Bundle.of("here", null, bytes(manifest), bytes(pmml));
    assertThat(bundle.manifest().modelVersion()).isEqualTo("7");
  }

  @Test
  void aPmmlThatDoesNotMatchItsChecksumIsRefused() throws Exception {
    TestBundles.write(dir, "lr-v1", "1");
    Files.writeString(dir.resolve("model.pmml"), TestBundles.pmml("lr-v2"));

    assertThatThrownBy(() -> new FolderBundleSource(dir).load())
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("model.pmml at " + dir)
        .hasMessageContaining("has SHA-256 " + Bundle.sha256(bytes(TestBundles.pmml("lr-v2"))))
        .hasMessageContaining("damaged or half-written")
        .hasMessageContaining("Re-run the export");
  }

  @Test
  void aMissingFileIsNamed() throws Exception {
    TestBundles.write(dir, "lr-v1", "1");
    Files.delete(dir.resolve("model.pmml"));

    assertThatThrownBy(() -> new FolderBundleSource(dir).load())
        .isInstanceOf(BundleException.class)
        .hasMessageStartingWith("No model.pmml in the bundle at " + dir);
  }

  @Test
  void aManifestThatIsNotJsonIsRefused() {
    assertThatThrownBy(() -> Bundle.of("here", null, bytes("{not json"), bytes("x")))
        .isInstanceOf(BundleException.class)
        .hasMessageStartingWith("bundle.json at here is not valid JSON");
  }

  @Test
  void manifestFieldsAreChecked() {
    String pmml = TestBundles.pmml("lr-v1");
    String good = TestBundles.manifest("1", pmml);
    assertThatThrownBy(
            () ->
                Bundle.of(
                    "here",
                    null,
                    bytes(good.replace("\"threshold\": 0.5", "\"threshold\": 1.5")),
                    bytes(pmml)))
        .hasMessageContaining("'threshold' must be a number in [0, 1]");
    assertThatThrownBy(
            () ->
                Bundle.of(
                    "here",
                    null,
                    bytes(good.replace("\"type\": \"double\"", "\"type\": \"float\"")),
                    bytes(pmml)))
        .hasMessageContaining(
            "gives 'distance' the type 'float'; the types are double, long, integer and string");
    assertThatThrownBy(
            () ->
                Bundle.of(
                    "here",
                    null,
                    bytes(good.replace("\"model_name\": ", "\"name\": ")),
                    bytes(pmml)))
        .hasMessageContaining("'model_name' must be a non-empty string");
    assertThatThrownBy(
            () ->
                Bundle.of(
                    "here",
                    null,
                    bytes(good.replace("{\"name\": \"origin\"", "{\"name\": \"hour\"")),
                    bytes(pmml)))
        .hasMessageContaining("declares 'hour' twice");
  }

  @Test
  void anOnnxBundleHoldsModelOnnxAndNeedsNoOutputField() {
    OnnxTestBundles.write(dir, OnnxTestBundles.LR, "3");
    Bundle bundle = new FolderBundleSource(dir).load();

    assertThat(bundle.manifest().format()).isEqualTo(ModelFormat.ONNX);
    assertThat(bundle.manifest().outputField()).isNull();
    assertThat(bundle.manifest().modelVersion()).isEqualTo("3");
    assertThat(bundle.manifest().modelSha256())
        .isEqualTo(Bundle.sha256(OnnxTestBundles.model(OnnxTestBundles.LR)));
    assertThat(bundle.model()).isEqualTo(OnnxTestBundles.model(OnnxTestBundles.LR));
    assertThatThrownBy(bundle::pmml)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("holds model.onnx, not PMML");
  }

  @Test
  void anOnnxModelThatDoesNotMatchItsChecksumIsRefused() throws Exception {
    OnnxTestBundles.write(dir, OnnxTestBundles.LR, "1");
    byte[] other = OnnxTestBundles.model(OnnxTestBundles.NO_CATEGORIES);
    Files.write(dir.resolve(Bundle.ONNX_FILE), other);

    assertThatThrownBy(() -> new FolderBundleSource(dir).load())
        .isInstanceOf(BundleException.class)
        .hasMessageStartingWith("model.onnx at " + dir + " has SHA-256 " + Bundle.sha256(other))
        .hasMessageContaining("damaged or half-written");
  }

  @Test
  void theFormatNamesTheFileThatMustBeThere() throws Exception {
    OnnxTestBundles.write(dir, OnnxTestBundles.LR, "1");
    Files.delete(dir.resolve(Bundle.ONNX_FILE));
    // A model.pmml beside it does not stand in for the model.onnx that bundle.json names.
    Files.writeString(dir.resolve(Bundle.PMML_FILE), TestBundles.pmml("lr-v1"));

    assertThatThrownBy(() -> new FolderBundleSource(dir).load())
        .isInstanceOf(BundleException.class)
        .hasMessageStartingWith("No model.onnx in the bundle at " + dir)
        .hasMessageContaining("model.onnx (format onnx)");
  }

  @Test
  void theFormatFieldIsChecked() {
    String pmml = TestBundles.pmml("lr-v1");
    String good = TestBundles.manifest("1", pmml);
    Bundle explicit =
        Bundle.of("here", null, bytes(good.replace("{", "{\"format\": \"pmml\", ")), bytes(pmml));
    assertThat(explicit.manifest().format()).isEqualTo(ModelFormat.PMML);
    assertThatThrownBy(
            () ->
                Bundle.of(
                    "here",
                    null,
                    bytes(good.replace("{", "{\"format\": \"torch\", ")),
                    bytes(pmml)))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining(
            "'format' is 'torch'; the formats are pmml (the default when absent) and onnx");
    assertThatThrownBy(
            () ->
                Bundle.of("here", null, bytes(good.replace("{", "{\"format\": 2, ")), bytes(pmml)))
        .hasMessageContaining("'format' must be a string");
    assertThatThrownBy(
            () ->
                Bundle.of(
                    "here",
                    null,
                    bytes(good.replace("\"output_field\": ", "\"output\": ")),
                    bytes(pmml)))
        .hasMessageContaining("'output_field' must be a non-empty string");

    byte[] onnx = OnnxTestBundles.model(OnnxTestBundles.LR);
    String onnxManifest = OnnxTestBundles.manifest("1", onnx);
    assertThatThrownBy(
            () ->
                Bundle.of(
                    "here",
                    null,
                    bytes(onnxManifest.replace("\"model_sha256\"", "\"pmml_sha256\"")),
                    onnx))
        .hasMessageContaining("'model_sha256' must be a non-empty string");
    assertThatThrownBy(
            () ->
                Bundle.of(
                    "here", null, bytes(onnxManifest.replace(Bundle.sha256(onnx), "abc")), onnx))
        .hasMessageContaining("'model_sha256' must be 64 hex digits (SHA-256 of model.onnx)");
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
