// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving;

import io.lakepipe.serving.bundle.FolderBundleSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One service shared by all tests of a class: the test bundle lr-v1 (version 1) in a temporary
 * folder, served with {@link ServiceTestBase#TOKEN} and the class's limits on an ephemeral loopback
 * port, started before the class's first test and closed after its last. A class registers it as a
 * static field: {@code @RegisterExtension static final RunningService service = new
 * RunningService(maxBatch, maxBody);}
 */
public final class RunningService implements BeforeAllCallback, AfterAllCallback {
  private final int maxBatch;
  private final int maxBody;
  private Path dir;
  private ScoringService service;

  public RunningService(int maxBatch, int maxBody) {
    this.maxBatch = maxBatch;
    this.maxBody = maxBody;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    dir = Files.createTempDirectory("lakepipe-serving-test-");
    Path bundle = TestBundles.write(dir.resolve("bundle"), "lr-v1", "1");
    service =
        ScoringService.start(
            ServingConfig.defaults(new FolderBundleSource(bundle))
                .withPort(0)
                .withToken(ServiceTestBase.TOKEN)
                .withLimits(maxBatch, maxBody));
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    try {
      if (service != null) {
        service.close();
      }
    } finally {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
  }

  /** The loopback port the service listens on. */
  public int port() {
    return service.port();
  }
}
