// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.spark;

import io.lakepipe.core.config.LakepipeConfig;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether Spark compiles the session's queries (whole-stage code generation, compiled by Janino) or
 * evaluates them interpreted. A daily driver lives for one day of tens of thousands of rows, and
 * compiling its queries (Delta's log replay, the job's own) costs more than the compiled code
 * saves: build-features took 11.0 s interpreted instead of 12.5 s, and check-table 5.6 s instead of
 * 7.5 s. On a day of millions of rows it is the other way round (3M flights: 108 s interpreted
 * against about 37 s). So a one-day run of a job declared so ({@link
 * io.lakepipe.core.job.Job#startsInterpreted}) starts interpreted, and the job turns compilation on
 * as soon as it knows its day is larger than {@code lakepipe.spark.interpreted}. Both ways give the
 * same rows: interpreted evaluation is Spark's fallback when compiling fails, and what the unit
 * tests run.
 */
public final class QueryCompilation {
  private static final Logger LOG = LoggerFactory.getLogger(QueryCompilation.class);
  static final String FACTORY_MODE = "spark.sql.codegen.factoryMode";
  static final String WHOLE_STAGE = "spark.sql.codegen.wholeStage";
  private static final String MAX_ROWS = "spark.interpreted.max-rows";
  private static final String MAX_LANDED_BYTES = "spark.interpreted.max-landed-bytes";

  private QueryCompilation() {}

  /** Whether one-day runs may start interpreted at all (max-rows above 0). */
  public static boolean interpretsSmallDays(LakepipeConfig config) {
    return config.longValue(MAX_ROWS) > 0;
  }

  /** From now on, the session's queries are evaluated interpreted. */
  public static void interpret(SparkSession spark) {
    spark.conf().set(FACTORY_MODE, "NO_CODEGEN");
    spark.conf().set(WHOLE_STAGE, "false");
  }

  /** From now on, the session's queries are compiled (Spark's defaults). */
  public static void compile(SparkSession spark) {
    spark.conf().set(FACTORY_MODE, "FALLBACK");
    spark.conf().set(WHOLE_STAGE, "true");
  }

  public static boolean isInterpreted(SparkSession spark) {
    return "NO_CODEGEN".equalsIgnoreCase(spark.conf().get(FACTORY_MODE, "FALLBACK"));
  }

  /**
   * Turns compilation on if the session is interpreted and the day holds more than {@code
   * lakepipe.spark.interpreted.max-rows} rows; returns whether it did.
   */
  public static boolean compileIfMoreRows(SparkSession spark, LakepipeConfig config, long rows) {
    return compileIfAbove(spark, () -> rows, config.longValue(MAX_ROWS), "rows");
  }

  /**
   * Turns compilation on if the session is interpreted and the day's landed files hold more than
   * {@code lakepipe.spark.interpreted.max-landed-bytes}; returns whether it did. {@code bytes} is
   * asked only of an interpreted session: looking at the files costs a request each on S3.
   */
  public static boolean compileIfMoreLandedBytes(
      SparkSession spark, LakepipeConfig config, LongSupplier bytes) {
    return compileIfAbove(
        spark, bytes, config.longValue(MAX_LANDED_BYTES), "bytes of landed files");
  }

  private static boolean compileIfAbove(
      SparkSession spark, LongSupplier measure, long max, String unit) {
    if (!isInterpreted(spark)) {
      return false;
    }
    long size = measure.getAsLong();
    if (size <= max) {
      return false;
    }
    compile(spark);
    LOG.info(
        String.format(
            Locale.ROOT,
            "The day holds %,d %s (more than %,d): Spark compiles its queries from here on",
            size,
            unit,
            max));
    return true;
  }
}
