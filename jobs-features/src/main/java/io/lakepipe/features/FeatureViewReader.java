// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.features.FeatureCatalog.Keys;
import io.lakepipe.features.FeatureCatalog.LookupColumn;
import io.lakepipe.features.FeatureCatalog.RowFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a view of {@code lakepipe.views} and checks it without Spark: its tables are declared, its
 * expressions parse, and no feature reads the label or a never-feature column. Each mistake is one
 * line naming the key, the file and line that set it, and the fix.
 */
public final class FeatureViewReader {
  static final String VIEWS = "views";
  private static final Set<String> VIEW_KEYS =
      Set.of("entity", "label", "never-features", "features", "lookups", "tables", "feature-gate");

  private FeatureViewReader() {}

  /** The view {@code lakepipe.views.<name>}, validated. */
  public static FeatureView read(LakepipeConfig config, String name) {
    Set<String> declared = config.has(VIEWS) ? config.keys(VIEWS) : Set.of();
    if (!declared.contains(name)) {
      throw LakepipeErrors.viewDeclarationInvalid(
          "lakepipe.views." + name,
          config.origin(),
          "no view '" + name + "' is declared",
          "Declare it under lakepipe.views, or name one of " + String.join(", ", declared));
    }
    LakepipeConfig view = config.section(VIEWS + "." + name);
    for (String key : view.keys()) {
      if (!VIEW_KEYS.contains(key)) {
        throw invalid(
            view,
            key,
            "'" + key + "' is no key of a view",
            "Remove it, or use one of " + String.join(", ", new TreeSet<>(VIEW_KEYS)));
      }
    }
    Set<String> tables = config.keys("tables");
    String entityTable = table(view, "entity.table", tables);
    String idExpr = expression(view, "entity.id.expr");
    Map<String, String> labelColumns = new LinkedHashMap<>();
    for (LakepipeConfig column : view.sections("label.columns")) {
      labelColumns.put(column.string("name"), column.string("description"));
    }
    FeatureView.Label label =
        new FeatureView.Label(
            view.string("label.name"),
            expression(view, "label.expr"),
            view.string("label.description"),
            labelColumns);
    Keys keys =
        new Keys(
            view.string("entity.id.name"),
            view.string("entity.id.description"),
            view.string("entity.timestamp.column"),
            view.string("entity.timestamp.description"),
            label.name(),
            view.string("entity.ds-description"));

    LakepipeConfig features;
    if (view.isSection("features")) {
      features = view.section("features");
    } else {
      String featuresKey = view.string("features");
      if (!config.has(featuresKey)) {
        throw invalid(
            view,
            "features",
            "lakepipe." + featuresKey + " is not declared",
            "Name the key under lakepipe that holds the view's feature kinds, such as features,"
                + " or declare the kinds here as { row = [...], history { ... } }");
      }
      features = config.section(featuresKey);
    }
    List<Lookup> lookups = new ArrayList<>();
    for (LakepipeConfig lookup : view.sections("lookups")) {
      lookups.add(lookup(lookup, features, tables));
    }
    FeatureCatalog catalog = FeatureCatalog.of(features, lookups, keys);
    List<String> neverFeatures = view.strings("never-features");
    requireNoLeak(view, features, catalog, label, neverFeatures);
    FeatureView.Tables written =
        new FeatureView.Tables(
            table(view, "tables.features", tables),
            table(view, "tables.labels", tables),
            table(view, "tables.daily-stats", tables),
            table(view, "tables.feature-quality", tables));
    return new FeatureView(name, entityTable, idExpr, label, neverFeatures, catalog, written);
  }

  private static Lookup lookup(LakepipeConfig lookup, LakepipeConfig features, Set<String> tables) {
    String table = table(lookup, "table", tables);
    String columnsKey = lookup.string("features");
    if (!features.has(columnsKey)) {
      throw invalid(
          lookup,
          "features",
          features.path(columnsKey) + " is not declared",
          "Name a list of { column, type, description } under " + features.path());
    }
    List<LookupColumn> columns = new ArrayList<>();
    for (LakepipeConfig c : features.sections(columnsKey)) {
      String column = c.string("column");
      columns.add(
          new LookupColumn(
              column, FeatureType.parse(column, c.string("type")), c.string("description")));
    }
    String key = lookup.has("key") ? lookup.string("key") : null;
    if (key == null && !lookup.has("valid-from")) {
      throw invalid(
          lookup,
          "key",
          "a lookup without key and without valid-from matches no row",
          "Give key (the column matched to the entity's), or valid-from for a table of one series"
              + " taken as of the entity's time");
    }
    List<Lookup.Role> roles = new ArrayList<>();
    for (LakepipeConfig r : lookup.sections("roles")) {
      roles.add(
          new Lookup.Role(
              key == null ? null : r.string("on"), r.string("prefix"), r.string("description")));
    }
    if (roles.isEmpty()) {
      throw invalid(
          lookup,
          "roles",
          "the lookup has no roles",
          "Give at least one { on, prefix, description }: on is the entity column holding the key");
    }
    return new Lookup(
        table, key, lookup.has("valid-from") ? lookup.string("valid-from") : null, roles, columns);
  }

  /** A label leak: a feature expression reading the label or a column it is computed from. */
  private static void requireNoLeak(
      LakepipeConfig view,
      LakepipeConfig features,
      FeatureCatalog catalog,
      FeatureView.Label label,
      List<String> neverFeatures) {
    Set<String> hidden = new LinkedHashSet<>();
    hidden.add(label.name().toLowerCase(Locale.ROOT));
    label.columns().keySet().forEach(c -> hidden.add(c.toLowerCase(Locale.ROOT)));
    neverFeatures.forEach(c -> hidden.add(c.toLowerCase(Locale.ROOT)));
    List<RowFeature> row = catalog.row();
    for (int i = 0; i < row.size(); i++) {
      for (String column : SqlReferences.columns(row.get(i).expr())) {
        if (hidden.contains(column)) {
          throw LakepipeErrors.viewDeclarationInvalid(
              features.path("row[" + i + "].expr"),
              features.originOf("row"),
              "label leak: feature '"
                  + row.get(i).name()
                  + "' reads "
                  + column
                  + ", which view "
                  + view.path()
                  + " never exposes as a"
                  + " feature (its label "
                  + label.name()
                  + " or never-features "
                  + neverFeatures
                  + ")",
              "Compute the feature without "
                  + column
                  + ", or remove "
                  + column
                  + " from "
                  + view.path("never-features")
                  + " if it is known before the label");
        }
      }
    }
  }

  private static String table(LakepipeConfig section, String key, Set<String> tables) {
    String table = section.string(key);
    if (!tables.contains(table)) {
      throw invalid(
          section,
          key,
          "'" + table + "' is not declared in lakepipe.tables",
          "Declare lakepipe.tables."
              + table
              + " = <path or URI>, or name one of "
              + String.join(", ", tables));
    }
    return table;
  }

  private static String expression(LakepipeConfig view, String key) {
    String expr = view.string(key);
    try {
      SqlReferences.columns(expr);
    } catch (Exception e) { // ParseException, which Scala does not declare
      throw invalid(
          view,
          key,
          "'"
              + expr
              + "' does not parse as Spark SQL ("
              + e.getMessage()
                  .lines()
                  .map(String::strip)
                  .filter(l -> !l.isEmpty())
                  .findFirst()
                  .orElse("")
              + ")",
          "Write it as a Spark SQL expression over the entity's columns");
    }
    return expr;
  }

  private static RuntimeException invalid(
      LakepipeConfig section, String key, String problem, String fix) {
    return LakepipeErrors.viewDeclarationInvalid(
        section.path(key), section.originOf(key), problem, fix);
  }
}
