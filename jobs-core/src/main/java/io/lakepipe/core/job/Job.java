// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.job;

/**
 * A lakepipe batch job: reads its inputs for one logical date, transforms, writes, reports counts.
 */
@FunctionalInterface
public interface Job {
  JobResult run(JobContext context);

  /**
   * Whether the job tells {@link io.lakepipe.core.spark.QueryCompilation} how large its day is
   * before the bulk of its work, so that a one-day run of it may start with Spark's queries
   * interpreted; see {@link #sizingItsDay}.
   */
  default boolean sizesItsDay() {
    return false;
  }

  /** {@code job}, declared as one that sizes its day (see {@link #sizesItsDay}). */
  static Job sizingItsDay(Job job) {
    return new Job() {
      @Override
      public JobResult run(JobContext context) {
        return job.run(context);
      }

      @Override
      public boolean sizesItsDay() {
        return true;
      }
    };
  }
}
