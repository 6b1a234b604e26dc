// SPDX-License-Identifier: AGPL-3.0-only
package io.lakepipe.export.pmml;

import java.time.Instant;
import java.util.Map;

/**
 * The registered version a bundle is built from, as the registry and its training run tell it.
 *
 * @param threshold the probability above which the training labelled a flight delayed
 * @param metrics the training run's test metrics
 * @param createdAt when the registry created the version
 */
public record ExportedVersion(
    String modelName,
    String version,
    String runId,
    double threshold,
    Map<String, Double> metrics,
    Instant createdAt) {}
