// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.SparkTestBase;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models pass between the driver's folder and Spark through the staging root; what the save and the
 * load are handed is a staged URI there, never the driver's folder.
 */
class ModelStagingTest extends SparkTestBase {
  @TempDir Path dir;

  private Path root() {
    return dir.resolve("lakehouse/_staging");
  }

  private List<Path> staged() throws IOException {
    if (!Files.isDirectory(root())) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(root())) {
      return entries.toList();
    }
  }

  /** A "model" of two parts, written where the save is told to, as Spark ML's tasks would. */
  private static void writeParts(String uri) throws IOException {
    Path folder = Path.of(URI.create(uri.startsWith("file:") ? uri : "file:" + uri));
    Files.createDirectories(folder.resolve("data"));
    Files.writeString(folder.resolve("metadata"), "{\"class\":\"m\"}");
    Files.writeString(folder.resolve("data/part-00000"), "weights");
  }

  @Test
  void aSavedModelIsWrittenUnderTheStagingRootThenCopiedToTheDriverAndTheStagedCopyRemoved()
      throws IOException {
    ModelStaging staging = ModelStaging.at(spark, root().toString());
    String[] savedTo = new String[1];

    staging.save(
        uri -> {
          savedTo[0] = uri;
          writeParts(uri);
        },
        dir.resolve("driver/model/sparkml"));

    assertThat(savedTo[0]).startsWith(root().toString() + "/model-");
    assertThat(dir.resolve("driver/model/sparkml/data/part-00000")).hasContent("weights");
    assertThat(dir.resolve("driver/model/sparkml/metadata")).hasContent("{\"class\":\"m\"}");
    assertThat(staged()).isEmpty();
  }

  @Test
  void aLoadedModelIsReadFromAStagedCopyWhichStaysForTheModelsLazyReads() throws IOException {
    ModelStaging staging = ModelStaging.at(spark, root().toString());
    Path local = dir.resolve("exports/1/sparkml");
    writeParts(local.toUri().toString());

    String read =
        staging.load(
            uri -> {
              assertThat(uri).startsWith(root().toString() + "/model-");
              return Files.readString(
                  Path.of(URI.create("file:" + uri)).resolve("data/part-00000"));
            },
            local);

    assertThat(read).isEqualTo("weights");
    // Until the driver's JVM ends (FileSystem.deleteOnExit): an imputer reads its data lazily.
    assertThat(staged()).hasSize(1);
  }

  @Test
  void aFailedLoadLeavesNoStagedCopy() throws IOException {
    ModelStaging staging = ModelStaging.at(spark, root().toString());
    Path local = dir.resolve("exports/2/sparkml");
    writeParts(local.toUri().toString());

    assertThatThrownBy(
            () ->
                staging.load(
                    uri -> {
                      throw new IOException("not a model");
                    },
                    local))
        .hasMessageContaining("Cannot stage the model")
        .hasRootCauseMessage("not a model");
    assertThat(staged()).isEmpty();
  }
}
