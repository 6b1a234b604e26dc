// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core;

import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.config.TestConfigs;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;

/**
 * One local SparkSession with Delta for every test of a module (starting Spark takes seconds), plus
 * helpers to build small DataFrames and a config whose lakehouse lives in a temporary folder.
 */
public abstract class SparkTestBase {
  protected static SparkSession spark;

  /**
   * JVM flags of the drivers a test starts as processes of their own: C1 only, as the suites'
   * spark-submits run (they live for seconds, where C2's compiling costs more than it returns).
   */
  protected static final List<String> SHORT_LIVED_DRIVER_JVM =
      List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  @BeforeAll
  static void startSpark() {
    if (spark == null) {
      spark =
          SparkSession.builder()
              .master("local[2]")
              .appName("lakepipe-tests")
              // The driver's RPC and block servers on loopback, also in a plain `mvn test` that did
              // not
              // source config/services.env (SPARK_LOCAL_IP): they bind to the host's address
              // otherwise.
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1")
              .config("spark.ui.enabled", "false")
              .config("spark.sql.shuffle.partitions", "2")
              // Delta rebuilds table state with this many tasks; 50 by default is slow on tiny
              // tables.
              .config("spark.databricks.delta.snapshotPartitions", "1")
              // As lakepipe.spark.conf: ds partitions are replaced without a DELETE's extra state
              // rebuild.
              .config("spark.databricks.delta.replaceWhere.dataColumns.enabled", "false")
              .config("spark.default.parallelism", "2")
              // Interpreted expressions, as Spark's own tests also run them: on test-sized data,
              // compiling generated code took a fifth of the CPU (features module, measured). The
              // suites that run the jobs as users do (e2e, cluster, deploy) keep code generation.
              .config("spark.sql.codegen.wholeStage", "false")
              .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
              .config("spark.sql.session.timeZone", "UTC")
              // The deep-learning family's Python, as lakepipe.spark.conf sets it (./lakepipe
              // setup).
              .config("spark.lakepipe.torch.python", torchPython())
              .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
              .config(
                  "spark.sql.catalog.spark_catalog",
                  "org.apache.spark.sql.delta.catalog.DeltaCatalog")
              .getOrCreate();
      spark.sparkContext().setLogLevel("WARN");
    }
  }

  /**
   * The Python with PyTorch: {@code -Dlakepipe.torch.python} (the test command passes it), else the
   * checkout's virtualenv, from a module's folder (where Maven runs the tests).
   */
  protected static String torchPython() {
    String given = System.getProperty("lakepipe.torch.python");
    return given != null
        ? given
        : Path.of("..", ".lakepipe", "venv-torch", "bin", "python")
            .toAbsolutePath()
            .normalize()
            .toString();
  }

  /** A DataFrame of the given rows, for example {@code rows(schema, new Object[] {1, "a"})}. */
  protected static Dataset<Row> rows(StructType schema, Object[]... values) {
    return spark.createDataFrame(
        java.util.Arrays.stream(values).map(RowFactory::create).toList(), schema);
  }

  /** A config rooted in {@code home} (lakehouse under it), with extra dotted-key overrides. */
  protected static LakepipeConfig testConfig(Path home, Map<String, Object> overrides) {
    Map<String, Object> all = new HashMap<>();
    all.put("lakepipe.home", home.toString());
    all.put("lakepipe.lakehouse", home.resolve("lakehouse").toString());
    all.putAll(overrides);
    return TestConfigs.flights(all);
  }

  /**
   * Sets the config's {@code spark.hadoop.*} settings (the S3 server's endpoint, credentials and
   * s3a options) on the shared session's Hadoop configuration, as a job's own session gets them at
   * its start: the tests' session was started before the test had a config.
   */
  protected static void applyHadoopConf(LakepipeConfig config) {
    config
        .sparkConf()
        .forEach(
            (key, value) -> {
              if (key.startsWith("spark.hadoop.")) {
                spark
                    .sparkContext()
                    .hadoopConfiguration()
                    .set(key.substring("spark.hadoop.".length()), value);
              }
            });
  }

  /** The lakepipe checkout, where {@code ./lakepipe setup} put the real data sets. */
  protected static Path lakepipeHome() {
    return TestConfigs.lakepipeHome();
  }
}
