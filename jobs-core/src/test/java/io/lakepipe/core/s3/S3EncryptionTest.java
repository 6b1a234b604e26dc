// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.core.config.TestConfigs;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class S3EncryptionTest {
  private static final String SSE_C_KEY = Base64.getEncoder().encodeToString(new byte[32]);
  private static final String KMS_ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd";

  /**
   * A config with the algorithm, on an https endpoint (AWS itself, or a TLS S3-compatible server).
   */
  private static LakepipeConfig algorithm(String name) {
    return TestConfigs.flights(
        Map.of(
            "lakepipe.s3.encryption.algorithm",
            name,
            "lakepipe.s3.endpoint",
            "https://s3.example.test"));
  }

  @Test
  void offByDefaultSetsNothing() {
    S3Encryption encryption = S3Encryption.of(TestConfigs.flights(Map.of()), Map.of());

    assertThat(encryption.algorithm()).isEqualTo(S3Encryption.Algorithm.NONE);
    assertThat(encryption.sparkConf(null)).isEmpty();
  }

  @Test
  void sseS3MapsToTheAes256NameOfHadoopAws() {
    assertThat(S3Encryption.of(algorithm("SSE-S3"), Map.of()).sparkConf(null))
        .containsExactly(Map.entry("spark.hadoop.fs.s3a.encryption.algorithm", "AES256"));
  }

  @Test
  void sseKmsTakesItsKeyIdFromTheEnvironmentAndRedactsIt() {
    Map<String, String> conf =
        S3Encryption.of(algorithm("sse-kms"), Map.of(S3Encryption.KEY_ENV, KMS_ARN))
            .sparkConf(null);

    assertThat(conf)
        .containsEntry("spark.hadoop.fs.s3a.encryption.algorithm", "SSE-KMS")
        .containsEntry("spark.hadoop.fs.s3a.encryption.key", KMS_ARN)
        .containsEntry(
            "spark.redaction.regex", "(?i)secret|password|token|access[.]key|encryption[.]key");
  }

  @Test
  void sseKmsWithoutAKeyIdUsesTheAccountDefault() {
    assertThat(S3Encryption.of(algorithm("SSE-KMS"), Map.of()).sparkConf(null))
        .containsExactly(Map.entry("spark.hadoop.fs.s3a.encryption.algorithm", "SSE-KMS"));
  }

  @Test
  void sseCMapsItsKeyAndWidensAnExistingRedactionPattern() {
    Map<String, String> conf =
        S3Encryption.of(algorithm("SSE-C"), Map.of(S3Encryption.KEY_ENV, SSE_C_KEY))
            .sparkConf("(?i)secret|mine");

    assertThat(conf)
        .containsEntry("spark.hadoop.fs.s3a.encryption.algorithm", "SSE-C")
        .containsEntry("spark.hadoop.fs.s3a.encryption.key", SSE_C_KEY)
        .containsEntry("spark.redaction.regex", "(?i)secret|mine|encryption[.]key");
  }

  @Test
  void anUnknownAlgorithmIsAOneLineErrorListingTheKnownOnes() {
    assertThatThrownBy(() -> S3Encryption.of(algorithm("AES-512"), Map.of()))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("lakepipe.s3.encryption.algorithm has the invalid value 'AES-512'")
        .hasMessageContaining("none, SSE-S3, SSE-KMS, SSE-C")
        .hasMessageNotContaining("\n");
  }

  @Test
  void sseCWithoutAKeyStops() {
    assertThatThrownBy(() -> S3Encryption.of(algorithm("SSE-C"), Map.of()))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("SSE-C needs a key and LAKEPIPE_S3_ENCRYPTION_KEY is not set");
  }

  @Test
  void sseCWithAKeyOfTheWrongLengthStopsWithoutShowingIt() {
    String shortKey = Base64.getEncoder().encodeToString("sixteen-byte-key".getBytes());

    assertThatThrownBy(
            () -> S3Encryption.of(algorithm("SSE-C"), Map.of(S3Encryption.KEY_ENV, shortKey)))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("not the base64 of 32 bytes")
        .hasMessageNotContaining(shortKey);
  }

  @Test
  void aKeyWithoutAnAlgorithmThatUsesOneStopsRatherThanWritingInTheClear() {
    assertThatThrownBy(
            () -> S3Encryption.of(algorithm("none"), Map.of(S3Encryption.KEY_ENV, SSE_C_KEY)))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("encryption is off")
        .hasMessageNotContaining(SSE_C_KEY);
    assertThatThrownBy(
            () -> S3Encryption.of(algorithm("SSE-S3"), Map.of(S3Encryption.KEY_ENV, SSE_C_KEY)))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("SSE-S3 takes no key");
  }

  @Test
  void aKeyInTheConfigFileIsAnUnknownKey() {
    assertThatThrownBy(() -> TestConfigs.flights(Map.of("lakepipe.s3.encryption.key", SSE_C_KEY)))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("unknown keys lakepipe.s3.encryption.key");
  }

  @Test
  void keysAreNotSentOverPlainHttp() {
    LakepipeConfig http =
        TestConfigs.flights(
            Map.of(
                "lakepipe.s3.encryption.algorithm",
                "SSE-C",
                "lakepipe.s3.endpoint",
                "http://127.0.0.1:9000"));

    assertThatThrownBy(() -> S3Encryption.of(http, Map.of(S3Encryption.KEY_ENV, SSE_C_KEY)))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("SSE-C needs an https:// endpoint")
        .hasMessageNotContaining(SSE_C_KEY);
  }

  @Test
  void sseS3WorksWithAnyEndpointAndAnEmptyOneIsAwsItself() {
    LakepipeConfig http =
        TestConfigs.flights(
            Map.of(
                "lakepipe.s3.encryption.algorithm",
                "SSE-S3",
                "lakepipe.s3.endpoint",
                "http://127.0.0.1:9000"));
    LakepipeConfig aws =
        TestConfigs.flights(
            Map.of("lakepipe.s3.encryption.algorithm", "SSE-KMS", "lakepipe.s3.endpoint", ""));

    assertThat(S3Encryption.of(http, Map.of()).algorithm())
        .isEqualTo(S3Encryption.Algorithm.SSE_S3);
    assertThat(S3Encryption.of(aws, Map.of()).algorithm())
        .isEqualTo(S3Encryption.Algorithm.SSE_KMS);
  }

  @Test
  void toStringNeverShowsTheKey() {
    assertThat(S3Encryption.of(algorithm("SSE-C"), Map.of(S3Encryption.KEY_ENV, SSE_C_KEY)))
        .hasToString("S3Encryption[SSE-C, key from LAKEPIPE_S3_ENCRYPTION_KEY]");
  }
}
