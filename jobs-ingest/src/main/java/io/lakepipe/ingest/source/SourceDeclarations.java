// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.source;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.config.DeclarationRules;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.ingest.Lineage;
import io.lakepipe.ingest.source.Expectation.Action;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Reads {@code lakepipe.sources.<name>} and validates it without Spark: a known kind, its keys and
 * no others, tables declared in {@code lakepipe.tables}, a schema and SQL that parse, and columns
 * that the schema declares. Each mistake is one line naming the key, the file and line that
 * declared it, and the fix. Whether an expression's type fits (a boolean expectation, a date ds) is
 * known only to Spark's analyzer: {@link SchemaCheck}.
 */
public final class SourceDeclarations {
  private static final DeclarationRules RULES =
      new DeclarationRules(LakepipeErrors::sourceDeclarationInvalid);
  static final String SOURCES = "sources";

  /** The kinds of source; each has a job of its own. */
  static final List<String> KINDS = List.of("files", "jdbc", "kafka");

  private static final List<String> FILES_REQUIRED =
      List.of(
          "kind",
          "location",
          "format",
          "schema",
          "max-bad-share",
          "bronze-table",
          "quarantine-table");
  private static final List<String> FILES_OPTIONAL =
      List.of(
          "csv",
          "max-line-chars",
          "required",
          "time-zone",
          "ds",
          "key",
          "expectations",
          "bronze-columns",
          "empty-days",
          "params");

  /** The connection keys, read by the job's JdbcTableSource, then what the rows must be. */
  private static final List<String> JDBC_REQUIRED =
      List.of(
          "kind",
          "url",
          "table",
          "user",
          "password",
          "query-timeout-seconds",
          "late-commit-minutes",
          "partition-column",
          "num-partitions",
          "watermark-column",
          "fetch-size",
          "schema",
          "key",
          "max-bad-share",
          "bronze-table",
          "quarantine-table");

  private static final List<String> JDBC_OPTIONAL =
      List.of("required", "expectations", "bronze-columns", "params");

  /** The topic and the stream's keys, then what the records must be. */
  private static final List<String> KAFKA_REQUIRED =
      List.of(
          "kind",
          "bootstrap-servers",
          "topic",
          "partitions",
          "starting-offsets",
          "max-offsets-per-trigger",
          "fail-on-data-loss",
          "trigger",
          "trigger-interval",
          "checkpoint",
          "schema",
          "ds",
          "key",
          "max-bad-share",
          "bronze-table",
          "quarantine-table");

  private static final List<String> KAFKA_OPTIONAL =
      List.of("required", "expectations", "bronze-columns", "params");
  private static final int DEFAULT_MAX_LINE_CHARS = 10_000;
  private static final String DEFAULT_TIME_ZONE = "UTC";

  /** Columns every bronze table gets from the ingest itself. */
  private static final Set<String> RESERVED =
      Set.of(Lineage.SOURCE, Lineage.LOCATION, Lineage.RUN_ID, Lineage.INGESTED_AT, "ds");

  private SourceDeclarations() {}

  /**
   * The file source {@code name} (ingest-files' {@code --source}), or a {@link LakepipeException}
   * naming the first mistake in its declaration.
   */
  public static FileSource files(LakepipeConfig config, String name) {
    LakepipeConfig source =
        ofKind(config, name, "files", "ingest-files", FILES_REQUIRED, FILES_OPTIONAL);
    Declared at = new Declared(source.path(), config.section(SOURCES).originOf(name));

    String location = source.string("location");
    RULES.require(
        !location.isBlank(),
        source,
        "location",
        "the location is blank",
        "Give the folder that holds one ds=YYYY-MM-DD folder per day, local, s3a:// or hdfs://");
    String formatName = source.string("format");
    FileFormat format =
        FileFormat.of(formatName)
            .orElseThrow(
                () ->
                    RULES.invalid(
                        source,
                        "format",
                        "unknown format '" + formatName + "'",
                        "Use one of " + FileFormat.names()));
    StructType schema = schema(source);
    Set<String> columns =
        Arrays.stream(schema.fieldNames())
            .map(SourceDeclarations::lower)
            .collect(Collectors.toCollection(LinkedHashSet::new));
    boolean header = false;
    String delimiter = ",";
    // Read whatever the format, so that a source switched to csv finds them checked.
    if (source.has("csv")) {
      LakepipeConfig options = source.section("csv");
      RULES.requireKnownKeys(
          options, Set.of("header", "delimiter"), "The csv options are header and delimiter");
      header = options.has("header") && options.bool("header");
      delimiter = options.has("delimiter") ? options.string("delimiter") : delimiter;
      RULES.require(
          !delimiter.isEmpty(),
          options,
          "delimiter",
          "the delimiter is empty",
          "Give the character between fields, such as \",\"");
    }
    int maxLineChars = DEFAULT_MAX_LINE_CHARS;
    if (source.has("max-line-chars")) {
      maxLineChars = source.integer("max-line-chars");
      RULES.require(
          maxLineChars > 0,
          source,
          "max-line-chars",
          "the limit " + maxLineChars + " is not positive",
          "Give the longest line a record may have, such as 10000");
    }
    Set<String> required = new LinkedHashSet<>(columnList(source, "required", schema));
    String timeZone = timeZone(source);
    LogicalDate ds = source.has("ds") ? logicalDate(source.section("ds"), columns) : null;
    List<String> key = columnList(source, "key", schema);
    List<Expectation> expectations = expectations(source, columns);
    double maxBadShare = maxBadShare(source);
    String bronzeTable = table(config, source, "bronze-table");
    String quarantineTable = table(config, source, "quarantine-table");
    RULES.require(
        !bronzeTable.equals(quarantineTable),
        source,
        "quarantine-table",
        "it is also the" + " bronze table",
        "Give the quarantined rows a table of their own");
    List<DerivedColumn> bronzeColumns = bronzeColumns(source, schema, columns);
    boolean emptyDays = source.has("empty-days") && source.bool("empty-days");
    return new FileSource(
        name,
        at,
        location,
        format,
        header,
        delimiter,
        maxLineChars,
        schema,
        required,
        timeZone,
        ds,
        key,
        expectations,
        maxBadShare,
        bronzeTable,
        bronzeColumns,
        quarantineTable,
        emptyDays);
  }

  /**
   * The JDBC source {@code name} (ingest-jdbc's {@code --source}), or a {@link LakepipeException}
   * naming the first mistake in its declaration. Its connection keys are checked by the job's
   * {@code JdbcTableSource}; credentials only where the job runs.
   */
  public static JdbcSource jdbc(LakepipeConfig config, String name) {
    LakepipeConfig source =
        ofKind(config, name, "jdbc", "ingest-jdbc", JDBC_REQUIRED, JDBC_OPTIONAL);
    Declared at = new Declared(source.path(), config.section(SOURCES).originOf(name));
    StructType schema = schema(source);
    Set<String> columns =
        Arrays.stream(schema.fieldNames())
            .map(SourceDeclarations::lower)
            .collect(Collectors.toCollection(LinkedHashSet::new));
    String watermark =
        column(source, "watermark-column", source.string("watermark-column"), schema);
    RULES.require(
        schema.apply(watermark).dataType().equals(DataTypes.TimestampType),
        source,
        "watermark-column",
        "the column "
            + watermark
            + " is of type "
            + schema.apply(watermark).dataType().simpleString()
            + " in the schema",
        "Declare it TIMESTAMP: the time from which a row's values are valid");
    List<String> key = columnList(source, "key", schema);
    RULES.require(
        key.contains(watermark),
        source,
        "key",
        "the key " + key + " lacks the watermark" + " column " + watermark,
        "A version of a row is its key and the time it became valid:"
            + " add "
            + watermark
            + " to the key");
    double maxBadShare = maxBadShare(source);
    String bronzeTable = table(config, source, "bronze-table");
    String quarantineTable = table(config, source, "quarantine-table");
    RULES.require(
        !bronzeTable.equals(quarantineTable),
        source,
        "quarantine-table",
        "it is also the" + " bronze table",
        "Give the quarantined rows a table of their own");
    return new JdbcSource(
        name,
        at,
        schema,
        new LinkedHashSet<>(columnList(source, "required", schema)),
        watermark,
        key,
        expectations(source, columns),
        maxBadShare,
        bronzeTable,
        bronzeColumns(source, schema, columns),
        quarantineTable);
  }

  /**
   * The Kafka source {@code name} (ingest-kafka's {@code --source}), or a {@link LakepipeException}
   * naming the first mistake in its declaration. A stream has no run to fail half-way through a
   * micro-batch, so every breach is quarantined: {@code action = fail} is refused.
   */
  public static KafkaSource kafka(LakepipeConfig config, String name) {
    LakepipeConfig source =
        ofKind(config, name, "kafka", "ingest-kafka", KAFKA_REQUIRED, KAFKA_OPTIONAL);
    Declared at = new Declared(source.path(), config.section(SOURCES).originOf(name));
    String triggerName = source.string("trigger");
    KafkaSource.Trigger trigger =
        switch (triggerName) {
          case "available-now" -> KafkaSource.Trigger.AVAILABLE_NOW;
          case "continuous" -> KafkaSource.Trigger.CONTINUOUS;
          default ->
              throw RULES.invalid(
                  source,
                  "trigger",
                  "unknown trigger '" + triggerName + "'",
                  "Use available-now (read what the topic holds, then stop: a scheduled run) or continuous"
                      + " (a micro-batch every trigger-interval until stopped)");
        };
    int partitions = source.integer("partitions");
    RULES.require(
        partitions > 0,
        source,
        "partitions",
        "the count " + partitions + " is not" + " positive",
        "Give the partitions of the topic when it has to be created, such as 2");
    long maxOffsets = source.longValue("max-offsets-per-trigger");
    RULES.require(
        maxOffsets > 0,
        source,
        "max-offsets-per-trigger",
        "the count " + maxOffsets + " is not positive",
        "Give the most records one micro-batch reads, such as 100000");
    StructType schema = schema(source);
    Set<String> columns =
        Arrays.stream(schema.fieldNames())
            .map(SourceDeclarations::lower)
            .collect(Collectors.toCollection(LinkedHashSet::new));
    LogicalDate eventDate = logicalDate(source.section("ds"), columns);
    List<String> key = columnList(source, "key", schema);
    RULES.require(
        !key.isEmpty(),
        source,
        "key",
        "the key is empty",
        "Give the fields that identify"
            + " a record, such as [event_id]: a record sent twice is written once");
    List<Expectation> expectations = expectations(source, columns);
    for (Expectation expectation : expectations) {
      if (expectation.action() == Expectation.Action.FAIL) {
        throw LakepipeErrors.sourceDeclarationInvalid(
            expectation.at().key().replaceFirst("\\.sql$", ".action"),
            expectation.at().origin(),
            "the Kafka ingest quarantines"
                + " every record that breaks an expectation and fails only on the bad share",
            "Use action = quarantine, and " + source.path("max-bad-share"));
      }
    }
    double maxBadShare = maxBadShare(source);
    String bronzeTable = table(config, source, "bronze-table");
    String quarantineTable = table(config, source, "quarantine-table");
    RULES.require(
        !bronzeTable.equals(quarantineTable),
        source,
        "quarantine-table",
        "it is also the" + " bronze table",
        "Give the quarantined rows a table of their own");
    return new KafkaSource(
        name,
        at,
        source.string("bootstrap-servers"),
        source.string("topic"),
        partitions,
        source.string("starting-offsets"),
        maxOffsets,
        source.bool("fail-on-data-loss"),
        trigger,
        source.string("trigger-interval"),
        source.string("checkpoint"),
        schema,
        new LinkedHashSet<>(columnList(source, "required", schema)),
        eventDate,
        key,
        expectations,
        maxBadShare,
        bronzeTable,
        bronzeColumns(source, schema, columns),
        quarantineTable);
  }

  /**
   * The section of source {@code name}, declared with kind {@code kind}, the {@code required} keys
   * and no keys but those and the {@code optional} ones.
   */
  private static LakepipeConfig ofKind(
      LakepipeConfig config,
      String name,
      String kind,
      String job,
      List<String> required,
      List<String> optional) {
    if (!config.keys(SOURCES).contains(name)) {
      throw LakepipeErrors.sourceDeclarationInvalid(
          config.path(SOURCES + "." + name),
          config.origin(),
          "no source '" + name + "' is declared",
          "Pass --source with a declared source of kind "
              + kind
              + " ("
              + SqlText.list(sourcesOf(config, kind))
              + "), or declare "
              + config.path(SOURCES + "." + name)
              + " { kind = "
              + kind
              + ", ... }");
    }
    LakepipeConfig source = config.section(SOURCES).section(name);
    RULES.requirePresent(
        source, "kind", "Add kind = " + kind + " (the kinds are " + String.join(", ", KINDS) + ")");
    String declared = source.string("kind");
    RULES.require(
        KINDS.contains(declared),
        source,
        "kind",
        "unknown kind '" + declared + "'",
        "Use one of " + String.join(", ", KINDS));
    RULES.require(
        declared.equals(kind),
        source,
        "kind",
        "source '" + name + "' is of kind " + declared + ", which " + job + " does not read",
        "Pass --source with a source of kind "
            + kind
            + " ("
            + SqlText.list(sourcesOf(config, kind))
            + "); a "
            + declared
            + " source has a job of its own");
    List<String> allowed = new ArrayList<>(required);
    allowed.addAll(optional);
    RULES.requireKnownKeys(
        source,
        Set.copyOf(allowed),
        "A source of kind " + kind + " takes " + String.join(", ", allowed));
    for (String key : required) {
      RULES.requirePresent(
          source, key, "A source of kind " + kind + " needs " + String.join(", ", required));
    }
    return source;
  }

  private static double maxBadShare(LakepipeConfig source) {
    double maxBadShare = source.number("max-bad-share");
    RULES.require(
        maxBadShare >= 0 && maxBadShare <= 1,
        source,
        "max-bad-share",
        "the share " + maxBadShare + " is not in 0..1",
        "Give the largest share of a day's rows that may be"
            + " quarantined before the run fails, such as 0.05");
    return maxBadShare;
  }

  /**
   * The expectations of a source, {@code <source>.expectations}: for sources whose parsing is their
   * own job's (Kafka), whose rows have {@code columns}.
   */
  public static List<Expectation> expectations(LakepipeConfig source, Set<String> columns) {
    if (!source.has("expectations")) {
      return List.of();
    }
    Set<String> known = columns.stream().map(SourceDeclarations::lower).collect(Collectors.toSet());
    List<Expectation> expectations = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (LakepipeConfig entry : source.sections("expectations")) {
      RULES.requireKnownKeys(
          entry,
          Set.of("name", "sql", "action"),
          "An expectation is { name = \"...\", sql = \"...\", action = quarantine | fail }");
      RULES.requirePresent(
          entry,
          "name",
          "Name the expectation by what is wrong with a row that breaks"
              + " it: the name is its quarantine reason");
      RULES.requirePresent(
          entry, "sql", "Give the condition a good row meets, such as distance > 0");
      String name = entry.string("name");
      RULES.require(
          !name.isBlank(),
          entry,
          "name",
          "the name is blank",
          "Say what is wrong with a row" + " that breaks it, such as \"distance is not positive\"");
      RULES.require(
          names.add(name),
          entry,
          "name",
          "another expectation has the name '" + name + "'",
          "Give each expectation a name of its own");
      String sql =
          expression(
              entry,
              "sql",
              known,
              "Write one boolean Spark SQL expression over"
                  + " the row's columns, such as distance > 0");
      String actionName = entry.has("action") ? entry.string("action") : "quarantine";
      Action action =
          Arrays.stream(Action.values())
              .filter(a -> lower(a.name()).equals(actionName))
              .findFirst()
              .orElseThrow(
                  () ->
                      RULES.invalid(
                          entry,
                          "action",
                          "unknown action '" + actionName + "'",
                          "Use quarantine (the row goes to quarantine) or fail (the run fails too)"));
      expectations.add(
          new Expectation(
              name, sql, action, new Declared(entry.path("sql"), entry.originOf("sql"))));
    }
    return expectations;
  }

  /** The declared sources of a kind, for messages. */
  private static Set<String> sourcesOf(LakepipeConfig config, String kind) {
    Set<String> sources = new TreeSet<>();
    for (String name : config.keys(SOURCES)) {
      String kindKey = SOURCES + "." + name + ".kind";
      if (config.has(kindKey) && config.string(kindKey).equals(kind)) {
        sources.add(name);
      }
    }
    return sources;
  }

  private static StructType schema(LakepipeConfig source) {
    String ddl = source.string("schema");
    StructType schema;
    try {
      schema = SqlText.schema(ddl);
    } catch (Exception e) {
      // ParseException is checked in Java's eyes, though Scala does not declare it.
      throw RULES.invalid(
          source,
          "schema",
          "'" + ddl + "' does not parse as a Spark DDL schema: " + SqlText.firstLine(e),
          "Write the columns as \"name TYPE, ...\", such as \"date"
              + " TIMESTAMP, delay INT, origin STRING\"");
    }
    RULES.require(
        schema.size() > 0,
        source,
        "schema",
        "the schema declares no column",
        "Declare the columns of a record");
    Set<String> seen = new HashSet<>();
    for (StructField field : schema.fields()) {
      RULES.require(
          seen.add(lower(field.name())),
          source,
          "schema",
          "the column " + field.name() + " is declared twice",
          "Declare each column once");
      RULES.require(
          field.nullable(),
          source,
          "schema",
          "the column " + field.name() + " is declared NOT" + " NULL",
          "Remove NOT NULL and list the column in required instead, which quarantines"
              + " a row without it");
    }
    return schema;
  }

  /** Columns of the schema listed under {@code key}, named as the schema names them. */
  private static List<String> columnList(LakepipeConfig source, String key, StructType schema) {
    if (!source.has(key)) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    for (String name : source.strings(key)) {
      String column = column(source, key, name, schema);
      RULES.require(
          !names.contains(column),
          source,
          key,
          "the column " + column + " is listed twice",
          "List each column once");
      names.add(column);
    }
    return names;
  }

  /** The column of the schema that {@code name} names under {@code key}, as the schema names it. */
  private static String column(LakepipeConfig source, String key, String name, StructType schema) {
    return Arrays.stream(schema.fieldNames())
        .filter(f -> lower(f).equals(lower(name)))
        .findFirst()
        .orElseThrow(
            () ->
                RULES.invalid(
                    source,
                    key,
                    "the column '" + name + "' is not" + " in the schema",
                    "Use columns of the schema ("
                        + SqlText.list(List.of(schema.fieldNames()))
                        + ")"));
  }

  private static String timeZone(LakepipeConfig source) {
    String zone = source.has("time-zone") ? source.string("time-zone") : DEFAULT_TIME_ZONE;
    try {
      ZoneId.of(zone);
    } catch (DateTimeException e) {
      throw RULES.invalid(
          source,
          "time-zone",
          "'" + zone + "' is no time zone",
          "Give a region such as America/New_York, or UTC");
    }
    return zone;
  }

  private static LogicalDate logicalDate(LakepipeConfig ds, Set<String> columns) {
    RULES.requireKnownKeys(ds, Set.of("sql", "label"), "ds takes sql and label");
    RULES.requirePresent(
        ds, "sql", "Give the row's date as Spark SQL, such as to_date(event_time)");
    String sql =
        expression(
            ds,
            "sql",
            columns,
            "Write one Spark SQL expression of type DATE over"
                + " the row's columns, such as to_date(event_time)");
    String label = ds.has("label") ? ds.string("label") : "date";
    RULES.require(
        !label.isBlank(),
        ds,
        "label",
        "the label is blank",
        "Say what the date is, such as \"flight date\"");
    return new LogicalDate(sql, label, new Declared(ds.path("sql"), ds.originOf("sql")));
  }

  private static String table(LakepipeConfig config, LakepipeConfig source, String key) {
    String table = source.string(key);
    Set<String> tables = config.keys("tables");
    RULES.require(
        tables.contains(table),
        source,
        key,
        "'" + table + "' is not declared in" + " lakepipe.tables",
        "Declare lakepipe.tables." + table + " = <path or URI>, or name" + " a declared table");
    return table;
  }

  private static List<DerivedColumn> bronzeColumns(
      LakepipeConfig source, StructType schema, Set<String> columns) {
    List<DerivedColumn> derived = new ArrayList<>();
    if (!source.has("bronze-columns")) {
      for (StructField field : schema.fields()) {
        derived.add(
            new DerivedColumn(
                field.name(),
                "`" + field.name() + "`",
                new Declared(source.path("schema"), source.originOf("schema"))));
      }
      return derived;
    }
    Set<String> names = new HashSet<>();
    List<LakepipeConfig> entries = source.sections("bronze-columns");
    if (entries.isEmpty()) {
      throw RULES.invalid(
          source,
          "bronze-columns",
          "the list is empty",
          "Declare the bronze columns," + " or remove the key to keep the schema's columns");
    }
    for (LakepipeConfig entry : entries) {
      RULES.requireKnownKeys(
          entry, Set.of("name", "sql"), "A bronze column is { name = ..., sql =" + " \"...\" }");
      RULES.requirePresent(entry, "name", "Name the bronze column");
      RULES.requirePresent(
          entry,
          "sql",
          "Give its value as Spark SQL over the row's columns, such as"
              + " CAST(date AS TIMESTAMP_NTZ)");
      String name = entry.string("name");
      RULES.require(
          name.matches("[A-Za-z][A-Za-z0-9_]*"),
          entry,
          "name",
          "'" + name + "' is no plain" + " column name",
          "Use letters, digits and _, such as flight_ts");
      RULES.require(
          !RESERVED.contains(lower(name)),
          entry,
          "name",
          "the ingest adds " + name + " itself",
          "Give the column another name; "
              + SqlText.list(new TreeSet<>(RESERVED))
              + " are reserved");
      RULES.require(
          names.add(lower(name)),
          entry,
          "name",
          "the column " + name + " is declared twice",
          "Declare each bronze column once");
      String sql =
          expression(
              entry,
              "sql",
              columns,
              "Write one Spark SQL expression over the"
                  + " row's columns, such as CAST(date AS TIMESTAMP_NTZ)");
      derived.add(
          new DerivedColumn(name, sql, new Declared(entry.path("sql"), entry.originOf("sql"))));
    }
    return derived;
  }

  /** An expression that parses and names only declared columns. */
  private static String expression(
      LakepipeConfig section, String key, Set<String> columns, String fix) {
    String sql = section.string(key);
    Expression parsed;
    try {
      parsed = SqlText.parse(sql);
    } catch (Exception e) {
      // ParseException is checked in Java's eyes, though Scala does not declare it.
      throw RULES.invalid(
          section, key, "'" + sql + "' does not parse as Spark SQL: " + SqlText.firstLine(e), fix);
    }
    for (String column : SqlText.columns(parsed)) {
      RULES.require(
          columns.contains(lower(column)),
          section,
          key,
          "'" + sql + "' names the column '" + column + "', which is not in the schema",
          "Use columns of the schema ("
              + SqlText.list(columns)
              + "), or quote a string literal with '...'");
    }
    return sql;
  }

  /** Spark resolves column names case-insensitively by default; so do these checks. */
  private static String lower(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}
