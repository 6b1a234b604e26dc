// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.job;

import io.lakepipe.core.config.LakepipeConfig;
import java.util.Map;

/**
 * A job that prepares itself before Spark starts: it reads what it runs from the config and its
 * options, checks it, and returns the {@link Job} to run. A mistake in a declaration then stops the
 * job in a second, with the same one-line error as a bad config key, before a session is built.
 */
@FunctionalInterface
public interface JobPlan {
  /**
   * Returns the job to run, or throws a {@code LakepipeException} saying what is wrong.
   *
   * @param options the job's own options by name (without dashes), defaults filled in
   */
  Job prepare(LakepipeConfig config, Map<String, String> options);
}
