// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.tracking;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.mlflow.MlflowException;
import io.lakepipe.mlflow.MlflowUnreachableException;
import java.util.function.Supplier;

/**
 * Runs one call of the MLflow REST client and turns its failure into the jobs' one-line errors:
 * unreachable, or the call and what the server said.
 */
final class TrackingCalls {
  private TrackingCalls() {}

  /**
   * @param uri the server's address, without credentials
   * @param what the call as messages name it; null for the REST call's own name (artifact
   *     transfers, which name their file)
   */
  static <T> T call(String uri, String what, Supplier<T> action) {
    try {
      return action.get();
    } catch (MlflowUnreachableException e) {
      String call = what == null ? e.call() : what;
      if (e.interrupted()) {
        throw LakepipeErrors.trackingCallFailed(call, "interrupted", e);
      }
      throw LakepipeErrors.trackingUnreachable(uri, e.getCause());
    } catch (MlflowException e) {
      throw LakepipeErrors.trackingCallFailed(what == null ? e.call() : what, e.detail(), e);
    }
  }

  static void run(String uri, String what, Runnable action) {
    call(
        uri,
        what,
        () -> {
          action.run();
          return null;
        });
  }
}
