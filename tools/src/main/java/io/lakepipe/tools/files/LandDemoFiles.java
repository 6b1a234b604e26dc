// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.tools.files;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sequence;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.ingest.files.LandingAreas;
import io.lakepipe.ingest.files.RecordParsing;
import io.lakepipe.ingest.files.S3LandingArea;
import io.lakepipe.ingest.source.FileFormat;
import io.lakepipe.ingest.source.FileSource;
import io.lakepipe.ingest.source.SourceDeclarations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays the upstream system of a declared file source: cuts its demo data file ({@code
 * lakepipe.demo.files.<source>.file}) into one folder per logical date in the source's landing
 * area, in the source's format, as an export would deliver them. A row's folder is its ds as the
 * source derives it; a source without ds (a reference table) gets the whole file in every delivery
 * of the range, one per {@code every} (day, month or year). Landing a range again replaces those
 * folders only.
 */
public final class LandDemoFiles {
  private static final Logger LOG = LoggerFactory.getLogger(LandDemoFiles.class);
  private static final Set<String> PERIODS = Set.of("day", "month", "year");

  private LandDemoFiles() {}

  /** Lands the days {@code [from, to]} of the source's demo file; returns the rows written. */
  public static long land(
      SparkSession spark, LakepipeConfig config, String sourceName, LocalDate from, LocalDate to) {
    String key = "demo.files." + sourceName;
    if (!config.has(key)) {
      throw LakepipeErrors.configValueInvalid(
          "demo.files",
          sourceName,
          "a source with demo data: "
              + (config.has("demo.files") ? config.keys("demo.files") : Set.of()));
    }
    LakepipeConfig demo = config.section(key);
    String file = demo.string("file");
    String every = demo.has("every") ? demo.string("every") : "day";
    if (!PERIODS.contains(every)) {
      throw LakepipeErrors.configValueInvalid(key + ".every", every, String.join(", ", PERIODS));
    }
    FileSource source = SourceDeclarations.files(config, sourceName);
    if (!file.contains("://") && !Files.exists(Path.of(file))) {
      throw LakepipeErrors.inputMissing(sourceName, file);
    }
    String location = source.location();
    if (LandingAreas.of(location, config, spark) instanceof S3LandingArea s3) {
      s3.ensureBucket();
    }
    Dataset<Row> days = delivered(read(spark, file, source), source, every, from, to).cache();
    try {
      LOG.info("Landing {} {}..{} as {} into {}", sourceName, from, to, source.format(), location);
      // One file per day; dynamic overwrite replaces only the days written.
      days.repartition(col("ds"))
          .write()
          .mode(SaveMode.Overwrite)
          .option("partitionOverwriteMode", "dynamic")
          .option("header", source.header())
          .option("sep", source.delimiter())
          .partitionBy("ds")
          .format(source.format().configName())
          .save(location);
      long count = days.count();
      LOG.info("Landed {} rows of {} {}..{} in {}", count, sourceName, from, to, location);
      return count;
    } finally {
      days.unpersist();
    }
  }

  /**
   * The file's rows in the source's columns: Parquet as written (its columns by name), CSV (with a
   * header line) and JSON lines as text, so that each value lands exactly as the file holds it.
   */
  static Dataset<Row> read(SparkSession spark, String file, FileSource source) {
    if (file.endsWith(".parquet")) {
      return spark
          .read()
          .parquet(file)
          .select(
              Arrays.stream(source.schema().fieldNames())
                  .map(functions::col)
                  .toArray(Column[]::new));
    }
    StructType text = RecordParsing.asText(source.schema());
    if (file.endsWith(".json")) {
      return spark.read().schema(text).json(file);
    }
    // By position: the declared names replace the file's header, as the ingest reads them.
    return spark.read().option("header", true).schema(text).csv(file);
  }

  /** The rows of the deliveries in [from, to], each with the ds of its folder. */
  static Dataset<Row> delivered(
      Dataset<Row> rows, FileSource source, String every, LocalDate from, LocalDate to) {
    Dataset<Row> withDs =
        source.ds() != null
            ? rows.withColumn("ds", expr(source.ds().sql()).cast("date"))
            : rows.withColumn(
                "ds",
                explode(
                    sequence(
                        lit(Date.valueOf(from)),
                        lit(Date.valueOf(to)),
                        expr("INTERVAL 1 " + every.toUpperCase(Locale.ROOT)))));
    withDs = withDs.where(col("ds").between(lit(Date.valueOf(from)), lit(Date.valueOf(to))));
    if (source.format() != FileFormat.PARQUET) {
      // Text exports carry timestamps as text, the way upstream systems write them.
      for (StructField field : withDs.schema().fields()) {
        if (field.dataType().equals(DataTypes.TimestampType)) {
          withDs =
              withDs.withColumn(
                  field.name(), date_format(col(field.name()), "yyyy-MM-dd HH:mm:ss"));
        }
      }
    }
    return withDs;
  }
}
