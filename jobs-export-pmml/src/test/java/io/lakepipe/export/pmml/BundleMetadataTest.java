// SPDX-License-Identifier: AGPL-3.0-only
package io.lakepipe.export.pmml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** bundle.json to the byte, as the scorer and earlier exports of the same version read it. */
class BundleMetadataTest {
  private static final List<BundleMetadata.Input> INPUTS =
      List.of(
          new BundleMetadata.Input("hour", "integer"),
          new BundleMetadata.Input("origin", "string"));
  private static final Map<String, Double> METRICS =
      Map.of("test_roc_auc", 0.71, "test_log_loss", 0.45);
  private static final String SHA = "ab".repeat(32);
  private static final Instant CREATED = Instant.parse("2025-01-02T03:04:05Z");

  private static BundleMetadata metadata(ModelFormat format, String outputField) {
    return new BundleMetadata(
        "flights_delay", "3", "run-1", 0.3, format, outputField, INPUTS, METRICS, SHA, CREATED);
  }

  @Test
  void aPmmlBundleIsWrittenAsBeforeOnnxBundles() {
    // The bytes the export wrote before it knew formats, for the same version.
    assertThat(
            new String(
                metadata(ModelFormat.PMML, "probability(1)").toJson(), StandardCharsets.UTF_8))
        .isEqualTo(
            """
            {
              "model_name" : "flights_delay",
              "model_version" : "3",
              "run_id" : "run-1",
              "threshold" : 0.3,
              "output_field" : "probability(1)",
              "inputs" : [ {
                "name" : "hour",
                "type" : "integer"
              }, {
                "name" : "origin",
                "type" : "string"
              } ],
              "metrics" : {
                "test_log_loss" : 0.45,
                "test_roc_auc" : 0.71
              },
              "pmml_sha256" : "%s",
              "created_at" : "2025-01-02T03:04:05Z"
            }
            """
                .formatted(SHA));
  }

  @Test
  void anOnnxBundleNamesItsFormatAndChecksumAndNoOutputField() {
    assertThat(new String(metadata(ModelFormat.ONNX, null).toJson(), StandardCharsets.UTF_8))
        .isEqualTo(
            """
            {
              "model_name" : "flights_delay",
              "model_version" : "3",
              "run_id" : "run-1",
              "threshold" : 0.3,
              "format" : "onnx",
              "inputs" : [ {
                "name" : "hour",
                "type" : "integer"
              }, {
                "name" : "origin",
                "type" : "string"
              } ],
              "metrics" : {
                "test_log_loss" : 0.45,
                "test_roc_auc" : 0.71
              },
              "model_sha256" : "%s",
              "created_at" : "2025-01-02T03:04:05Z"
            }
            """
                .formatted(SHA));
  }

  @Test
  void aPmmlBundleNeedsItsOutputFieldAndOnlyItHasAPmmlChecksum() {
    assertThatThrownBy(() -> metadata(ModelFormat.PMML, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(metadata(ModelFormat.PMML, "probability(1)").pmmlSha256()).isEqualTo(SHA);
    assertThatThrownBy(() -> metadata(ModelFormat.ONNX, null).pmmlSha256())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("model.onnx");
  }
}
