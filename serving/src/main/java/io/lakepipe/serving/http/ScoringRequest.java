// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.http;

import java.util.List;
import java.util.Map;

/**
 * A validated request: its records, each holding every declared input (Long, Double, String or
 * null), and whether it came as a batch (an array or {"records": [...]}) or as one record.
 */
public record ScoringRequest(boolean batch, List<Map<String, Object>> records) {
  public ScoringRequest {
    records = List.copyOf(records);
  }
}
