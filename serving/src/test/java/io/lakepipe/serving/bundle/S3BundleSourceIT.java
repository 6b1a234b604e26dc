// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.serving.BundleException;
import io.lakepipe.serving.ScoringService;
import io.lakepipe.serving.ServiceTestBase;
import io.lakepipe.serving.ServingConfig;
import io.lakepipe.serving.TestBundles;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A bundle on the local S3 server (S3Proxy of ./lakepipe services start, endpoint from
 * LAKEPIPE_S3_ENDPOINT, credentials from the AWS default chain as config/services.env exports
 * them). Skipped when no S3 server answers.
 */
class S3BundleSourceIT extends ServiceTestBase {
  private final String bucket =
      "lakepipe-serving-it-" + UUID.randomUUID().toString().substring(0, 8);
  private Map<String, String> env;
  private S3Client s3;

  @BeforeEach
  void requireS3() {
    env = new HashMap<>(System.getenv());
    env.putIfAbsent(S3BundleSource.ENDPOINT_ENV, "http://127.0.0.1:9000");
    try {
      s3 = S3BundleSource.client(env);
      s3.listBuckets();
    } catch (SdkException e) {
      s3 = null;
      Assumptions.abort(
          "No S3 server at "
              + env.get(S3BundleSource.ENDPOINT_ENV)
              + " with these credentials ("
              + e.getMessage()
              + "): start it with ./lakepipe services start and source config/services.env");
    }
    s3.createBucket(b -> b.bucket(bucket));
  }

  @AfterEach
  void deleteBucket() {
    if (s3 == null) {
      return;
    }
    s3.listObjectsV2(b -> b.bucket(bucket))
        .contents()
        .forEach(o -> s3.deleteObject(b -> b.bucket(bucket).key(o.key())));
    s3.deleteBucket(b -> b.bucket(bucket));
    s3.close();
  }

  @Test
  void aBundleUnderAPrefixIsServed() {
    String pmml = TestBundles.pmml("lr-v2");
    put("models/delay/model.pmml", pmml);
    put("models/delay/bundle.json", TestBundles.manifest("2", pmml));

    S3BundleSource source =
        S3BundleSource.fromEnvironment(URI.create("s3://" + bucket + "/models/delay/"), env);
    assertThat(source.location()).isEqualTo("s3://" + bucket + "/models/delay");
    try (ScoringService service =
        ScoringService.start(ServingConfig.defaults(source).withPort(0).withToken(TOKEN))) {
      Answer answer = predict(service.port(), record(10, 1000.0, "ORD"));
      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.json().get("model_version").asText()).isEqualTo("2");
      assertThat(answer.json().get("probability").asDouble())
          .isCloseTo(
              TestBundles.expected(2, 10, 1000.0, "ORD"),
              org.assertj.core.api.Assertions.within(1e-12));
    }
  }

  @Test
  void aMissingObjectIsNamed() {
    put("half/bundle.json", TestBundles.manifest("1", TestBundles.pmml("lr-v1")));
    assertThatThrownBy(
            () ->
                S3BundleSource.fromEnvironment(URI.create("s3://" + bucket + "/half"), env).load())
        .isInstanceOf(BundleException.class)
        .hasMessageStartingWith("No model.pmml in the bundle at s3://" + bucket + "/half");
  }

  private void put(String key, String content) {
    s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(content));
  }
}
