// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.table;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ages versions of a local Delta table, as if written earlier. VACUUM takes whole hours, so a test
 * of seconds cannot wait for a version to age past a retention. Delta caches a table's log per
 * session: age a table before the session first reads it, or clear Delta's cache after.
 */
public final class DeltaHistory {
  private DeltaHistory() {}

  /**
   * Makes the versions {@code from} to {@code to} (exclusive) look {@code age} older: their commit
   * files, the files they added, and the removals they logged.
   */
  public static void backdate(Path table, long from, long to, Duration age) throws IOException {
    long shift = age.toMillis();
    for (long version = from; version < to; version++) {
      for (Path file : filesAddedBy(table, version)) {
        Files.setLastModifiedTime(
            file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() - shift));
      }
      Path commit = table.resolve(String.format("_delta_log/%020d.json", version));
      FileTime written = Files.getLastModifiedTime(commit);
      String json = Files.readString(commit);
      Matcher removal = Pattern.compile("\"deletionTimestamp\":(\\d+)").matcher(json);
      StringBuilder shifted = new StringBuilder();
      while (removal.find()) {
        removal.appendReplacement(
            shifted, "\"deletionTimestamp\":" + (Long.parseLong(removal.group(1)) - shift));
      }
      removal.appendTail(shifted);
      Files.writeString(commit, shifted);
      // The local file system's checksum of the old text would fail the read.
      Files.deleteIfExists(commit.resolveSibling("." + commit.getFileName() + ".crc"));
      Files.setLastModifiedTime(commit, FileTime.fromMillis(written.toMillis() - shift));
    }
  }

  /** The data files that {@code version} of the table added, from its commit file. */
  public static List<Path> filesAddedBy(Path table, long version) throws IOException {
    Path commit = table.resolve(String.format("_delta_log/%020d.json", version));
    Matcher add =
        Pattern.compile("\\{\"add\":\\{\"path\":\"([^\"]+)\"").matcher(Files.readString(commit));
    List<Path> files = new ArrayList<>();
    while (add.find()) {
      files.add(table.resolve(URI.create(add.group(1)).getPath()));
    }
    return files;
  }
}
