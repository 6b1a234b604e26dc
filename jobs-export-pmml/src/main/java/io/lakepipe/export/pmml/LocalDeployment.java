package io.lakepipe.export.pmml;

import io.lakepipe.core.LakepipeErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A deployment in a local folder. The version's folder is written aside and moved into place, and
 * {@code current} is a symbolic link to it, replaced by a rename: a scorer reading through either
 * never sees half a bundle.
 */
final class LocalDeployment implements BundleDeployment {
  private static final Set<PosixFilePermission> DIRECTORY =
      PosixFilePermissions.fromString("rwxr-xr-x");

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
      Path staging = readableByAll(Files.createTempDirectory(modelDir, ".staging-"));
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        Files.write(staging.resolve(file.getKey()), file.getValue());
      }
      deleteRecursively(target);
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      // Relative, so the deployment folder can be moved or mounted elsewhere as a whole.
      Path link = modelDir.resolve(".current-" + UUID.randomUUID());
      Files.createSymbolicLink(link, Path.of(version));
      Files.move(link, modelDir.resolve(CURRENT), StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      return target.toString();
    } catch (IOException | RuntimeException e) {
      throw LakepipeErrors.deploymentFailed(target.toString(), e);
    }
  }

  /**
   * A temporary folder is private to its owner; a deployed bundle is read by a scorer that may run
   * as another user, so it gets the usual permissions where the file system has them.
   */
  private static Path readableByAll(Path dir) throws IOException {
    if (Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class)) {
      Files.setPosixFilePermissions(dir, DIRECTORY);
    }
    return dir;
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
