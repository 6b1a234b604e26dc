// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MlflowCredentialsTest {
  private static String basic(String userAndPassword) {
    return "Basic "
        + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aTokenComesFirstThenUserAndPasswordThenTheUri() {
    String uri = "http://ann:uri%40pw@127.0.0.1:5000/";
    Map<String, String> both =
        Map.of(
            "MLFLOW_TRACKING_TOKEN",
            "tok",
            "MLFLOW_TRACKING_USERNAME",
            "bob",
            "MLFLOW_TRACKING_PASSWORD",
            "env-pw");

    assertThat(MlflowCredentials.resolve(uri, both).authorization()).hasValue("Bearer tok");
    assertThat(
            MlflowCredentials.resolve(
                    uri,
                    Map.of("MLFLOW_TRACKING_USERNAME", "bob", "MLFLOW_TRACKING_PASSWORD", "env-pw"))
                .authorization())
        .hasValue(basic("bob:env-pw"));
    assertThat(MlflowCredentials.resolve(uri, Map.of()).authorization())
        .hasValue(basic("ann:uri@pw"));
    assertThat(MlflowCredentials.resolve("http://127.0.0.1:5000", Map.of()).authorization())
        .isEmpty();
  }

  @Test
  void theAddressShownAnywhereHoldsNoCredential() {
    MlflowCredentials credentials =
        MlflowCredentials.resolve(
            "https://ann:uri-secret@mlflow.example.org:8443/tracking/",
            Map.of("MLFLOW_TRACKING_TOKEN", "token-secret"));

    assertThat(credentials.uri()).isEqualTo("https://mlflow.example.org:8443/tracking");
    assertThat(credentials.toString()).doesNotContain("secret");
    assertThat(credentials.token()).hasValue("token-secret");
    assertThat(credentials.user()).isEmpty();
  }
}
