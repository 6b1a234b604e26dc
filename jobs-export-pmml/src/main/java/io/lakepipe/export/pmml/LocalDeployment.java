// SPDX-License-Identifier: AGPL-3.0-only
package io.lakepipe.export.pmml;

import io.lakepipe.core.LakepipeErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A deployment in a local folder. The version's folder is written aside and moved into place, and
 * {@code current} is a symbolic link to it, replaced by a rename: a scorer reading through either
 * never sees half a bundle. Every step leaves {@code current} pointing at a complete bundle, also
 * when the process is killed between two of them: replacing the version {@code current} points at
 * first moves {@code current} to a complete interim copy, and only then deletes the old folder.
 */
final class LocalDeployment implements BundleDeployment {
  private static final Set<PosixFilePermission> DIRECTORY =
      PosixFilePermissions.fromString("rwxr-xr-x");
  private static final String STAGING = ".staging-";
  private static final String LINK = ".current-";
  private static final Duration LEFTOVER_AGE = Duration.ofMinutes(10);

  private final Path root;
  private final Consumer<String> afterStep;

  LocalDeployment(Path root) {
    this(root, step -> {});
  }

  /** {@code afterStep} is told each step's name once it is done; tests kill the run there. */
  LocalDeployment(Path root, Consumer<String> afterStep) {
    this.root = root;
    this.afterStep = afterStep;
  }

  @Override
  public String publish(String model, String version, Map<String, byte[]> files) {
    Path modelDir = root.resolve(model);
    Path target = modelDir.resolve(version);
    try {
      Files.createDirectories(modelDir);
      removeLeftovers(modelDir);
      Path staging = stage(modelDir, files);
      afterStep.accept("staged");
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        Path interim = stage(modelDir, files);
        pointCurrentAt(modelDir, interim.getFileName());
        afterStep.accept("current-on-interim");
        deleteRecursively(target);
        afterStep.accept("old-deleted");
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        afterStep.accept("moved");
        pointCurrentAt(modelDir, Path.of(version));
        afterStep.accept("current");
        deleteRecursively(interim);
      } else {
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        afterStep.accept("moved");
        pointCurrentAt(modelDir, Path.of(version));
        afterStep.accept("current");
      }
      return target.toString();
    } catch (IOException | RuntimeException e) {
      throw LakepipeErrors.deploymentFailed(target.toString(), e);
    }
  }

  /** A complete copy of the files in a new hidden folder beside the versions. */
  private static Path stage(Path modelDir, Map<String, byte[]> files) throws IOException {
    Path staging = readableByAll(Files.createTempDirectory(modelDir, STAGING));
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      Files.write(staging.resolve(file.getKey()), file.getValue());
    }
    return staging;
  }

  /** Replaces {@code current} with a link to {@code folder} in one rename. */
  private static void pointCurrentAt(Path modelDir, Path folder) throws IOException {
    // Relative, so the deployment folder can be moved or mounted elsewhere as a whole.
    Path link = modelDir.resolve(LINK + UUID.randomUUID());
    Files.createSymbolicLink(link, folder);
    Files.move(
        link,
        modelDir.resolve(CURRENT),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * What an earlier publish killed half-way left: staging folders and links, except the one current
   * points at and any young enough to belong to a publish still running beside this one.
   */
  private static void removeLeftovers(Path modelDir) throws IOException {
    FileTime before = FileTime.from(Instant.now().minus(LEFTOVER_AGE));
    Path current = modelDir.resolve(CURRENT);
    Path inUse = Files.isSymbolicLink(current) ? Files.readSymbolicLink(current) : null;
    try (Stream<Path> entries = Files.list(modelDir)) {
      for (Path entry : entries.toList()) {
        String name = entry.getFileName().toString();
        boolean leftover = name.startsWith(STAGING) || name.startsWith(LINK);
        if (leftover
            && !entry.getFileName().equals(inUse)
            && Files.getLastModifiedTime(entry, LinkOption.NOFOLLOW_LINKS).compareTo(before) < 0) {
          deleteRecursively(entry);
        }
      }
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
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
