// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.config.LakepipeConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.spark.sql.catalyst.parser.CatalystSqlParser$;

/**
 * The features of a feature view: what the feature job computes, in which column order, with which
 * comment, and what a model takes as input. Row and history kinds come from the view's feature
 * section ({@code lakepipe.features} for flights), lookup attributes from its lookups. The job has
 * no feature list of its own.
 */
public record FeatureCatalog(
    List<RowFeature> row, List<Lookup> lookups, History history, Keys keys) {

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

  /**
   * The view's columns that are no features: the entity's id and timestamp (kept in the feature
   * table), its label (in the label table only), each with the comment of its column.
   */
  public record Keys(
      String id,
      String idComment,
      String timestamp,
      String timestampComment,
      String label,
      String dsComment) {}

  /** A feature computed from the entity's own row. */
  public record RowFeature(String name, FeatureType type, String expr, String description) {}

  /** A column of a lookup table, taken once per role of the lookup (e.g. both airports). */
  public record LookupColumn(String column, FeatureType type, String description) {}

  /** A column of the daily stats table: {@code sum(expr)} over a ds's entity rows of one key. */
  public record DailySum(String name, String expr) {}

  /** Whose rows a history feature summarises, e.g. the origin airport's departures. */
  public record Entity(String name, List<String> keys, String description) {}

  /** A statistic over a window's daily sums, e.g. {@code delay_minutes / flights}. */
  public record Statistic(String name, String expr, String description) {}

  public record History(
      List<DailySum> dailySums,
      List<Entity> entities,
      List<Integer> windowDays,
      List<Statistic> statistics) {}

  /** One column of the feature table as a model sees it. */
  public record Column(String name, FeatureType type, String comment) {}

  public FeatureCatalog {
    row = List.copyOf(row);
    lookups = List.copyOf(lookups);
    validate(row, lookups, history, keys);
  }

  /** The row and history kinds of a feature section, with the view's lookups and keys. */
  static FeatureCatalog of(LakepipeConfig config, List<Lookup> lookups, Keys keys) {
    List<RowFeature> row = new ArrayList<>();
    for (LakepipeConfig f : config.sections("row")) {
      String name = f.string("name");
      row.add(
          new RowFeature(
              name,
              FeatureType.parse(name, f.string("type")),
              f.string("expr"),
              f.string("description")));
    }
    List<DailySum> sums = new ArrayList<>();
    for (LakepipeConfig s : config.sections("history.daily-sums")) {
      sums.add(new DailySum(s.string("name"), s.string("expr")));
    }
    List<Entity> entities = new ArrayList<>();
    for (LakepipeConfig e : config.sections("history.entities")) {
      entities.add(new Entity(e.string("name"), e.strings("keys"), e.string("description")));
    }
    List<Statistic> statistics = new ArrayList<>();
    for (LakepipeConfig s : config.sections("history.statistics")) {
      statistics.add(new Statistic(s.string("name"), s.string("expr"), s.string("description")));
    }
    List<Integer> windows = config.integers("history.window-days");
    return new FeatureCatalog(
        row,
        lookups,
        new History(List.copyOf(sums), List.copyOf(entities), windows, List.copyOf(statistics)),
        keys);
  }

  /** Every feature column in table order: row, then lookup, then history features. */
  public List<Column> columns() {
    List<Column> columns = new ArrayList<>();
    for (RowFeature f : row) {
      columns.add(new Column(f.name(), f.type(), f.description()));
    }
    for (Lookup lookup : lookups) {
      for (Lookup.Role role : lookup.roles()) {
        for (LookupColumn c : lookup.columns()) {
          columns.add(
              new Column(role.column(c), c.type(), c.description() + " of " + role.description()));
        }
      }
    }
    for (Entity e : history.entities()) {
      for (int days : history.windowDays()) {
        for (Statistic s : history.statistics()) {
          columns.add(
              new Column(
                  historyColumn(e, s, days),
                  FeatureType.NUMERIC,
                  s.description()
                      + " of "
                      + e.description()
                      + " over the "
                      + days
                      + (days == 1 ? " day" : " days")
                      + " before the row's ds"));
        }
      }
    }
    return columns;
  }

  public static String historyColumn(Entity entity, Statistic statistic, int days) {
    return entity.name() + "_" + statistic.name() + "_" + days + "d";
  }

  public List<String> names() {
    return columns().stream().map(Column::name).toList();
  }

  /** Model inputs encoded as numbers. */
  public List<String> numericInputs() {
    return columns().stream()
        .filter(c -> c.type() == FeatureType.NUMERIC)
        .map(Column::name)
        .toList();
  }

  /** Model inputs encoded as categories. */
  public List<String> categoricalInputs() {
    return columns().stream()
        .filter(c -> c.type() == FeatureType.CATEGORICAL)
        .map(Column::name)
        .toList();
  }

  /** Comments of the feature table's columns, keys included. */
  public Map<String, String> featureComments() {
    Map<String, String> comments = new LinkedHashMap<>();
    comments.put(keys.id(), keys.idComment());
    comments.put(keys.timestamp(), keys.timestampComment());
    columns().forEach(c -> comments.put(c.name(), c.comment()));
    comments.put("ds", keys.dsComment());
    return comments;
  }

  /** The window length in days of each history feature, by column name. */
  public Map<String, Integer> historyWindows() {
    Map<String, Integer> windows = new LinkedHashMap<>();
    for (Entity entity : history.entities()) {
      for (Statistic statistic : history.statistics()) {
        for (int days : history.windowDays()) {
          windows.put(historyColumn(entity, statistic, days), days);
        }
      }
    }
    return windows;
  }

  /** Days of daily stats a day's history features read: the longest window. */
  public int maxWindowDays() {
    return history.windowDays().stream().mapToInt(Integer::intValue).max().orElse(0);
  }

  /**
   * A hash of what the daily stats table holds per day (sums and entity keys, and the threshold
   * they may use): stats written under another definition are recomputed rather than mixed.
   */
  public String dailyStatsDefinition() {
    StringBuilder text = new StringBuilder();
    history
        .dailySums()
        .forEach(
            s -> text.append("sum ").append(s.name()).append('=').append(s.expr()).append('\n'));
    history
        .entities()
        .forEach(
            e -> text.append("entity ").append(e.name()).append('=').append(e.keys()).append('\n'));
    return sha256(text.toString());
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void validate(
      List<RowFeature> row, List<Lookup> lookups, History history, Keys keys) {
    Set<String> seen = new HashSet<>(List.of(keys.id(), keys.timestamp(), keys.label(), "ds"));
    for (RowFeature f : row) {
      requireName(f.name(), seen);
    }
    for (Lookup lookup : lookups) {
      for (Lookup.Role role : lookup.roles()) {
        lookup.columns().forEach(c -> requireName(role.column(c), seen));
      }
    }
    Set<String> sums = new HashSet<>();
    for (DailySum s : history.dailySums()) {
      requireName(s.name(), sums);
    }
    if (!history.entities().isEmpty()
        && (history.dailySums().isEmpty()
            || history.windowDays().isEmpty()
            || history.statistics().isEmpty())) {
      throw LakepipeErrors.featureDefinitionInvalid(
          "history",
          "entities need daily-sums, window-days and statistics (or declare no entities)",
          null);
    }
    for (Entity e : history.entities()) {
      if (e.keys().isEmpty()) {
        throw LakepipeErrors.featureDefinitionInvalid(e.name(), "the entity has no keys", null);
      }
    }
    for (int days : history.windowDays()) {
      if (days < 1) {
        throw LakepipeErrors.featureDefinitionInvalid(
            "window " + days, "windows are whole days, 1 or more", null);
      }
    }
    for (Entity e : history.entities()) {
      for (int days : history.windowDays()) {
        for (Statistic s : history.statistics()) {
          requireName(historyColumn(e, s, days), seen);
        }
      }
    }
    // Parsed here, before Spark starts, so that a typo fails at once with the feature's name.
    for (RowFeature f : row) {
      requireExpression(f.name(), f.expr());
    }
    for (DailySum s : history.dailySums()) {
      requireExpression(s.name(), s.expr());
    }
    for (Entity e : history.entities()) {
      for (String key : e.keys()) {
        requireExpression(e.name(), key);
      }
    }
    for (Statistic s : history.statistics()) {
      requireExpression(s.name(), s.expr());
    }
  }

  static void requireExpression(String name, String expression) {
    try {
      CatalystSqlParser$.MODULE$.parseExpression(expression);
    } catch (Exception e) { // ParseException, which Scala does not declare
      throw LakepipeErrors.featureDefinitionInvalid(
          name,
          "its expression '"
              + expression
              + "' does not parse as Spark SQL ("
              + e.getMessage()
                  .lines()
                  .map(String::strip)
                  .filter(line -> !line.isEmpty())
                  .findFirst()
                  .orElse("")
              + ")",
          e);
    }
  }

  private static void requireName(String name, Set<String> seen) {
    if (!NAME.matcher(name).matches()) {
      throw LakepipeErrors.featureDefinitionInvalid(
          name,
          "names are lower-case letters, digits and underscores, starting with a letter",
          null);
    }
    if (!seen.add(name)) {
      throw LakepipeErrors.featureDefinitionInvalid(name, "the name is used twice", null);
    }
  }
}
