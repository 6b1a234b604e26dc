// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.ParameterException;

/**
 * Listening beyond loopback needs a token or an explicit flag; the config is built, nothing is
 * bound. The host is a name that resolves to no address, which counts as not loopback.
 */
class ScoringServerHostTest {
  private static final String ELSEWHERE = "scorer.lakepipe.invalid";

  @TempDir Path dir;

  private ServingConfig config(Map<String, String> env, String... args) {
    ScoringServer server = new ScoringServer(env);
    String[] all = new String[args.length + 2];
    all[0] = "--bundle";
    all[1] = TestBundles.write(dir, "lr-v1", "1").toString();
    System.arraycopy(args, 0, all, 2, args.length);
    ScoringServer.commandLine(server).parseArgs(all);
    return server.config(env);
  }

  @Test
  void anyAddressWithoutATokenIsRefusedNamingTheTwoWaysOut() {
    assertThatThrownBy(() -> config(Map.of(), "--host", ELSEWHERE))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("--host " + ELSEWHERE + " listens beyond this machine")
        .hasMessageContaining(ServingConfig.TOKEN_ENV + " is not set")
        .hasMessageContaining("--insecure-no-token");
  }

  @Test
  void anyAddressIsAcceptedWithATokenOrTheExplicitFlag() {
    assertThat(config(Map.of(ServingConfig.TOKEN_ENV, "s3cret"), "--host", ELSEWHERE).host())
        .isEqualTo(ELSEWHERE);
    assertThat(config(Map.of(), "--host", ELSEWHERE, "--insecure-no-token").token()).isEmpty();
  }

  @Test
  void loopbackNeedsNoToken() {
    assertThat(config(Map.of()).host()).isEqualTo("127.0.0.1");
    assertThat(config(Map.of(), "--host", "localhost").host()).isEqualTo("localhost");
    assertThat(config(Map.of(), "--host", "::1").host()).isEqualTo("::1");
  }
}
