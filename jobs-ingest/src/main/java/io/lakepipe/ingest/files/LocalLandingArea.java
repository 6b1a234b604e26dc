// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;

/** A landing area on a local or mounted file system. */
public final class LocalLandingArea implements LandingArea {
  private final Path root;

  public LocalLandingArea(String location) {
    this.root = Path.of(location.replaceFirst("^file:(//)?", ""));
  }

  @Override
  public String folder(LocalDate ds) {
    return root.resolve("ds=" + ds).toString();
  }

  @Override
  public List<String> files(LocalDate ds) {
    Path folder = Path.of(folder(ds));
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(folder)) {
      return entries
          .filter(Files::isRegularFile)
          .filter(p -> LandingArea.isDataFile(p.getFileName().toString()))
          .map(p -> p.toUri().toString())
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + folder, e);
    }
  }
}
