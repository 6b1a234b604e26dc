// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * Checks {@code Authorization: Bearer <token>} against the service's token. The comparison is of
 * SHA-256 digests with {@link MessageDigest#isEqual}, so its time tells neither the token's content
 * nor its length.
 */
public final class BearerAuth {
  private static final String PREFIX = "Bearer ";

  private final byte[] tokenDigest;

  private BearerAuth(byte[] tokenDigest) {
    this.tokenDigest = tokenDigest;
  }

  /** Auth with {@code token}, or none (every request passes) when it is empty. */
  public static BearerAuth of(Optional<String> token) {
    return new BearerAuth(token.map(BearerAuth::digest).orElse(null));
  }

  /** Whether a token is configured. */
  public boolean enabled() {
    return tokenDigest != null;
  }

  /** Whether a request with this Authorization header value may pass. */
  public boolean accepts(String authorizationHeader) {
    if (tokenDigest == null) {
      return true;
    }
    if (authorizationHeader == null
        || !authorizationHeader.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
      return false;
    }
    return MessageDigest.isEqual(
        tokenDigest, digest(authorizationHeader.substring(PREFIX.length()).trim()));
  }

  private static byte[] digest(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every Java runtime has SHA-256", e);
    }
  }
}
