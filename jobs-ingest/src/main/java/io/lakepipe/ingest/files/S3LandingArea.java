// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.files;

import io.lakepipe.core.LakepipeErrors;
import java.net.URI;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A landing area in an S3 bucket, addressed by Spark as {@code s3a://bucket/prefix}. Listing uses
 * the AWS SDK v2 directly: cheaper than a Spark file listing, and its errors name the bucket and
 * key.
 */
public final class S3LandingArea implements LandingArea {
  private final S3Client s3;
  private final String bucket;
  private final String prefix;

  public S3LandingArea(S3Client s3, String location) {
    URI uri = URI.create(location);
    this.s3 = s3;
    this.bucket = uri.getHost();
    String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("^/+|/+$", "");
    this.prefix = path.isEmpty() ? "" : path + "/";
  }

  @Override
  public String folder(LocalDate ds) {
    return "s3a://" + bucket + "/" + prefix + "ds=" + ds;
  }

  @Override
  public List<String> files(LocalDate ds) {
    String folderKey = prefix + "ds=" + ds + "/";
    List<String> files = new ArrayList<>();
    try {
      for (S3Object object :
          s3.listObjectsV2Paginator(
                  ListObjectsV2Request.builder().bucket(bucket).prefix(folderKey).build())
              .contents()) {
        String name = object.key().substring(folderKey.length());
        if (!name.contains("/") && LandingArea.isDataFile(name)) {
          files.add("s3a://" + bucket + "/" + object.key());
        }
      }
    } catch (SdkException e) {
      throw LakepipeErrors.objectStoreFailed("list s3://" + bucket + "/" + folderKey, e);
    }
    return files.stream().sorted().toList();
  }

  /** Creates the bucket when it does not exist yet. */
  public void ensureBucket() {
    try {
      s3.createBucket(b -> b.bucket(bucket));
    } catch (BucketAlreadyOwnedByYouException e) {
      // Already there: nothing to do.
    } catch (SdkException e) {
      if (!String.valueOf(e.getMessage()).contains("BucketAlreadyExists")) {
        throw LakepipeErrors.objectStoreFailed("create bucket " + bucket, e);
      }
    }
  }
}
