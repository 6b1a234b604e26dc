// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.jdbc;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.config.LakepipeConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A database table read through Spark's JDBC source: the rows whose watermark column lies in a
 * half-open time window, split into parallel reads over the range of an integer column.
 *
 * <p>The range comes from a min/max query over the same window, so the partitions are as even as
 * the key allows; Spark's first and last partitions are open-ended, so a row outside the range
 * measured is still read. Credentials are taken from the config (which takes them from the
 * environment), passed only to the driver, and appear in no log line, message or {@link
 * #location()}.
 */
public final class JdbcTableSource {
  /** Session name of the data reads, as PostgreSQL shows it in pg_stat_activity. */
  public static final String READ_APPLICATION = "lakepipe-jdbc-read";

  /** Session name of the min/max query that sizes the partitions. */
  public static final String BOUNDS_APPLICATION = "lakepipe-jdbc-bounds";

  private final String url;
  private final String table;
  private final String user;
  private final String password;
  private final String partitionColumn;
  private final int numPartitions;
  private final String watermarkColumn;
  private final int fetchSize;

  /** A table or schema.table of plain SQL identifiers: anything else could smuggle SQL in. */
  private static final Pattern TABLE =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*)?");

  private final int queryTimeoutSeconds;
  private final Duration lateCommitLookback;

  private JdbcTableSource(LakepipeConfig config, String section) {
    this.url = config.string(section + ".url");
    this.table = config.string(section + ".table");
    this.queryTimeoutSeconds = config.integer(section + ".query-timeout-seconds");
    this.lateCommitLookback = Duration.ofMinutes(config.integer(section + ".late-commit-minutes"));
    this.user = config.string(section + ".user");
    this.password = config.string(section + ".password");
    this.partitionColumn = config.string(section + ".partition-column");
    this.numPartitions = config.integer(section + ".num-partitions");
    this.watermarkColumn = config.string(section + ".watermark-column");
    this.fetchSize = config.integer(section + ".fetch-size");
  }

  /**
   * The source of {@code lakepipe.<section>}; fails before any connection when credentials are
   * empty.
   */
  public static JdbcTableSource fromConfig(LakepipeConfig config, String section) {
    JdbcTableSource source = checkDeclaration(config, section);
    if (source.user.isBlank() || source.password.isEmpty()) {
      throw LakepipeErrors.jdbcCredentialsMissing(source.location(), section);
    }
    return source;
  }

  /**
   * The source of {@code lakepipe.<section>} if its table and column names and its timeout are
   * valid, credentials aside: what {@code ./lakepipe validate} checks without the jobs'
   * environment.
   */
  public static JdbcTableSource checkDeclaration(LakepipeConfig config, String section) {
    JdbcTableSource source = new JdbcTableSource(config, section);
    if (!TABLE.matcher(source.table).matches()) {
      throw LakepipeErrors.configInvalid(
          config.origin(),
          "lakepipe."
              + section
              + ".table is '"
              + source.table
              + "' but must be a table or schema.table name of letters, digits and _",
          null);
    }
    for (String column : List.of(source.partitionColumn, source.watermarkColumn)) {
      if (!TABLE.matcher(column).matches() || column.contains(".")) {
        throw LakepipeErrors.configInvalid(
            config.origin(),
            "lakepipe."
                + section
                + " names the"
                + " column '"
                + column
                + "', which is not a name of letters, digits and _",
            null);
      }
    }
    if (source.queryTimeoutSeconds <= 0) {
      throw LakepipeErrors.configInvalid(
          config.origin(),
          "lakepipe." + section + ".query-timeout-seconds must be a positive number of seconds",
          null);
    }
    return source;
  }

  /**
   * Where the rows come from: the JDBC URL without its parameters (they may hold secrets), and the
   * table.
   */
  public String location() {
    int query = url.indexOf('?');
    return (query < 0 ? url : url.substring(0, query)) + "/" + table;
  }

  public String watermarkColumn() {
    return watermarkColumn;
  }

  /**
   * How far back from the last ingested watermark a run reads again: a row committed late, by a
   * transaction that took its {@code updated_at} before a later row committed first, has a
   * watermark below the last one ingested and would be missed by a plain {@code >}.
   */
  public Duration lateCommitLookback() {
    return lateCommitLookback;
  }

  /**
   * The rows with {@code after < watermark < until} ({@code after} null: every row before {@code
   * until}), read lazily in up to {@code num-partitions} parallel queries.
   */
  public Dataset<Row> readChanges(SparkSession spark, Instant after, Instant until) {
    String window =
        quote(watermarkColumn)
            + " < "
            + timestamp(until)
            + (after == null ? "" : " AND " + quote(watermarkColumn) + " > " + timestamp(after));
    String changed = "SELECT * FROM " + quotedTable() + " WHERE " + window;

    Row bounds =
        reader(spark, BOUNDS_APPLICATION)
            .option(
                "query",
                "SELECT min("
                    + quote(partitionColumn)
                    + ") AS lo, max("
                    + quote(partitionColumn)
                    + ") AS hi FROM ("
                    + changed
                    + ") AS changed")
            .load()
            .head();
    DataFrameReader rows =
        reader(spark, READ_APPLICATION).option("dbtable", "(" + changed + ") AS changed");
    if (!bounds.isNullAt(0) && numPartitions > 1) {
      long lo = ((Number) bounds.get(0)).longValue();
      long hi = ((Number) bounds.get(1)).longValue();
      rows =
          rows.option("partitionColumn", partitionColumn)
              .option("lowerBound", lo)
              .option("upperBound", Math.max(hi, lo + 1))
              .option("numPartitions", numPartitions);
    }
    return rows.load();
  }

  private DataFrameReader reader(SparkSession spark, String applicationName) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("url", url);
    options.put("user", user);
    options.put("password", password);
    options.put("fetchsize", String.valueOf(fetchSize));
    // A locked or stalled table fails the run after this long instead of hanging it.
    options.put("queryTimeout", String.valueOf(queryTimeoutSeconds));
    // Passed to the driver as a connection property: names the session for the DBA.
    options.put("ApplicationName", applicationName);
    if (url.startsWith("jdbc:postgresql:")) {
      // The driver's own guards, for what the statement timeout does not cover: a connection that
      // does not open, or a socket that stops answering (seconds).
      options.put("connectTimeout", "30");
      options.put("socketTimeout", String.valueOf(queryTimeoutSeconds + 60));
      // Named explicitly: DriverManager does not see drivers inside a spark-submit application jar.
      options.put("driver", "org.postgresql.Driver");
    }
    return spark.read().format("jdbc").options(options);
  }

  private static String timestamp(Instant instant) {
    return "TIMESTAMP WITH TIME ZONE '" + instant + "'";
  }

  private String quotedTable() {
    return Arrays.stream(table.split("\\."))
        .map(JdbcTableSource::quote)
        .collect(Collectors.joining("."));
  }

  private static String quote(String column) {
    return "\"" + column.replace("\"", "\"\"") + "\"";
  }
}
