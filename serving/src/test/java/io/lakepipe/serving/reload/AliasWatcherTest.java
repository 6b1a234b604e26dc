// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.reload;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakepipe.serving.TestBundles;
import io.lakepipe.serving.bundle.Bundle;
import io.lakepipe.serving.bundle.BundleSource;
import io.lakepipe.serving.metrics.ServiceMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AliasWatcherTest {
  @TempDir Path dir;

  // The watcher is held open for what it does in the background; the try block never names it.
  @SuppressWarnings("try")
  @Test
  void anErrorWhilePollingDoesNotStopTheWatcher() throws Exception {
    Bundle v1 = version(TestBundles.write(dir.resolve("v1"), "lr-v1", "1"), "1");
    Bundle v2 = version(TestBundles.write(dir.resolve("v2"), "lr-v2", "2"), "2");
    AtomicInteger polls = new AtomicInteger();
    // The alias moves to version 2, whose first load throws an Error (as a model that overflows the
    // stack when parsed would); the next poll must load it.
    BundleSource alias =
        new BundleSource() {
          @Override
          public String location() {
            return "models:/test@champion";
          }

          @Override
          public Bundle load() {
            int poll = polls.get();
            if (poll == 0) {
              return v1;
            }
            if (poll == 1) {
              throw new StackOverflowError("injected while loading version 2");
            }
            return v2;
          }

          @Override
          public Optional<String> currentRevision() {
            polls.incrementAndGet();
            return Optional.of("2");
          }

          @Override
          public boolean watchable() {
            return true;
          }
        };
    ModelHolder holder = new ModelHolder();
    Reloader reloader =
        new Reloader(
            alias, holder, new ServiceMetrics().model(), ModelRole.SERVED, OptionalDouble.empty());
    reloader.reload();

    try (AliasWatcher watcher = AliasWatcher.start(reloader, Duration.ofMillis(20))) {
      for (int i = 0;
          i < 250 && !"2".equals(holder.current().orElseThrow().manifest().modelVersion());
          i++) {
        Thread.sleep(20);
      }
    }

    assertThat(polls.get()).isGreaterThanOrEqualTo(2);
    assertThat(holder.current().orElseThrow().manifest().modelVersion()).isEqualTo("2");
  }

  private static Bundle version(Path folder, String version) throws IOException {
    return Bundle.of(
        folder.toString(),
        version,
        Files.readAllBytes(folder.resolve(Bundle.MANIFEST_FILE)),
        Files.readAllBytes(folder.resolve(Bundle.PMML_FILE)));
  }
}
