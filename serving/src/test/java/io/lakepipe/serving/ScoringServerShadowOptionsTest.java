// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.serving.shadow.ShadowConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.ParameterException;

/** The shadow's command-line options become the config's shadow; nothing is bound or loaded. */
class ScoringServerShadowOptionsTest {
  private static final String REGISTRY = "http://127.0.0.1:1";

  @TempDir Path dir;

  private static ServingConfig config(String... args) {
    ScoringServer server = new ScoringServer(Map.of());
    ScoringServer.commandLine(server).parseArgs(args);
    return server.config(Map.of());
  }

  @Test
  void withoutAShadowOptionThereIsNoShadow() {
    Path bundle = TestBundles.write(dir, "lr-v1", "1");
    assertThat(config("--bundle", bundle.toString()).shadow()).isEmpty();
  }

  @Test
  void aShadowAliasIsAnotherAliasOfTheServedModel() {
    ShadowConfig shadow =
        config("--registry", REGISTRY, "--model", "m", "--shadow-alias", "challenger")
            .shadow()
            .orElseThrow();

    assertThat(shadow.source().location()).isEqualTo("models:/m@challenger at " + REGISTRY);
    assertThat(shadow.source().watchable()).isTrue();
    assertThat(shadow.maxQueuedRecords()).isEqualTo(ShadowConfig.DEFAULT_MAX_QUEUED_RECORDS);
    assertThat(shadow.summaryInterval())
        .isEqualTo(Duration.ofSeconds(ShadowConfig.DEFAULT_SUMMARY_SECONDS));
  }

  @Test
  void aShadowBundleTakesTheQueueAndSummaryOptions() {
    Path bundle = TestBundles.write(dir.resolve("v1"), "lr-v1", "1");
    Path shadowBundle = TestBundles.write(dir.resolve("v2"), "lr-v2", "2");
    ShadowConfig shadow =
        config(
                "--bundle",
                bundle.toString(),
                "--shadow-bundle",
                shadowBundle.toString(),
                "--shadow-queue-records",
                "500",
                "--shadow-summary-seconds",
                "10")
            .shadow()
            .orElseThrow();

    assertThat(shadow.source().location()).isEqualTo(shadowBundle.toString());
    assertThat(shadow.maxQueuedRecords()).isEqualTo(500);
    assertThat(shadow.summaryInterval()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void aShadowAliasNeedsTheRegistryAndAnotherAlias() {
    Path bundle = TestBundles.write(dir, "lr-v1", "1");
    assertThatThrownBy(() -> config("--bundle", bundle.toString(), "--shadow-alias", "challenger"))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("--shadow-alias goes with --registry");
    assertThatThrownBy(
            () -> config("--registry", REGISTRY, "--model", "m", "--shadow-alias", "champion"))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("--shadow-alias champion is the alias served");
  }

  @Test
  void shadowSettingsWithoutAShadowAreRefused() {
    Path bundle = TestBundles.write(dir, "lr-v1", "1");
    assertThatThrownBy(() -> config("--bundle", bundle.toString(), "--shadow-queue-records", "5"))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("go with --shadow-alias or --shadow-bundle");
    assertThatThrownBy(
            () ->
                config(
                    "--bundle",
                    bundle.toString(),
                    "--shadow-bundle",
                    bundle.toString(),
                    "--shadow-queue-records",
                    "0"))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("shadow queue must hold at least 1 record");
  }
}
