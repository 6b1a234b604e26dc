// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.files;

import io.lakepipe.core.config.LakepipeConfig;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * S3 clients of the jobs, from {@code lakepipe.s3}. Credentials come from the SDK's default chain
 * (environment, profile, instance role), never from the config file.
 */
public final class S3Clients {
  private S3Clients() {}

  public static S3Client fromConfig(LakepipeConfig config) {
    S3ClientBuilder builder =
        S3Client.builder()
            .httpClient(UrlConnectionHttpClient.create())
            .credentialsProvider(DefaultCredentialsProvider.builder().build())
            .region(Region.of(config.string("s3.region")))
            .forcePathStyle(config.bool("s3.path-style-access"));
    String endpoint = config.string("s3.endpoint");
    if (!endpoint.isBlank()) {
      builder.endpointOverride(URI.create(endpoint));
    }
    return builder.build();
  }
}
