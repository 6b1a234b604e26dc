// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.job;

/**
 * A lakepipe batch job: reads its inputs for one logical date, transforms, writes, reports counts.
 */
@FunctionalInterface
public interface Job {
  JobResult run(JobContext context);

  /**
   * Whether a one-day run of the job starts with Spark's queries interpreted (see {@link
   * io.lakepipe.core.spark.QueryCompilation}): true for a job that reads only small tables, or that
   * turns compilation on as soon as it knows its day is large.
   */
  default boolean startsInterpreted() {
    return false;
  }

  /** {@code job}, declared as one whose one-day runs start interpreted. */
  static Job startingInterpreted(Job job) {
    return new Job() {
      @Override
      public JobResult run(JobContext context) {
        return job.run(context);
      }

      @Override
      public boolean startsInterpreted() {
        return true;
      }
    };
  }
}
