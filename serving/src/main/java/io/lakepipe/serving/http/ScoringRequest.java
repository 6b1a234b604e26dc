// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.http;

import java.util.List;
import java.util.Map;

/**
 * A validated request: its records, each holding every declared input (Long, Double, String or
 * null), whether it came as a batch (an array or {"records": [...]}) or as one record, and per
 * record the kept key fields the caller sent beside the inputs (field name to its scalar value as
 * text; a field not sent is absent), which the prediction log writes and the model never reads.
 */
public record ScoringRequest(
    boolean batch, List<Map<String, Object>> records, List<Map<String, String>> keys) {
  public ScoringRequest {
    records = List.copyOf(records);
    keys = List.copyOf(keys);
    if (keys.size() != records.size()) {
      throw new IllegalArgumentException(
          keys.size() + " sets of key fields for " + records.size() + " records");
    }
  }

  /** A request whose key fields were not kept. */
  public ScoringRequest(boolean batch, List<Map<String, Object>> records) {
    this(batch, records, records.stream().map(r -> Map.<String, String>of()).toList());
  }
}
