// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.tracking;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A run as the tracking server reports it, read back after the fact (for example the training run
 * behind a registered version). Metrics hold each key's latest value; every map is sorted by key,
 * so what is written from it comes out the same each time.
 */
public record LoggedRun(
    String runId,
    String artifactUri,
    Map<String, Double> metrics,
    Map<String, String> params,
    Map<String, String> tags) {

  public LoggedRun {
    metrics = Collections.unmodifiableMap(new TreeMap<>(metrics));
    params = Collections.unmodifiableMap(new TreeMap<>(params));
    tags = Collections.unmodifiableMap(new TreeMap<>(tags));
  }
}
