// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.reload;

import io.lakepipe.serving.bundle.Bundle;
import io.lakepipe.serving.bundle.BundleManifest;
import io.lakepipe.serving.scoring.Scorer;

/**
 * A model ready to serve: its bundle, its scorer, and the threshold in force (the bundle's unless
 * the service was started with --threshold). Immutable, so a request that took it scores its whole
 * batch with it even when a reload swaps in another meanwhile.
 */
public record LoadedModel(Bundle bundle, Scorer scorer, double threshold) {

  public BundleManifest manifest() {
    return bundle.manifest();
  }
}
