// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.mlflow;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * How lakepipe signs in to a tracking server, as MLflow's own clients do: {@code
 * MLFLOW_TRACKING_TOKEN} (a bearer token), else {@code MLFLOW_TRACKING_USERNAME} and {@code
 * MLFLOW_TRACKING_PASSWORD} (HTTP basic, what MLflow's basic-auth app checks), else a {@code
 * user:password@} in the tracking URI. {@link #uri()}, the address that logs, errors and run
 * summaries show, never holds a credential.
 */
public final class MlflowCredentials {
  private final String uri;
  private final String user;
  private final String password;
  private final String token;

  private MlflowCredentials(String uri, String user, String password, String token) {
    this.uri = uri;
    this.user = user;
    this.password = password;
    this.token = token;
  }

  /**
   * The credentials for {@code trackingUri} from the environment {@code env} and the URI itself.
   */
  public static MlflowCredentials resolve(String trackingUri, Map<String, String> env) {
    URI parsed = URI.create(trackingUri.replaceAll("/+$", ""));
    String userInfo = parsed.getRawUserInfo();
    String bare = withoutUserInfo(parsed);
    String token = env.getOrDefault("MLFLOW_TRACKING_TOKEN", "");
    if (!token.isBlank()) {
      return new MlflowCredentials(bare, null, null, token);
    }
    String user = env.getOrDefault("MLFLOW_TRACKING_USERNAME", "");
    if (!user.isBlank()) {
      return new MlflowCredentials(
          bare, user, env.getOrDefault("MLFLOW_TRACKING_PASSWORD", ""), null);
    }
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      return new MlflowCredentials(
          bare,
          decode(colon < 0 ? userInfo : userInfo.substring(0, colon)),
          colon < 0 ? "" : decode(userInfo.substring(colon + 1)),
          null);
    }
    return new MlflowCredentials(bare, null, null, null);
  }

  /** The tracking server's address without any credential. */
  public String uri() {
    return uri;
  }

  /** The bearer token, if one signs the requests; for clients that sign them themselves. */
  public Optional<String> token() {
    return Optional.ofNullable(token);
  }

  /** The user of HTTP basic sign-in, if no token is set; for clients that sign themselves. */
  public Optional<String> user() {
    return Optional.ofNullable(user);
  }

  /** The password that goes with {@link #user()}. */
  public Optional<String> password() {
    return Optional.ofNullable(password);
  }

  /** The value of the Authorization header, if there are credentials. */
  public Optional<String> authorization() {
    if (token != null) {
      return Optional.of("Bearer " + token);
    }
    if (user != null) {
      return Optional.of(
          "Basic "
              + Base64.getEncoder()
                  .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }
    return Optional.empty();
  }

  /** {@code request} with the Authorization header, if there are credentials. */
  public HttpRequest.Builder sign(HttpRequest.Builder request) {
    authorization().ifPresent(value -> request.header("Authorization", value));
    return request;
  }

  @Override
  public String toString() {
    return uri + (token != null ? " (token)" : user != null ? " (user " + user + ")" : "");
  }

  private static String withoutUserInfo(URI uri) {
    if (uri.getRawUserInfo() == null) {
      return uri.toString();
    }
    try {
      return new URI(
              uri.getScheme(),
              null,
              uri.getHost(),
              uri.getPort(),
              uri.getPath(),
              uri.getQuery(),
              uri.getFragment())
          .toString();
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("Invalid tracking URI " + uri.getHost(), e);
    }
  }

  private static String decode(String part) {
    return URLDecoder.decode(part, StandardCharsets.UTF_8);
  }
}
