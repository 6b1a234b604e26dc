// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.job;

/**
 * A lakepipe batch job: reads its inputs for one logical date, transforms, writes, reports counts.
 */
@FunctionalInterface
public interface Job {
  JobResult run(JobContext context);
}
