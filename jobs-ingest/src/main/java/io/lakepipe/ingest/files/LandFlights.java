package io.lakepipe.ingest.files;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.ingest.source.FileFormat;
import io.lakepipe.ingest.source.FileSource;
import io.lakepipe.ingest.source.SourceDeclarations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays the upstream system: cuts the flights data set ({@code lakepipe.demo.flights-data}) into one
 * folder of files per day in the landing area of the declared source {@code flights}, in its format,
 * as a daily export would deliver them. Landing a day again replaces that day's folder only.
 */
public final class LandFlights {
  private static final Logger LOG = LoggerFactory.getLogger(LandFlights.class);

  private LandFlights() {}

  /** Lands the days {@code [from, to]} and returns the number of flights written. */
  public static long land(SparkSession spark, LakepipeConfig config, LocalDate from, LocalDate to) {
    String source = config.string("demo.flights-data");
    FileSource flights = SourceDeclarations.files(config, "flights");
    String location = flights.location();
    FileFormat format = flights.format();
    if (!source.contains("://") && !Files.exists(Path.of(source))) {
      throw LakepipeErrors.inputMissing("flights", source);
    }
    if (LandingAreas.of(location, config, spark) instanceof S3LandingArea s3) {
      s3.ensureBucket();
    }
    Dataset<Row> days = spark.read().parquet(source)
        .withColumn("ds", to_date(col("date")))
        .where(col("ds").between(lit(java.sql.Date.valueOf(from)), lit(java.sql.Date.valueOf(to))));
    if (format != FileFormat.PARQUET) {
      // Text exports carry timestamps as text, the way upstream systems write them.
      days = days.withColumn("date", date_format(col("date"), "yyyy-MM-dd HH:mm:ss"));
    }
    LOG.info("Landing flights {}..{} as {} into {}", from, to, format, location);
    // One file per day; dynamic overwrite replaces only the days written.
    days.repartition(col("ds"))
        .write()
        .mode(SaveMode.Overwrite)
        .option("partitionOverwriteMode", "dynamic")
        .option("header", flights.header())
        .option("sep", flights.delimiter())
        .partitionBy("ds")
        .format(format.configName())
        .save(location);
    long count = spark.read().parquet(source)
        .where(to_date(col("date")).between(lit(java.sql.Date.valueOf(from)),
            lit(java.sql.Date.valueOf(to))))
        .count();
    LOG.info("Landed {} flights of {}..{} in {}", count, from, to, location);
    return count;
  }
}
