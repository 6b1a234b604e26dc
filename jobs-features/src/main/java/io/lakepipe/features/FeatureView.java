// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * A feature view as declared in {@code lakepipe.views.<name>}: the entity rows a feature job reads,
 * their id, time and label, the columns that must never become features, and the features with the
 * lookups they need. {@link FeatureViewReader} builds it, validated, before Spark starts.
 *
 * @param entityTable the key of {@code lakepipe.tables} holding the entity rows, one partition per
 *     ds
 * @param idExpr Spark SQL over an entity row giving its key, named {@code catalog.keys().id()}
 * @param label the label, computed from the entity row into the label table only
 * @param neverFeatures entity columns dropped before any feature is computed (the label's sources)
 * @param tables the keys of {@code lakepipe.tables} the view writes
 */
public record FeatureView(
    String name,
    String entityTable,
    String idExpr,
    Label label,
    List<String> neverFeatures,
    FeatureCatalog catalog,
    Tables tables) {

  /** The label: its column, expression and comment, and the entity columns kept beside it. */
  public record Label(String name, String expr, String description, Map<String, String> columns) {}

  /**
   * What the view writes: features (no label), labels (no feature), the history's daily stats, and
   * check-features' metrics of the features.
   */
  public record Tables(String features, String labels, String dailyStats, String featureQuality) {}

  public FeatureView {
    neverFeatures = List.copyOf(neverFeatures);
  }

  /** The id column's name. */
  public String id() {
    return catalog.keys().id();
  }

  /** The timestamp column's name. */
  public String timestamp() {
    return catalog.keys().timestamp();
  }

  /**
   * The entity columns the view reads by name (the expressions' columns are checked when they are
   * bound): the timestamp, the label's columns, the never-features and the lookups' role columns.
   */
  List<String> entityColumns() {
    LinkedHashSet<String> columns = new LinkedHashSet<>();
    columns.add(timestamp());
    columns.addAll(SqlReferences.columns(idExpr));
    columns.addAll(label.columns().keySet());
    columns.addAll(neverFeatures);
    catalog.lookups().stream()
        .filter(Lookup::keyed)
        .forEach(l -> l.roles().forEach(r -> columns.add(r.on())));
    return new ArrayList<>(columns);
  }
}
