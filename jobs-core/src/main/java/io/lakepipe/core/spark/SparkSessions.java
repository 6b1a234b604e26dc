// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.spark;

import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.s3.S3Encryption;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the SparkSession of a job from {@code lakepipe.spark}: Delta enabled, quiet logs, and the
 * s3a encryption of {@code lakepipe.s3.encryption}.
 */
public final class SparkSessions {
  private SparkSessions() {}

  /**
   * Returns a session for the job. Under spark-submit the master and deploy settings come from the
   * submit command; {@code lakepipe.spark.master} applies only when nothing set one (tests, IDE
   * runs).
   */
  public static SparkSession create(String appName, LakepipeConfig config) {
    // Checked first: a bad algorithm or key stops the job before Spark starts.
    S3Encryption encryption = S3Encryption.of(config, System.getenv());
    SparkConf conf = new SparkConf();
    if (!conf.contains("spark.master")) {
      conf.setMaster(config.string("spark.master"));
    }
    conf.setAppName(appName);
    for (Map.Entry<String, String> setting : config.sparkConf().entrySet()) {
      if (!conf.contains(setting.getKey())) {
        conf.set(setting.getKey(), setting.getValue());
      }
    }
    // Settings of spark-submit win here too; the redaction pattern is widened even then.
    for (Map.Entry<String, String> setting :
        encryption.sparkConf(conf.get("spark.redaction.regex", null)).entrySet()) {
      if (!conf.contains(setting.getKey()) || setting.getKey().equals("spark.redaction.regex")) {
        conf.set(setting.getKey(), setting.getValue());
      }
    }
    SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
    spark.sparkContext().setLogLevel(config.string("spark.log-level"));
    // Spark's level applies to the root logger; lakepipe's own progress lines stay visible.
    Configurator.setLevel("io.lakepipe", Level.INFO);
    return spark;
  }
}
