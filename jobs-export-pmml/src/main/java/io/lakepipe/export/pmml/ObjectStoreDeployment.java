// SPDX-License-Identifier: AGPL-3.0-only
package io.lakepipe.export.pmml;

import io.lakepipe.core.LakepipeErrors;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A deployment under {@code s3a://bucket/prefix}, written with Spark's own s3a file system, so it
 * follows the same {@code lakepipe.s3} settings and credentials as the Delta tables. An object
 * store has no links: {@code current/} gets a copy of the files, after every file of the version is
 * in place. Each object is one atomic PUT, and a reader that meets a new {@code model.pmml} beside
 * an old {@code bundle.json} sees the checksum disagree. The model file of another format that an
 * earlier export left there ({@code model.pmml} beside a new {@code model.onnx}) is deleted last,
 * once {@code bundle.json} names the new one.
 */
final class ObjectStoreDeployment implements BundleDeployment {
  private final String root;
  private final Configuration hadoop;

  ObjectStoreDeployment(String root, Configuration hadoop) {
    this.root = root.replaceAll("/+$", "");
    this.hadoop = hadoop;
  }

  @Override
  public String publish(String model, String version, Map<String, byte[]> files) {
    String target = root + "/" + model + "/" + version;
    try {
      FileSystem fs = FileSystem.get(URI.create(root + "/"), hadoop);
      writeAll(fs, new Path(target), files);
      writeAll(fs, new Path(root + "/" + model + "/" + CURRENT), files);
      return target;
    } catch (IOException | RuntimeException e) {
      throw LakepipeErrors.deploymentFailed(target, e);
    }
  }

  /** Writes the files into {@code dir} in order, then deletes the files there that they lack. */
  private static void writeAll(FileSystem fs, Path dir, Map<String, byte[]> files)
      throws IOException {
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      write(fs, new Path(dir, file.getKey()), file.getValue());
    }
    for (FileStatus status : fs.listStatus(dir)) {
      if (status.isFile() && !files.containsKey(status.getPath().getName())) {
        fs.delete(status.getPath(), false);
      }
    }
  }

  private static void write(FileSystem fs, Path path, byte[] bytes) throws IOException {
    try (FSDataOutputStream out = fs.create(path, true)) {
      out.write(bytes);
    }
  }
}
