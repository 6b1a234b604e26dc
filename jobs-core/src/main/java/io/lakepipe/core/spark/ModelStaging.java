// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.spark;

import io.lakepipe.core.config.LakepipeConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spark ML models on their way between a folder on the driver's disk (what MLflow uploads and
 * downloads) and Spark, through a staging folder on shared storage ({@code lakepipe.staging}, by
 * default under the lakehouse). Spark ML saves and loads a model's parts in tasks, on whichever
 * executor runs them: given a path on the driver's local disk, each part would land on the disk of
 * the host that wrote it, and a load would look for it on the host that reads it. On one machine
 * the two are the same disk, so the fault shows only on a cluster of several hosts.
 */
public final class ModelStaging {
  private static final Logger LOG = LoggerFactory.getLogger(ModelStaging.class);

  private final SparkSession spark;
  private final String root;

  private ModelStaging(SparkSession spark, String root) {
    this.spark = spark;
    this.root = root;
  }

  /** Saves a model to a folder URI (Spark ML's {@code model.write().save}). */
  @FunctionalInterface
  public interface Save {
    void to(String uri) throws IOException;
  }

  /** Loads a model from a folder URI ({@code PipelineModel.load}). */
  @FunctionalInterface
  public interface Load<T> {
    T from(String uri) throws IOException;
  }

  /** The staging folder the config names, {@code lakepipe.staging}. */
  public static ModelStaging of(SparkSession spark, LakepipeConfig config) {
    return at(spark, config.string("staging"));
  }

  /** Staging under {@code root}, a folder URI or path every executor and the driver reach. */
  public static ModelStaging at(SparkSession spark, String root) {
    return new ModelStaging(spark, root);
  }

  /**
   * Writes a model with {@code save} (given the staged folder's URI), then copies the folder to
   * {@code localDir} on the driver, which must not exist yet; the staged copy is removed.
   */
  public void save(Save save, java.nio.file.Path localDir) {
    Path staged = staged();
    try {
      save.to(staged.toString());
      Files.createDirectories(localDir.toAbsolutePath().getParent());
      fileSystem(staged).copyToLocalFile(false, staged, new Path(localDir.toUri()), true);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot copy the staged model " + staged + " to " + localDir, e);
    } finally {
      delete(staged);
    }
  }

  /**
   * Copies {@code localDir} from the driver to a staged folder and reads it with {@code load}
   * (given that folder's URI). The staged copy stays until the driver's JVM ends: some models keep
   * reading their data files after the load (an imputer's surrogates are a DataFrame over them).
   */
  public <T> T load(Load<T> load, java.nio.file.Path localDir) {
    Path staged = staged();
    boolean loaded = false;
    try {
      FileSystem fs = fileSystem(staged);
      fs.copyFromLocalFile(false, true, new Path(localDir.toUri()), staged);
      T model = load.from(staged.toString());
      fs.deleteOnExit(staged);
      loaded = true;
      return model;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot stage the model " + localDir + " at " + staged, e);
    } finally {
      if (!loaded) {
        delete(staged);
      }
    }
  }

  private Path staged() {
    return new Path(root, "model-" + UUID.randomUUID());
  }

  private FileSystem fileSystem(Path path) throws IOException {
    return path.getFileSystem(spark.sparkContext().hadoopConfiguration());
  }

  private void delete(Path staged) {
    try {
      fileSystem(staged).delete(staged, true);
    } catch (IOException e) {
      LOG.warn("Could not remove the staged model {}: {}", staged, e.toString());
    }
  }
}
