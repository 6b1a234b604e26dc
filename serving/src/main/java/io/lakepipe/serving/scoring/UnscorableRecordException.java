// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.scoring;

import java.util.List;

/**
 * The model gave no probability for a record, which happens when an input is missing and the PMML
 * has no replacement for it (or the ONNX graph gives NaN for it). The HTTP layer turns it into a
 * 422 answer naming the inputs.
 */
public final class UnscorableRecordException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final List<String> missingInputs;

  UnscorableRecordException(List<String> missingInputs) {
    super("The model returned no probability; missing inputs: " + missingInputs);
    this.missingInputs = List.copyOf(missingInputs);
  }

  /** The inputs that were null in the record. */
  public List<String> missingInputs() {
    return missingInputs;
  }
}
