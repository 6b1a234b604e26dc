// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.mlflow;

import java.time.Duration;
import java.util.Map;

/**
 * lakepipe's MLflow REST client, shared by the jobs and the scorer: plain {@code java.net.http} and
 * Jackson, no MLflow client (it would bring protobuf and its retries) and no Spark. Every call
 * throws an {@link MlflowException} that names it.
 */
public final class MlflowRestClient {
  private final MlflowHttp http;
  private final MlflowExperiments experiments;
  private final MlflowRuns runs;
  private final MlflowRegistry registry;
  private final MlflowArtifacts artifacts;
  private final MlflowLoggedModels loggedModels;

  public MlflowRestClient(MlflowHttp http) {
    this.http = http;
    this.experiments = new MlflowExperiments(http);
    this.runs = new MlflowRuns(http);
    this.registry = new MlflowRegistry(http);
    this.artifacts = new MlflowArtifacts(http);
    this.loggedModels = new MlflowLoggedModels(http);
  }

  /**
   * A client of {@code trackingUri}, signed in as MLflow's own clients are (see {@link
   * MlflowCredentials}) from {@code env}, usually {@code System.getenv()}.
   */
  public static MlflowRestClient of(String trackingUri, Map<String, String> env, Duration timeout) {
    return new MlflowRestClient(
        new MlflowHttp(MlflowCredentials.resolve(trackingUri, env), timeout));
  }

  /** The server's address, without credentials. */
  public String uri() {
    return http.uri();
  }

  public MlflowHttp http() {
    return http;
  }

  public MlflowExperiments experiments() {
    return experiments;
  }

  public MlflowRuns runs() {
    return runs;
  }

  public MlflowRegistry registry() {
    return registry;
  }

  public MlflowArtifacts artifacts() {
    return artifacts;
  }

  public MlflowLoggedModels loggedModels() {
    return loggedModels;
  }
}
