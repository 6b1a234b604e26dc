// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving;

import io.lakepipe.serving.bundle.BundleSource;
import io.lakepipe.serving.http.TlsKeystore;
import io.lakepipe.serving.predictionlog.PredictionLogConfig;
import io.lakepipe.serving.shadow.ShadowConfig;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Everything the service runs with, validated. {@link ScoringServer} builds it from the command
 * line and the environment (the token only from {@code LAKEPIPE_SERVING_TOKEN}, the keystore
 * password only from {@code LAKEPIPE_SERVING_KEYSTORE_PASSWORD}); tests build it directly.
 *
 * @param source where the bundle is read
 * @param host address to listen on (loopback by default: expose it on purpose)
 * @param port port to listen on; 0 picks a free one
 * @param threshold overrides the bundle's threshold when present
 * @param maxBatch most records in one request
 * @param maxBodyBytes largest request body
 * @param reloadInterval how often a registry alias is polled
 * @param drainTimeout how long a shutdown waits for requests in flight
 * @param token bearer token every endpoint but /health requires, when present
 * @param tls when present, the service listens with HTTPS only, with this keystore; plain HTTP
 *     otherwise
 * @param shadow when present, a model scored in the background on the same requests and compared
 *     with the served one, never answering; none by default
 * @param predictionLog when present, every answer is kept as lines in files of this folder; off by
 *     default
 */
public record ServingConfig(
    BundleSource source,
    String host,
    int port,
    OptionalDouble threshold,
    int maxBatch,
    int maxBodyBytes,
    Duration reloadInterval,
    Duration drainTimeout,
    Optional<String> token,
    Optional<TlsKeystore> tls,
    Optional<ShadowConfig> shadow,
    Optional<PredictionLogConfig> predictionLog) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8090;
  public static final int DEFAULT_MAX_BATCH = 10_000;
  public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;
  public static final int DEFAULT_RELOAD_SECONDS = 30;
  public static final int DEFAULT_DRAIN_SECONDS = 30;

  /**
   * Environment variable holding the bearer token; never a flag or a file, so it stays out of ps
   * and git.
   */
  public static final String TOKEN_ENV = "LAKEPIPE_SERVING_TOKEN";

  /**
   * Environment variable holding the password of the --tls-keystore; never a flag, for the same
   * reason.
   */
  public static final String KEYSTORE_PASSWORD_ENV = "LAKEPIPE_SERVING_KEYSTORE_PASSWORD";

  public ServingConfig {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be in [0, 65535], not " + port);
    }
    if (threshold.isPresent() && (threshold.getAsDouble() < 0 || threshold.getAsDouble() > 1)) {
      throw new IllegalArgumentException(
          "threshold must be in [0, 1], not " + threshold.getAsDouble());
    }
    if (maxBatch < 1) {
      throw new IllegalArgumentException("max batch must be at least 1, not " + maxBatch);
    }
    if (maxBodyBytes < 2 || maxBodyBytes > (256 << 20)) {
      throw new IllegalArgumentException(
          "max body bytes must be in [2, 256 MiB], not " + maxBodyBytes);
    }
    if (reloadInterval.isNegative() || reloadInterval.isZero()) {
      throw new IllegalArgumentException("reload interval must be positive, not " + reloadInterval);
    }
    if (token.isPresent() && token.get().isBlank()) {
      throw new IllegalArgumentException(
          TOKEN_ENV + " is set but blank: unset it, or set it to a secret");
    }
  }

  /** The defaults, reading the bundle from {@code source}, without a token, over plain HTTP. */
  public static ServingConfig defaults(BundleSource source) {
    return new ServingConfig(
        source,
        DEFAULT_HOST,
        DEFAULT_PORT,
        OptionalDouble.empty(),
        DEFAULT_MAX_BATCH,
        DEFAULT_MAX_BODY_BYTES,
        Duration.ofSeconds(DEFAULT_RELOAD_SECONDS),
        Duration.ofSeconds(DEFAULT_DRAIN_SECONDS),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  public ServingConfig withPort(int newPort) {
    return new ServingConfig(
        source,
        host,
        newPort,
        threshold,
        maxBatch,
        maxBodyBytes,
        reloadInterval,
        drainTimeout,
        token,
        tls,
        shadow,
        predictionLog);
  }

  public ServingConfig withToken(String newToken) {
    return new ServingConfig(
        source,
        host,
        port,
        threshold,
        maxBatch,
        maxBodyBytes,
        reloadInterval,
        drainTimeout,
        Optional.ofNullable(newToken),
        tls,
        shadow,
        predictionLog);
  }

  public ServingConfig withThreshold(double newThreshold) {
    return new ServingConfig(
        source,
        host,
        port,
        OptionalDouble.of(newThreshold),
        maxBatch,
        maxBodyBytes,
        reloadInterval,
        drainTimeout,
        token,
        tls,
        shadow,
        predictionLog);
  }

  public ServingConfig withLimits(int newMaxBatch, int newMaxBodyBytes) {
    return new ServingConfig(
        source,
        host,
        port,
        threshold,
        newMaxBatch,
        newMaxBodyBytes,
        reloadInterval,
        drainTimeout,
        token,
        tls,
        shadow,
        predictionLog);
  }

  public ServingConfig withReloadInterval(Duration newInterval) {
    return new ServingConfig(
        source,
        host,
        port,
        threshold,
        maxBatch,
        maxBodyBytes,
        newInterval,
        drainTimeout,
        token,
        tls,
        shadow,
        predictionLog);
  }

  public ServingConfig withTls(TlsKeystore newTls) {
    return new ServingConfig(
        source,
        host,
        port,
        threshold,
        maxBatch,
        maxBodyBytes,
        reloadInterval,
        drainTimeout,
        token,
        Optional.ofNullable(newTls),
        shadow,
        predictionLog);
  }

  public ServingConfig withShadow(ShadowConfig newShadow) {
    return new ServingConfig(
        source,
        host,
        port,
        threshold,
        maxBatch,
        maxBodyBytes,
        reloadInterval,
        drainTimeout,
        token,
        tls,
        Optional.ofNullable(newShadow),
        predictionLog);
  }

  public ServingConfig withPredictionLog(PredictionLogConfig newPredictionLog) {
    return new ServingConfig(
        source,
        host,
        port,
        threshold,
        maxBatch,
        maxBodyBytes,
        reloadInterval,
        drainTimeout,
        token,
        tls,
        shadow,
        Optional.ofNullable(newPredictionLog));
  }
}
