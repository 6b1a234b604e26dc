// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features.quality;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Per-feature data-quality metrics of one logical date against a reference (the previous days of
 * the same table). Pure: reads only the Datasets it is given and writes nothing.
 *
 * <p>Feature columns are every column but {@code ds} and lineage columns starting with {@code _}
 * (the caller drops the entity's id and time): numeric types are numeric features, strings and
 * booleans categorical ones. NaN in a float or double column counts as null: it is a missing value
 * (a mean over nothing), so the null-share gate sees it, and it would otherwise make min, max and
 * mean NaN.
 *
 * <p>The population stability index is {@code sum((p_day - p_ref) * ln(p_day / p_ref))} over
 * buckets, each share floored at {@link #SHARE_FLOOR} so that a bucket empty on one side adds a
 * large but finite term. Numeric buckets are right-closed intervals between the reference's
 * quantiles at {@code 1/bins .. (bins-1)/bins} (equal quantiles collapse into one edge, so a column
 * of a single value has two buckets), plus a null bucket. Categorical buckets are the reference's
 * values, one {@code other} bucket for values the reference never saw, plus a null bucket.
 *
 * <p>Whatever the number of columns, {@link #compute} runs three aggregations, each one Spark
 * action: the day's counts, the reference's count and quantiles, and the bucket counts of both
 * sides together.
 */
public final class FeatureMetrics {
  /** Columns of the features table that are keys, not features. */
  public static final Set<String> KEY_COLUMNS = Set.of("ds");

  /** The floor of a bucket share in the PSI sum. */
  public static final double SHARE_FLOOR = 1e-4;

  /**
   * Accuracy of {@code percentile_approx} for the bin edges (relative error 1/accuracy). Fixed, so
   * that a rerun on the same table version computes the same edges and the same PSI.
   */
  public static final int QUANTILE_ACCURACY = 10_000;

  private static final String SIDE = "_is_day";
  private static final String CELL = "_cell";

  private FeatureMetrics() {}

  /** A feature column and its kind, {@link FeatureMetric#NUMERIC} or {@code CATEGORICAL}. */
  public record Feature(String name, String kind, DataType type) {
    boolean numeric() {
      return FeatureMetric.NUMERIC.equals(kind);
    }
  }

  /** The feature columns of a features table schema, in column order. */
  public static List<Feature> features(StructType schema) {
    List<Feature> features = new ArrayList<>();
    for (StructField field : schema.fields()) {
      String name = field.name();
      if (KEY_COLUMNS.contains(name) || name.startsWith("_")) {
        continue;
      }
      DataType type = field.dataType();
      if (type instanceof NumericType) {
        features.add(new Feature(name, FeatureMetric.NUMERIC, type));
      } else if (type instanceof StringType || type instanceof BooleanType) {
        features.add(new Feature(name, FeatureMetric.CATEGORICAL, type));
      } else {
        throw new IllegalArgumentException(
            "Feature column "
                + name
                + " has type "
                + type.simpleString()
                + ": the feature checks measure numeric, string and boolean"
                + " columns only; a name starting with _ leaves a column out of the checks");
      }
    }
    return features;
  }

  /**
   * One metrics row per feature column of {@code day}, in column order. {@code reference} may be
   * empty (then every PSI is null); a feature the reference lacks gets a null PSI too.
   *
   * @param bins numeric PSI bins: edges at the reference's quantiles 1/bins .. (bins-1)/bins
   */
  public static List<FeatureMetric> compute(Dataset<Row> day, Dataset<Row> reference, int bins) {
    if (bins < 2) {
      throw new IllegalArgumentException("PSI needs at least 2 bins, got " + bins);
    }
    List<Feature> features = features(day.schema());
    Set<String> inReference = Set.of(reference.columns());

    Row dayStats = day.agg(count(lit(1)), dayAggregates(features)).head();
    long rows = dayStats.getLong(0);

    List<Column> referenceAggs = new ArrayList<>();
    for (Feature feature : features) {
      if (feature.numeric() && inReference.contains(feature.name())) {
        referenceAggs.add(
            percentile_approx(value(feature), quantiles(bins), lit(QUANTILE_ACCURACY)));
      }
    }
    Row referenceStats = reference.agg(count(lit(1)), referenceAggs.toArray(Column[]::new)).head();
    long referenceRows = referenceStats.getLong(0);

    Map<String, double[]> edges = new HashMap<>();
    int next = 1;
    for (Feature feature : features) {
      if (feature.numeric() && inReference.contains(feature.name())) {
        edges.put(feature.name(), distinctSorted(referenceStats.getList(next++)));
      }
    }

    List<Feature> compared = features.stream().filter(f -> inReference.contains(f.name())).toList();
    Map<Boolean, Map<String, Map<String, Long>>> buckets =
        rows > 0 && referenceRows > 0 ? bucketCounts(day, reference, compared, edges) : Map.of();

    List<FeatureMetric> metrics = new ArrayList<>();
    int column = 1;
    for (Feature feature : features) {
      long nonNull = dayStats.getLong(column++);
      long nulls = rows - nonNull;
      Double lowest = null;
      Double highest = null;
      Double mean = null;
      Long distinct = null;
      if (feature.numeric()) {
        lowest = nullableDouble(dayStats, column++);
        highest = nullableDouble(dayStats, column++);
        mean = nullableDouble(dayStats, column++);
      } else {
        distinct = dayStats.getLong(column++);
      }
      Double psi = null;
      if (!buckets.isEmpty() && inReference.contains(feature.name())) {
        psi =
            psi(
                buckets.get(true).getOrDefault(feature.name(), new HashMap<>()),
                buckets.get(false).getOrDefault(feature.name(), new HashMap<>()),
                rows,
                referenceRows,
                !feature.numeric());
      }
      metrics.add(
          new FeatureMetric(
              feature.name(),
              feature.kind(),
              rows,
              nulls,
              rows == 0 ? null : (double) nulls / rows,
              lowest,
              highest,
              mean,
              distinct,
              referenceRows,
              psi));
    }
    return metrics;
  }

  /**
   * The PSI of two bucket count maps (a null key is the null bucket). With {@code poolUnseen}, day
   * buckets the reference lacks are pooled into one "other" bucket (categories); otherwise each is
   * its own bucket (numeric bins, where only the top bin can be empty in the reference).
   */
  static double psi(
      Map<String, Long> day,
      Map<String, Long> reference,
      long dayRows,
      long referenceRows,
      boolean poolUnseen) {
    double psi = 0;
    long unseen = 0;
    // Sorted, so that the floating-point sum is the same on every run.
    Set<String> keys = new TreeSet<>(Comparator.nullsFirst(Comparator.<String>naturalOrder()));
    keys.addAll(reference.keySet());
    for (Map.Entry<String, Long> entry : day.entrySet()) {
      boolean seen = reference.containsKey(entry.getKey());
      if (poolUnseen && !seen && entry.getKey() != null) {
        unseen += entry.getValue();
      } else {
        keys.add(entry.getKey());
      }
    }
    for (String key : keys) {
      psi +=
          term(day.getOrDefault(key, 0L), dayRows, reference.getOrDefault(key, 0L), referenceRows);
    }
    return psi + term(unseen, dayRows, 0, referenceRows);
  }

  private static double term(long dayCount, long dayRows, long referenceCount, long referenceRows) {
    double pDay = Math.max((double) dayCount / dayRows, SHARE_FLOOR);
    double pReference = Math.max((double) referenceCount / referenceRows, SHARE_FLOOR);
    return (pDay - pReference) * Math.log(pDay / pReference);
  }

  /**
   * Per feature: non-null count, then min, max, mean (numeric) or distinct values (categorical).
   */
  private static Column[] dayAggregates(List<Feature> features) {
    List<Column> aggs = new ArrayList<>();
    for (Feature feature : features) {
      Column value = value(feature);
      aggs.add(count(value));
      if (feature.numeric()) {
        aggs.add(min(value));
        aggs.add(max(value));
        aggs.add(avg(value));
      } else {
        aggs.add(countDistinct(value));
      }
    }
    return aggs.toArray(Column[]::new);
  }

  /**
   * Bucket counts of every compared feature on both sides, in one aggregation: each row becomes one
   * (feature, bucket) cell per feature, counted by side. Returns side -> feature -> bucket -> rows
   * (the null key is the null bucket).
   */
  private static Map<Boolean, Map<String, Map<String, Long>>> bucketCounts(
      Dataset<Row> day,
      Dataset<Row> reference,
      List<Feature> features,
      Map<String, double[]> edges) {
    Map<Boolean, Map<String, Map<String, Long>>> counts = new HashMap<>();
    counts.put(true, new HashMap<>());
    counts.put(false, new HashMap<>());
    if (features.isEmpty()) {
      return counts;
    }
    List<Column> cells = new ArrayList<>();
    for (Feature feature : features) {
      Column bucket =
          feature.numeric()
              ? numericBucket(value(feature), edges.get(feature.name()))
              : value(feature);
      cells.add(struct(lit(feature.name()).as("feature"), bucket.as("bucket")));
    }
    Column exploded = explode(array(cells.toArray(Column[]::new))).as(CELL);
    Dataset<Row> both =
        day.select(lit(true).as(SIDE), exploded)
            .unionByName(reference.select(lit(false).as(SIDE), exploded));
    for (Row row :
        both.groupBy(
                functions.col(SIDE),
                functions.col(CELL + ".feature"),
                functions.col(CELL + ".bucket"))
            .count()
            .collectAsList()) {
      counts
          .get(row.getBoolean(0))
          .computeIfAbsent(row.getString(1), k -> new HashMap<>())
          .put(row.isNullAt(2) ? null : row.getString(2), row.getLong(3));
    }
    return counts;
  }

  /**
   * The index of the right-closed bin {@code (edge[i-1], edge[i]]} a value falls in, as a string.
   */
  private static Column numericBucket(Column value, double[] edges) {
    Column bucket = when(value.isNull(), lit(null).cast(DataTypes.StringType));
    for (int i = 0; i < edges.length; i++) {
      bucket = bucket.when(value.leq(lit(edges[i])), lit(Integer.toString(i)));
    }
    return bucket.otherwise(lit(Integer.toString(edges.length)));
  }

  /** The feature's value as measured: doubles with NaN as null, or strings. */
  private static Column value(Feature feature) {
    Column column = functions.col("`" + feature.name().replace("`", "``") + "`");
    if (!feature.numeric()) {
      return column.cast(DataTypes.StringType);
    }
    if (feature.type() instanceof DoubleType || feature.type() instanceof FloatType) {
      column = when(isnan(column), lit(null)).otherwise(column);
    }
    return column.cast(DataTypes.DoubleType);
  }

  private static Column quantiles(int bins) {
    Column[] probabilities = new Column[bins - 1];
    for (int i = 1; i < bins; i++) {
      probabilities[i - 1] = lit((double) i / bins);
    }
    return array(probabilities);
  }

  private static double[] distinctSorted(List<Object> quantiles) {
    if (quantiles == null) {
      return new double[0];
    }
    TreeSet<Double> edges = new TreeSet<>();
    for (Object quantile : quantiles) {
      if (quantile != null) {
        edges.add(((Number) quantile).doubleValue());
      }
    }
    return edges.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static Double nullableDouble(Row row, int index) {
    return row.isNullAt(index) ? null : ((Number) row.get(index)).doubleValue();
  }
}
