// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import org.junit.jupiter.api.Test;

class MlflowHttpTest {
  @Test
  void onlyAConnectionTheServerClosedWhileIdleIsSentAgain() {
    assertThat(MlflowHttp.staleConnection(new IOException("Broken pipe"))).isTrue();
    assertThat(
            MlflowHttp.staleConnection(new IOException("HTTP/1.1 header parser received no bytes")))
        .isTrue();
    assertThat(MlflowHttp.staleConnection(new HttpTimeoutException("request timed out"))).isFalse();
    assertThat(MlflowHttp.staleConnection(new ConnectException("Connection refused"))).isFalse();
    assertThat(MlflowHttp.staleConnection(new IOException("No route to host"))).isFalse();
  }
}
