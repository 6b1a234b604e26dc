// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.quality;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.config.DeclarationRules;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.ingest.quality.DeclaredConstraint.Complete;
import io.lakepipe.ingest.quality.DeclaredConstraint.Condition;
import io.lakepipe.ingest.quality.DeclaredConstraint.Declared;
import io.lakepipe.ingest.quality.DeclaredConstraint.MinAbove;
import io.lakepipe.ingest.quality.DeclaredConstraint.PatternMatch;
import io.lakepipe.ingest.quality.DeclaredConstraint.Range;
import io.lakepipe.ingest.quality.DeclaredConstraint.RowCount;
import io.lakepipe.ingest.quality.DeclaredConstraint.Unique;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;
import org.apache.spark.sql.catalyst.parser.CatalystSqlParser$;

/**
 * Reads {@code lakepipe.checks.<table>} and validates it without Spark: the table and the results
 * table are declared in {@code lakepipe.tables}, every constraint has a known kind, its keys and no
 * others, sensible values, a regex that compiles and SQL that parses. Each mistake is one line
 * naming the key, the file and line that declared it, and the fix. Whether the columns exist is
 * known only from the table's schema: {@link CheckDeclaration#requireColumnsOf}.
 */
public final class CheckDeclarationReader {
  private static final DeclarationRules RULES =
      new DeclarationRules(LakepipeErrors::checkDeclarationInvalid);
  private static final String CHECKS = "checks";
  private static final Set<String> CHECK_KEYS = Set.of("results-table", "constraints");
  private static final String HINT = "hint";

  private CheckDeclarationReader() {}

  /** The kinds of constraint, the keys each requires and allows, and how each is read. */
  private enum Kind {
    ROW_COUNT(
        "row-count",
        List.of("min"),
        List.of("max"),
        (c, at) -> {
          long min = c.longValue("min");
          long max = c.has("max") ? c.longValue("max") : RowCount.UNBOUNDED;
          RULES.require(
              min >= 0, c, "min", "min " + min + " is negative", "Give the fewest rows, 0 or more");
          RULES.require(
              max >= min, c, "max", "max " + max + " is below min " + min, "Give min <= max");
          return new RowCount(at, min, max, hint(c));
        }),
    COMPLETE(
        "complete",
        List.of("columns"),
        List.of(),
        (c, at) -> new Complete(at, columns(c), hint(c))),
    UNIQUE("unique", List.of("columns"), List.of(), (c, at) -> new Unique(at, columns(c), hint(c))),
    RANGE(
        "range",
        List.of("column", "min", "max"),
        List.of(),
        (c, at) -> {
          double min = c.number("min");
          double max = c.number("max");
          RULES.require(
              min <= max, c, "max", "max " + max + " is below min " + min, "Give min <= max");
          return new Range(at, column(c), min, max, hint(c));
        }),
    MIN_ABOVE(
        "min-above",
        List.of("column", "value"),
        List.of(),
        (c, at) -> new MinAbove(at, column(c), c.number("value"), hint(c))),
    PATTERN(
        "pattern",
        List.of("column", "regex"),
        List.of("name", "min-share"),
        (c, at) ->
            new PatternMatch(
                at,
                column(c),
                regex(c),
                c.has("name") ? c.string("name") : null,
                minShare(c),
                hint(c))),
    CONDITION(
        "condition",
        List.of("name", "sql"),
        List.of("min-share"),
        (c, at) -> new Condition(at, c.string("name"), sql(c), minShare(c), hint(c)));

    final String name;
    final List<String> required;
    final List<String> optional;
    final BiFunction<LakepipeConfig, Declared, DeclaredConstraint> reader;

    Kind(
        String name,
        List<String> required,
        List<String> optional,
        BiFunction<LakepipeConfig, Declared, DeclaredConstraint> reader) {
      this.name = name;
      this.required = required;
      this.optional = optional;
      this.reader = reader;
    }

    List<String> allowed() {
      List<String> keys = new ArrayList<>(List.of("kind"));
      keys.addAll(required);
      keys.addAll(optional);
      keys.add(HINT);
      return keys;
    }

    static String names() {
      return Arrays.stream(values()).map(k -> k.name).collect(Collectors.joining(", "));
    }
  }

  /**
   * The declaration of {@code table} (check-table's {@code --table}), or a {@link
   * LakepipeException} naming the first mistake in it.
   */
  public static CheckDeclaration read(LakepipeConfig config, String table) {
    Set<String> declared = config.keys(CHECKS);
    if (!declared.contains(table)) {
      throw LakepipeErrors.checkDeclarationInvalid(
          config.path(CHECKS + "." + table),
          config.origin(),
          "no checks are declared for table '" + table + "'",
          "Pass --table with a table that has checks ("
              + String.join(", ", declared)
              + "), or declare "
              + config.path(CHECKS + "." + table)
              + " in the config");
    }
    LakepipeConfig checks = config.section(CHECKS);
    LakepipeConfig check = checks.section(table);
    Declared at = new Declared(checks.path(table), checks.originOf(table));
    RULES.requireKnownKeys(
        check, CHECK_KEYS, "A check declares only results-table and constraints");
    Set<String> tables = config.keys("tables");
    if (!tables.contains(table)) {
      throw LakepipeErrors.checkDeclarationInvalid(
          at.key(),
          at.origin(),
          "the checked table '" + table + "' is not declared in lakepipe.tables",
          "Declare lakepipe.tables."
              + table
              + " = <path or URI>, or declare the checks under one"
              + " of the tables ("
              + String.join(", ", tables)
              + ")");
    }
    String results = resultsTable(config, check, table, tables);
    RULES.requirePresent(
        check,
        "constraints",
        "List the constraints, e.g. constraints = [{ kind =" + " row-count, min = 1 }]");
    List<LakepipeConfig> entries = check.sections("constraints");
    if (entries.isEmpty()) {
      throw LakepipeErrors.checkDeclarationInvalid(
          check.path("constraints"),
          check.originOf("constraints"),
          "the list is empty",
          "Declare at least one constraint, or remove the check");
    }
    List<DeclaredConstraint> constraints = new ArrayList<>();
    for (LakepipeConfig entry : entries) {
      constraints.add(constraint(entry));
    }
    return new CheckDeclaration(table, results, at, constraints);
  }

  private static String resultsTable(
      LakepipeConfig config, LakepipeConfig check, String table, Set<String> tables) {
    RULES.requirePresent(
        check,
        "results-table",
        "Name the table the results go to, a key of" + " lakepipe.tables such as quality-" + table);
    String results = check.string("results-table");
    if (!tables.contains(results)) {
      throw RULES.invalid(
          check,
          "results-table",
          "'" + results + "' is not declared in lakepipe.tables",
          "Declare lakepipe.tables." + results + " = <path or URI>, or name a declared table");
    }
    if (results.equals(table)) {
      throw RULES.invalid(
          check,
          "results-table",
          "the results would replace the checked table's own ds",
          "Give the results a table of their own");
    }
    for (String other : config.keys(CHECKS)) {
      String key = CHECKS + "." + other + ".results-table";
      if (!other.equals(table) && config.has(key) && config.string(key).equals(results)) {
        throw RULES.invalid(
            check,
            "results-table",
            "'"
                + results
                + "' is also the results table of "
                + config.path(CHECKS + "." + other)
                + ", and each run replaces the table's ds",
            "Give each check a results table of its own");
      }
    }
    return results;
  }

  private static DeclaredConstraint constraint(LakepipeConfig entry) {
    Declared at = new Declared(entry.path(), entry.originOf("kind"));
    RULES.requirePresent(entry, "kind", "Add kind = one of " + Kind.names());
    String name = entry.string("kind");
    Kind kind =
        Arrays.stream(Kind.values())
            .filter(k -> k.name.equals(name))
            .findFirst()
            .orElseThrow(
                () ->
                    RULES.invalid(
                        entry,
                        "kind",
                        "unknown kind '" + name + "'",
                        "Use one of " + Kind.names()));
    RULES.requireKnownKeys(
        entry,
        Set.copyOf(kind.allowed()),
        "A " + kind.name + " constraint takes " + String.join(", ", kind.allowed()));
    for (String key : kind.required) {
      RULES.requirePresent(
          entry, key, "A " + kind.name + " constraint needs " + String.join(", ", kind.required));
    }
    return kind.reader.apply(entry, at);
  }

  private static List<String> columns(LakepipeConfig c) {
    List<String> columns = c.strings("columns");
    RULES.require(
        !columns.isEmpty() && columns.stream().noneMatch(String::isBlank),
        c,
        "columns",
        "the list must name at least one column, none blank",
        "List the columns by name");
    return columns;
  }

  private static String column(LakepipeConfig c) {
    String column = c.string("column");
    RULES.require(!column.isBlank(), c, "column", "the column name is blank", "Name a column");
    return column;
  }

  private static String regex(LakepipeConfig c) {
    String regex = c.string("regex");
    try {
      Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw RULES.invalid(
          c,
          "regex",
          "'" + regex + "' is no regular expression: " + e.getDescription(),
          "Write a Java regular expression, such as \"^[A-Z]{3}$\"");
    }
    return regex;
  }

  private static String sql(LakepipeConfig c) {
    String sql = c.string("sql");
    try {
      // Spark's own SQL parser, which needs no session: the job stops before Spark starts.
      CatalystSqlParser$.MODULE$.parseExpression(sql);
    } catch (Exception e) {
      // ParseException is checked in Java's eyes, though Scala does not declare it.
      throw RULES.invalid(
          c,
          "sql",
          "'" + sql + "' does not parse as Spark SQL: " + firstLine(e),
          "Write one boolean Spark SQL expression over a row's columns, such as distance > 0");
    }
    return sql;
  }

  private static double minShare(LakepipeConfig c) {
    double share = c.has("min-share") ? c.number("min-share") : 1.0;
    RULES.require(
        share >= 0 && share <= 1,
        c,
        "min-share",
        "the share " + share + " is not in 0..1",
        "Give the share of rows that must pass, 1.0 for every row");
    return share;
  }

  private static String hint(LakepipeConfig c) {
    return c.has(HINT) ? c.string(HINT) : null;
  }

  /** The first non-blank line of an exception's message: Spark's go on with the SQL and a caret. */
  static String firstLine(Exception e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    return message
        .lines()
        .map(String::strip)
        .filter(line -> !line.isEmpty())
        .findFirst()
        .orElse(e.toString());
  }
}
