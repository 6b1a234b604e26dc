// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ProtectedVersionTest {

  @Test
  void everyInputTableWithAPathAndAVersionIsProtected() {
    Map<String, String> tags =
        Map.of(
            "lakepipe.input.features.path", "/lake/features/flights/",
            "lakepipe.input.features.version", "12",
            "lakepipe.input.labels.path", "file:/lake/features/flight_labels",
            "lakepipe.input.labels.version", "7",
            "lakepipe.input.broken.path", "/lake/x",
            "lakepipe.input.broken.version", "-1",
            "lakepipe.ds", "2001-01-15");

    assertThat(ProtectedVersion.fromRunTags("m", "3", "r", tags))
        .containsExactly(
            new ProtectedVersion("/lake/features/flights", 12, "m", "3", "r"),
            new ProtectedVersion("/lake/features/flight_labels", 7, "m", "3", "r"));
  }

  @Test
  void aVersionIsOfATableWhateverTheSpellingOfItsPath() {
    ProtectedVersion version = new ProtectedVersion("/lake/features/flights", 1, "m", "1", "r");

    assertThat(version.isOf("file:///lake/features/flights/")).isTrue();
    assertThat(version.isOf("file:/lake/features/flights/")).isTrue();
    assertThat(version.isOf("/lake/features/flights")).isTrue();
    assertThat(version.isOf("/lake/x/../features/./flights")).isTrue();
    assertThat(version.isOf("/lake/features/flight_labels")).isFalse();
    assertThat(ProtectedVersion.normalized("s3a://bucket/lake/features/"))
        .isEqualTo("s3a://bucket/lake/features");
    assertThat(ProtectedVersion.normalized("lake/features"))
        .isEqualTo(java.nio.file.Path.of("lake/features").toAbsolutePath().toString());
  }
}
