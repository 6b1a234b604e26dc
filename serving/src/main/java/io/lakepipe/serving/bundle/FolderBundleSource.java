// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.bundle;

import io.lakepipe.serving.ServingErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** A bundle in a local folder: {@code <dir>/model.pmml} and {@code <dir>/bundle.json}. */
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
    // bundle.json first: an export that writes model.pmml last is then caught by the checksum,
    // never
    // served half-written.
    byte[] manifest = read(Bundle.MANIFEST_FILE);
    byte[] pmml = read(Bundle.PMML_FILE);
    return Bundle.of(location(), null, manifest, pmml);
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
