// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.bundle;

import io.lakepipe.serving.ServingErrors;
import java.net.URI;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * A bundle under an S3 prefix: {@code s3://bucket/prefix/bundle.json} and {@code .../model.pmml} or
 * {@code .../model.onnx}, read with the AWS SDK v2. Credentials come from the SDK's default chain,
 * never from a flag or file of ours.
 */
public final class S3BundleSource implements BundleSource, AutoCloseable {
  /**
   * Environment variable with the endpoint of an S3-compatible server (empty or unset: AWS itself).
   */
  public static final String ENDPOINT_ENV = "LAKEPIPE_S3_ENDPOINT";

  private final S3Client s3;
  private final String bucket;
  private final String prefix;

  public S3BundleSource(S3Client s3, URI uri) {
    if (!"s3".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("Not an s3://bucket/prefix URI: " + uri);
    }
    this.s3 = s3;
    this.bucket = uri.getHost();
    String path = uri.getPath() == null ? "" : uri.getPath();
    this.prefix = path.replaceAll("^/+", "").replaceAll("/+$", "");
  }

  /**
   * A source whose client takes its endpoint from {@value #ENDPOINT_ENV} (path-style addressing
   * then, as S3-compatible servers such as S3Proxy expect) and its region from the default chain,
   * or us-east-1 when none is set.
   */
  public static S3BundleSource fromEnvironment(URI uri, Map<String, String> env) {
    return new S3BundleSource(client(env), uri);
  }

  static S3Client client(Map<String, String> env) {
    S3ClientBuilder builder =
        S3Client.builder()
            .httpClient(UrlConnectionHttpClient.create())
            .credentialsProvider(DefaultCredentialsProvider.builder().build())
            .region(region());
    String endpoint = env.getOrDefault(ENDPOINT_ENV, "");
    if (!endpoint.isBlank()) {
      // S3-compatible servers (S3Proxy among them) lag behind the SDK's default flexible checksums:
      // compute and validate checksums only where S3 requires them.
      builder
          .endpointOverride(URI.create(endpoint))
          .forcePathStyle(true)
          .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
          .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    }
    return builder.build();
  }

  private static Region region() {
    try {
      return new DefaultAwsRegionProviderChain().getRegion();
    } catch (SdkException e) {
      // Path-style requests to an S3-compatible server do not care; AWS redirects a wrong region.
      return Region.US_EAST_1;
    }
  }

  @Override
  public String location() {
    return "s3://" + bucket + "/" + prefix;
  }

  @Override
  public Bundle load() {
    return Bundle.read(location(), null, this::read);
  }

  private byte[] read(String file) {
    String key = prefix.isEmpty() ? file : prefix + "/" + file;
    try {
      return s3.getObjectAsBytes(GetObjectRequest.builder().bucket(bucket).key(key).build())
          .asByteArray();
    } catch (NoSuchKeyException e) {
      throw ServingErrors.missingFile(location(), file);
    } catch (SdkException e) {
      throw ServingErrors.s3Failed(location(), file, e);
    }
  }

  @Override
  public void close() {
    s3.close();
  }
}
