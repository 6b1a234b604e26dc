package io.lakepipe.export.pmml;

import io.lakepipe.core.LakepipeErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A deployment in a local folder. The version's folder is written aside and moved into place, and
 * {@code current} is replaced by a rename, so a scorer reading either never sees half of one.
 */
final class LocalDeployment implements BundleDeployment {
  private final Path root;

  LocalDeployment(Path root) {
    this.root = root;
  }

  @Override
  public String publish(String model, String version, Map<String, byte[]> files) {
    Path modelDir = root.resolve(model);
    Path target = modelDir.resolve(version);
    try {
      Files.createDirectories(modelDir);
      Path staging = Files.createTempDirectory(modelDir, ".staging-");
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        Files.write(staging.resolve(file.getKey()), file.getValue());
      }
      deleteRecursively(target);
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      Path pointer = Files.createTempFile(modelDir, ".current-", ".tmp");
      Files.writeString(pointer, version + "\n", StandardCharsets.UTF_8);
      Files.move(pointer, modelDir.resolve(CURRENT), StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      return target.toString();
    } catch (IOException | RuntimeException e) {
      throw LakepipeErrors.deploymentFailed(target.toString(), e);
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
