// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.files;

import io.lakepipe.core.LakepipeErrors;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

/**
 * A landing area on any Hadoop file system ({@code hdfs://namenode/path}, {@code file:///path},
 * ...), listed through Hadoop's FileSystem API with the Spark session's Hadoop configuration, so it
 * reaches the same file system, with the same settings and credentials, as the Spark read that
 * follows.
 */
public final class HadoopLandingArea implements LandingArea {
  private final Configuration hadoopConf;
  private final String location;

  public HadoopLandingArea(Configuration hadoopConf, String location) {
    this.hadoopConf = hadoopConf;
    this.location = location.replaceAll("/+$", "");
  }

  @Override
  public String folder(LocalDate ds) {
    return location + "/ds=" + ds;
  }

  @Override
  public List<String> files(LocalDate ds) {
    Path folder = new Path(folder(ds));
    FileStatus[] entries;
    try {
      entries = folder.getFileSystem(hadoopConf).listStatus(folder);
    } catch (FileNotFoundException e) {
      return List.of();
    } catch (IOException e) {
      throw LakepipeErrors.fileSystemFailed("list " + folder, e);
    }
    return Arrays.stream(entries)
        .filter(FileStatus::isFile)
        .filter(s -> LandingArea.isDataFile(s.getPath().getName()))
        .map(s -> s.getPath().toString())
        .sorted()
        .toList();
  }
}
