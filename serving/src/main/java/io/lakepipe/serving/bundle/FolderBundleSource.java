// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.bundle;

import io.lakepipe.serving.ServingErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A bundle in a local folder: {@code <dir>/bundle.json} and {@code <dir>/model.pmml} or {@code
 * <dir>/model.onnx}.
 */
public final class FolderBundleSource implements BundleSource {
  private final Path dir;

  public FolderBundleSource(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  @Override
  public String location() {
    return dir.toString();
  }

  @Override
  public Bundle load() {
    return Bundle.read(location(), null, this::read);
  }

  private byte[] read(String file) {
    try {
      return Files.readAllBytes(dir.resolve(file));
    } catch (NoSuchFileException e) {
      throw ServingErrors.missingFile(location(), file);
    } catch (IOException e) {
      throw ServingErrors.unreadableFile(location(), file, e);
    }
  }
}
