package io.lakepipe.export.pmml;

import io.lakepipe.core.LakepipeErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A deployment in a local folder. The version's folder is written aside and moved into place, and
 * {@code current} is replaced by a rename, so a scorer reading either never sees half of one.
 */
final class LocalDeployment implements BundleDeployment {
  private static final Set<PosixFilePermission> DIRECTORY =
      PosixFilePermissions.fromString("rwxr-xr-x");
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-r--r--");

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
      Path staging = readableByAll(Files.createTempDirectory(modelDir, ".staging-"), DIRECTORY);
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        Files.write(staging.resolve(file.getKey()), file.getValue());
      }
      deleteRecursively(target);
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      Path pointer = readableByAll(Files.createTempFile(modelDir, ".current-", ".tmp"), FILE);
      Files.writeString(pointer, version + "\n", StandardCharsets.UTF_8);
      Files.move(pointer, modelDir.resolve(CURRENT), StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      return target.toString();
    } catch (IOException | RuntimeException e) {
      throw LakepipeErrors.deploymentFailed(target.toString(), e);
    }
  }

  /**
   * Temporary files and folders are private to their owner; a deployed bundle is read by a scorer
   * that may run as another user, so it gets the usual permissions where the file system has them.
   */
  private static Path readableByAll(Path path, Set<PosixFilePermission> permissions)
      throws IOException {
    if (Files.getFileStore(path).supportsFileAttributeView(PosixFileAttributeView.class)) {
      Files.setPosixFilePermissions(path, permissions);
    }
    return path;
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
