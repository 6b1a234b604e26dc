// SPDX-License-Identifier: AGPL-3.0-only
package io.lakepipe.export.pmml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The local deployment's {@code current} link under a publish stopped between any two of its steps,
 * as a kill would stop it: the link always leads to a complete bundle, old or new, and the next
 * publish finishes the job.
 */
class LocalDeploymentTest {
  private static final String MODEL = "flights_delay";

  @TempDir Path root;

  private static Map<String, byte[]> bundle(String content) {
    return Map.of(
        "model.pmml",
        ("<PMML>" + content + "</PMML>").getBytes(StandardCharsets.UTF_8),
        "bundle.json",
        ("{\"content\": \"" + content + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  private String currentPmml() throws Exception {
    Path current = root.resolve(MODEL).resolve(BundleDeployment.CURRENT);
    assertThat(current).as("current leads to a folder").isDirectory();
    try (Stream<Path> files = Files.list(current)) {
      assertThat(files.map(f -> f.getFileName().toString()).toList())
          .containsExactlyInAnyOrder("model.pmml", "bundle.json");
    }
    return Files.readString(current.resolve("model.pmml"));
  }

  /** Stops the publish after {@code step}, as a kill there would. */
  private static final class Killed extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  @ParameterizedTest
  @ValueSource(strings = {"staged", "current-on-interim", "old-deleted", "moved", "current"})
  void republishingTheCurrentVersionKilledAfterAnyStepLeavesCurrentWhole(String step)
      throws Exception {
    new LocalDeployment(root).publish(MODEL, "3", bundle("old"));

    LocalDeployment killed =
        new LocalDeployment(
            root,
            done -> {
              if (done.equals(step)) {
                throw new Killed();
              }
            });
    assertThatThrownBy(() -> killed.publish(MODEL, "3", bundle("new")))
        .hasRootCauseInstanceOf(Killed.class);
    assertThat(currentPmml()).isIn("<PMML>old</PMML>", "<PMML>new</PMML>");

    // The retry completes it: current is the version's folder, with the new files.
    new LocalDeployment(root).publish(MODEL, "3", bundle("new"));
    assertThat(Files.readSymbolicLink(root.resolve(MODEL).resolve(BundleDeployment.CURRENT)))
        .isEqualTo(Path.of("3"));
    assertThat(currentPmml()).isEqualTo("<PMML>new</PMML>");
  }

  @Test
  void aNewVersionKilledBeforeTheSwitchLeavesTheOldOneCurrent() throws Exception {
    new LocalDeployment(root).publish(MODEL, "3", bundle("three"));

    assertThatThrownBy(
            () ->
                new LocalDeployment(
                        root,
                        done -> {
                          if (done.equals("moved")) {
                            throw new Killed();
                          }
                        })
                    .publish(MODEL, "4", bundle("four")))
        .hasRootCauseInstanceOf(Killed.class);

    assertThat(currentPmml()).isEqualTo("<PMML>three</PMML>");
    try (Stream<Path> entries = Files.list(root.resolve(MODEL))) {
      assertThat(
              entries.map(e -> e.getFileName().toString()).filter(n -> !n.startsWith(".")).toList())
          .containsExactlyInAnyOrderElementsOf(List.of("3", "4", BundleDeployment.CURRENT));
    }
  }
}
