// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.report;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes a page through Hadoop's FileSystem, so that the same code writes a local folder and an
 * s3a:// bucket. The page is written under a temporary name beside the target and then renamed over
 * it, so that a reader or a retry never finds half a page.
 */
final class ReportStore {
  static final String PAGE = "index.html";

  private ReportStore() {}

  /** {@code <location>/ds=<ds>/index.html}. */
  static String pagePath(String location, java.time.LocalDate ds) {
    return location + "/ds=" + ds + "/" + PAGE;
  }

  private static boolean renamed(FileSystem fs, Path from, Path to) throws IOException {
    try {
      return fs.rename(from, to);
    } catch (FileAlreadyExistsException e) {
      return false;
    }
  }

  /** Writes {@code html} to {@code target}, replacing a page already there; returns its URI. */
  static String write(Configuration hadoop, String target, String html) {
    Path page = new Path(target);
    try {
      FileSystem fs = page.getFileSystem(hadoop);
      // No .crc sidecar beside the page on a local disk: the folder holds the page alone.
      fs.setWriteChecksum(false);
      fs.mkdirs(page.getParent());
      Path temp = new Path(page.getParent(), "." + PAGE + "." + UUID.randomUUID() + ".tmp");
      try (OutputStream out = fs.create(temp, false)) {
        out.write(html.getBytes(StandardCharsets.UTF_8));
      }
      // Hadoop's rename does not replace an existing target everywhere (S3A throws, HDFS returns
      // false): on a rerun the old page goes first. A reader may then miss the page for a moment,
      // but never sees half of one.
      if (!renamed(fs, temp, page)) {
        fs.delete(page, false);
        if (!renamed(fs, temp, page)) {
          fs.delete(temp, false);
          throw new IOException("could not rename " + temp + " to " + page);
        }
      }
      return fs.makeQualified(page).toString();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot write the report "
              + target
              + " ("
              + e.getMessage()
              + "): check that lakepipe.report.location is writable (for s3a:// the bucket and the"
              + " lakepipe.s3 settings), then rerun; the page is rewritten whole.",
          e);
    }
  }
}
