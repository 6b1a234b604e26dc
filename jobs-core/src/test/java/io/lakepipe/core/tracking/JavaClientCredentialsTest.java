// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakepipe.mlflow.MlflowCredentials;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** MLflow's Java client, which writes the runs, signs in as the REST client does. */
class JavaClientCredentialsTest {
  @Test
  void theJavaClientGetsTheSameCredentialsAndAnAddressWithoutThem() {
    MlflowCredentials token =
        MlflowCredentials.resolve(
            "https://ann:uri-secret@mlflow.example.org:8443/tracking/",
            Map.of("MLFLOW_TRACKING_TOKEN", "token-secret"));
    assertThat(MlflowTracking.hostCreds(token).getHost()).isEqualTo(token.uri());
    assertThat(MlflowTracking.hostCreds(token).getToken()).isEqualTo("token-secret");

    MlflowCredentials basic = MlflowCredentials.resolve("http://ann:pw@127.0.0.1:5000", Map.of());
    assertThat(MlflowTracking.hostCreds(basic).getUsername()).isEqualTo("ann");
    assertThat(MlflowTracking.hostCreds(basic).getPassword()).isEqualTo("pw");
    assertThat(MlflowTracking.hostCreds(basic).getHost()).isEqualTo("http://127.0.0.1:5000");
  }
}
