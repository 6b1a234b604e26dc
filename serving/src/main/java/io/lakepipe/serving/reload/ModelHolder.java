// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.reload;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The model in service. Requests read it once ({@link #current()}) and keep that instance to the
 * end; a reload replaces it in one atomic step, so no request ever sees half a model or fails for a
 * swap.
 */
public final class ModelHolder {
  private final AtomicReference<LoadedModel> model = new AtomicReference<>();

  /** The model in service, or empty before the first load finished. */
  public Optional<LoadedModel> current() {
    return Optional.ofNullable(model.get());
  }

  /** Puts {@code next} in service and returns the model it replaced, or null. */
  LoadedModel swap(LoadedModel next) {
    return model.getAndSet(next);
  }
}
