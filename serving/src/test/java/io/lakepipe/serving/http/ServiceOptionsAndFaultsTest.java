// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakepipe.serving.ScoringService;
import io.lakepipe.serving.ServiceTestBase;
import io.lakepipe.serving.ServingConfig;
import io.lakepipe.serving.TestBundles;
import io.lakepipe.serving.bundle.FolderBundleSource;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The threshold override, and what a client is told when the model cannot score a record. */
class ServiceOptionsAndFaultsTest extends ServiceTestBase {
  @TempDir Path dir;

  @Test
  void theThresholdOptionOverridesTheBundles() {
    Path bundle = TestBundles.write(dir, "lr-v1", "1");
    ServingConfig config =
        ServingConfig.defaults(new FolderBundleSource(bundle)).withPort(0).withToken(TOKEN);
    // p = 0.55 for this record: delayed at the bundle's 0.5, not at 0.6.
    try (ScoringService service = ScoringService.start(config)) {
      assertThat(
              predict(service.port(), record(10, 1000.0, "ORD")).json().get("delayed").asBoolean())
          .isTrue();
    }
    try (ScoringService service = ScoringService.start(config.withThreshold(0.6))) {
      assertThat(
              predict(service.port(), record(10, 1000.0, "ORD")).json().get("delayed").asBoolean())
          .isFalse();
    }
  }

  @Test
  void aMissingValueTheModelCannotReplaceIs422NamingTheField() {
    Path bundle =
        TestBundles.write(
            dir, "lr-v1", "1", pmml -> pmml.replace(" missingValueReplacement=\"800.0\"", ""));
    try (ScoringService service =
        ScoringService.start(
            ServingConfig.defaults(new FolderBundleSource(bundle)).withPort(0).withToken(TOKEN))) {
      Answer answer =
          predict(
              service.port(),
              "[" + record(10, 1000.0, "ORD") + ", " + record(10, null, "ORD") + "]");
      assertThat(answer.status()).isEqualTo(422);
      assertThat(answer.json().get("field").asText()).isEqualTo("distance");
      assertThat(answer.json().get("index").asInt()).isEqualTo(1);
      assertThat(answer.json().get("error").asText())
          .contains("no replacement for a missing value");
    }
  }

  @Test
  void aModelThatFailsOnACompleteRecordIsA500CountedInMetrics() {
    // A derived input PMML4S cannot evaluate (substring with a negative length): no probability at
    // all.
    Path bundle =
        TestBundles.write(
            dir,
            "lr-v1",
            "1",
            pmml ->
                pmml.replace(
                        "  <RegressionModel",
                        "  <TransformationDictionary><DerivedField name=\"origin_code\""
                            + " optype=\"continuous\" dataType=\"double\"><Apply function=\"substring\"><FieldRef field=\"origin\"/>"
                            + "<Constant dataType=\"integer\">5</Constant><Constant dataType=\"integer\">-3</Constant></Apply>"
                            + "</DerivedField></TransformationDictionary>\n  <RegressionModel")
                    .replace(
                        "<NumericPredictor name=\"distance\" coefficient=\"0.0005\"/>",
                        "<NumericPredictor name=\"distance\" coefficient=\"0.0005\"/><NumericPredictor name=\"origin_code\""
                            + " coefficient=\"0.1\"/>"));
    try (ScoringService service =
        ScoringService.start(
            ServingConfig.defaults(new FolderBundleSource(bundle)).withPort(0).withToken(TOKEN))) {
      Answer answer = predict(service.port(), record(10, 1000.0, "ORD"));
      assertThat(answer.status()).isEqualTo(500);
      assertThat(answer.json().get("error").asText())
          .startsWith("Model version 1 returned no probability")
          .contains("not the request");
      assertThat(send(service.port(), "GET", "/health", null, null).status()).isEqualTo(200);
      assertThat(send(service.port(), "GET", "/metrics", null, TOKEN).body())
          .contains("lakepipe_serving_errors_total{endpoint=\"predict\",reason=\"scoring\"} 1")
          .contains("lakepipe_serving_requests_total{endpoint=\"predict\",status=\"500\"} 1");
    }
  }
}
