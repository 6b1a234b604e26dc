// SPDX-License-Identifier: AGPL-3.0-only
package io.lakepipe.export.pmml;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The object store's deployment, through Hadoop's local file system, which it writes as it writes
 * s3a://: {@code current/} holds the files of the version published last, whatever its format.
 */
class ObjectStoreDeploymentTest {
  private static final String MODEL = "flights_delay";

  @TempDir Path root;

  private static Map<String, byte[]> bundle(String modelFile, String content) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(modelFile, content.getBytes(StandardCharsets.UTF_8));
    files.put("bundle.json", ("{\"v\": \"" + content + "\"}").getBytes(StandardCharsets.UTF_8));
    return files;
  }

  /** The files of a folder, without the checksum files Hadoop's local file system adds. */
  private static List<String> files(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> !n.startsWith(".")).toList();
    }
  }

  @Test
  void anOnnxVersionAfterAPmmlOneLeavesNoPmmlInCurrent() throws Exception {
    ObjectStoreDeployment deployment =
        new ObjectStoreDeployment(root.toUri().toString(), new Configuration());

    deployment.publish(MODEL, "3", bundle("model.pmml", "three"));
    String target = deployment.publish(MODEL, "4", bundle("model.onnx", "four"));

    Path current = root.resolve(MODEL).resolve(BundleDeployment.CURRENT);
    assertThat(target).endsWith("/" + MODEL + "/4");
    assertThat(files(current)).containsExactlyInAnyOrder("model.onnx", "bundle.json");
    assertThat(Files.readString(current.resolve("model.onnx"))).isEqualTo("four");
    assertThat(Files.readString(current.resolve("bundle.json"))).isEqualTo("{\"v\": \"four\"}");
    // The earlier version keeps its own files.
    assertThat(files(root.resolve(MODEL).resolve("3")))
        .containsExactlyInAnyOrder("model.pmml", "bundle.json");
    assertThat(files(root.resolve(MODEL).resolve("4")))
        .containsExactlyInAnyOrder("model.onnx", "bundle.json");
  }
}
