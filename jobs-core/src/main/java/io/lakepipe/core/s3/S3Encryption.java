// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.s3;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.config.LakepipeConfig;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Server-side encryption of what lakepipe writes to S3, from {@code
 * lakepipe.s3.encryption.algorithm} and the key in the environment variable {@value #KEY_ENV}
 * (never in a config file: the config has no key setting at all). Validated before Spark starts,
 * and turned into the s3a settings {@code spark.hadoop.fs.s3a.encryption.*} that every Delta table,
 * landing file and bundle written through s3a follows.
 */
public final class S3Encryption {
  /** Environment variable with the SSE-C key (base64 of 32 bytes) or the SSE-KMS key id or ARN. */
  public static final String KEY_ENV = "LAKEPIPE_S3_ENCRYPTION_KEY";

  static final String ALGORITHM_KEY = "s3.encryption.algorithm";
  static final String S3A_ALGORITHM = "spark.hadoop.fs.s3a.encryption.algorithm";
  static final String S3A_KEY = "spark.hadoop.fs.s3a.encryption.key";
  static final String REDACTION_REGEX = "spark.redaction.regex";

  /** Spark's own default of {@code spark.redaction.regex}, which does not cover the s3a key. */
  static final String SPARK_DEFAULT_REDACTION = "(?i)secret|password|token|access[.]key";

  static final String KEY_REDACTION = "encryption[.]key";

  /** The algorithms, by the name the config uses and the name hadoop-aws 3.3.4 expects. */
  public enum Algorithm {
    NONE("none", ""),
    /** Keys managed by S3 (AES256); hadoop-aws 3.3.4 names it by its header value. */
    SSE_S3("SSE-S3", "AES256"),
    /** Keys in AWS KMS; the key id is optional (the account's aws/s3 key otherwise). */
    SSE_KMS("SSE-KMS", "SSE-KMS"),
    /** A key of ours, sent with every request, which S3 never stores: lose it, lose the data. */
    SSE_C("SSE-C", "SSE-C");

    private final String configName;
    private final String s3aName;

    Algorithm(String configName, String s3aName) {
      this.configName = configName;
      this.s3aName = s3aName;
    }

    public String configName() {
      return configName;
    }

    /** The value of {@code fs.s3a.encryption.algorithm}. */
    public String s3aName() {
      return s3aName;
    }

    static Algorithm of(String name) {
      for (Algorithm algorithm : values()) {
        if (algorithm.configName.equalsIgnoreCase(name.trim())) {
          return algorithm;
        }
      }
      throw LakepipeErrors.configValueInvalid(
          ALGORITHM_KEY,
          name,
          Arrays.stream(values()).map(Algorithm::configName).collect(Collectors.joining(", ")));
    }
  }

  private final Algorithm algorithm;
  private final String key;

  private S3Encryption(Algorithm algorithm, String key) {
    this.algorithm = algorithm;
    this.key = key;
  }

  /**
   * Reads and checks the settings: an unknown algorithm, an SSE-C key that is not base64 of 32
   * bytes, a key without an algorithm that uses one, or an algorithm that needs one without it, is
   * a one-line error; so is SSE-KMS or SSE-C with an {@code http://} endpoint, since s3a would
   * refuse to send their keys over it.
   */
  public static S3Encryption of(LakepipeConfig config, Map<String, String> env) {
    Algorithm algorithm = Algorithm.of(config.string(ALGORITHM_KEY));
    String key = env.getOrDefault(KEY_ENV, "").trim();
    switch (algorithm) {
      case NONE, SSE_S3 -> {
        if (!key.isEmpty()) {
          throw LakepipeErrors.s3EncryptionKeyInvalid(
              KEY_ENV
                  + " is set, but "
                  + (algorithm == Algorithm.NONE ? "encryption is off" : "SSE-S3 takes no key")
                  + " (lakepipe."
                  + ALGORITHM_KEY
                  + " = "
                  + algorithm.configName()
                  + ")",
              "set the algorithm to SSE-KMS or SSE-C, or unset " + KEY_ENV);
        }
      }
      case SSE_KMS -> {}
      case SSE_C -> {
        if (key.isEmpty()) {
          throw LakepipeErrors.s3EncryptionKeyInvalid(
              "SSE-C needs a key and " + KEY_ENV + " is not set",
              "export it from your secret store: the base64 of 32 random bytes");
        }
        if (!isBase64Of32Bytes(key)) {
          throw LakepipeErrors.s3EncryptionKeyInvalid(
              KEY_ENV + " is not the base64 of 32 bytes," + " as SSE-C (AES-256) requires",
              "generate one with `head -c 32 /dev/urandom | base64`");
        }
      }
      default -> throw new IllegalStateException(algorithm.name());
    }
    // s3a's AWS SDK (v1) refuses to send a KMS key id or a customer key over plain HTTP, at the
    // first write; say so before Spark starts instead.
    String endpoint = config.string("s3.endpoint").trim().toLowerCase(Locale.ROOT);
    if ((algorithm == Algorithm.SSE_KMS || algorithm == Algorithm.SSE_C)
        && endpoint.startsWith("http://")) {
      throw LakepipeErrors.s3EncryptionKeyInvalid(
          algorithm.configName()
              + " needs an https://"
              + " endpoint, and lakepipe.s3.endpoint is "
              + config.string("s3.endpoint"),
          "use the server's https:// endpoint, or SSE-S3, which sends no key");
    }
    return new S3Encryption(algorithm, key);
  }

  private static boolean isBase64Of32Bytes(String key) {
    try {
      return Base64.getDecoder().decode(key).length == 32;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  public Algorithm algorithm() {
    return algorithm;
  }

  /** The key (SSE-C) or KMS key id, empty when there is none. Never log it. */
  public String key() {
    return key;
  }

  /**
   * The Spark settings for s3a; empty when encryption is off. With a key, Spark's redaction pattern
   * ({@code currentRedaction}, or Spark's default when null) is widened to hide it in the UIs and
   * event logs, which otherwise show it in the environment tab.
   */
  public Map<String, String> sparkConf(String currentRedaction) {
    Map<String, String> conf = new LinkedHashMap<>();
    if (algorithm == Algorithm.NONE) {
      return conf;
    }
    conf.put(S3A_ALGORITHM, algorithm.s3aName());
    if (!key.isEmpty()) {
      conf.put(S3A_KEY, key);
      String redaction = currentRedaction == null ? SPARK_DEFAULT_REDACTION : currentRedaction;
      if (!redaction.toLowerCase(Locale.ROOT).contains(KEY_REDACTION)) {
        conf.put(REDACTION_REGEX, redaction + "|" + KEY_REDACTION);
      }
    }
    return conf;
  }

  @Override
  public String toString() {
    // The key stays out of log lines.
    return "S3Encryption["
        + algorithm.configName()
        + (key.isEmpty() ? "" : ", key from " + KEY_ENV)
        + "]";
  }
}
