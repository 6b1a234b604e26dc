// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features.quality;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import io.lakepipe.core.spark.DriverThreads;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.api.java.function.FlatMapFunction;
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
 * large but finite term. Numeric buckets are right-closed intervals between edges near the
 * reference's quantiles at {@code 1/bins .. (bins-1)/bins} (see {@link #binEdges}), plus a null
 * bucket. Categorical buckets are the reference's values, one {@code other} bucket for values the
 * reference never saw, plus a null bucket.
 *
 * <p>Whatever the number of columns, {@link #compute} runs four Spark actions: the day's counts,
 * the reference's count and quantiles, the numeric bucket counts of both sides together (one pass
 * that counts into arrays), and the categorical bucket counts.
 */
public final class FeatureMetrics {
  /** Columns of the features table that are keys, not features. */
  public static final Set<String> KEY_COLUMNS = Set.of("ds");

  /** The floor of a bucket share in the PSI sum. */
  public static final double SHARE_FLOOR = 1e-4;

  /**
   * Accuracy of {@code percentile_approx} for the bin edges (relative error 1/accuracy, a fifth of
   * the quantiles' spacing; 10,000 took 2.1 instead of 1.4 s on a 7-day reference of the flights).
   * Fixed, so that a rerun on the same table version computes the same edges and the same PSI.
   */
  public static final int QUANTILE_ACCURACY = 1_000;

  /**
   * Reference quantiles computed per bin: an edge is chosen among the {@code QUANTILES_PER_BIN}
   * quantiles around its nominal one, at the widest gap between two of them.
   */
  static final int QUANTILES_PER_BIN = 20;

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

    List<Column> referenceAggs = new ArrayList<>();
    for (Feature feature : features) {
      if (feature.numeric() && inReference.contains(feature.name())) {
        referenceAggs.add(
            percentile_approx(
                value(feature), quantiles(bins * QUANTILES_PER_BIN), lit(QUANTILE_ACCURACY)));
      }
    }
    // The day's statistics and the reference's quantiles at once, as later the two kinds of bins.
    DriverThreads.Both<Row, Row> stats =
        DriverThreads.both(
            "lakepipe-feature-metrics",
            () -> day.agg(count(lit(1)), dayAggregates(features)).head(),
            () -> reference.agg(count(lit(1)), referenceAggs.toArray(Column[]::new)).head());
    Row dayStats = stats.first();
    Row referenceStats = stats.second();
    long rows = dayStats.getLong(0);
    long referenceRows = referenceStats.getLong(0);

    Map<String, double[]> edges = new HashMap<>();
    int next = 1;
    for (Feature feature : features) {
      if (feature.numeric() && inReference.contains(feature.name())) {
        edges.put(feature.name(), binEdges(referenceStats.getList(next++), bins));
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
        // Not countDistinct: several distinct aggregates plan an Expand of every row per column
        // (1.4 s for a day of 16,800 flights).
        aggs.add(size(collect_set(value)).cast(DataTypes.LongType));
      }
    }
    return aggs.toArray(Column[]::new);
  }

  /**
   * Bucket counts of every compared feature on both sides. Returns side -> feature -> bucket ->
   * rows (the null key is the null bucket; a numeric bucket is its bin's index as a string).
   */
  private static Map<Boolean, Map<String, Map<String, Long>>> bucketCounts(
      Dataset<Row> day,
      Dataset<Row> reference,
      List<Feature> features,
      Map<String, double[]> edges) {
    // Filled by two threads at once, one feature each per key.
    Map<Boolean, Map<String, Map<String, Long>>> counts = new HashMap<>();
    counts.put(true, new ConcurrentHashMap<>());
    counts.put(false, new ConcurrentHashMap<>());
    List<Feature> numeric = features.stream().filter(Feature::numeric).toList();
    List<Feature> categorical = features.stream().filter(f -> !f.numeric()).toList();
    DriverThreads.both(
        "lakepipe-feature-metrics",
        () -> {
          if (!numeric.isEmpty()) {
            numericBucketCounts(day, reference, numeric, edges, counts);
          }
          return null;
        },
        () -> {
          if (!categorical.isEmpty()) {
            categoricalBucketCounts(day, reference, categorical, counts);
          }
          return null;
        });
    return counts;
  }

  /**
   * The numeric features' bin counts, in one pass over both sides that counts into one array per
   * partition. An explode into (feature, bucket) cells, grouped, took 3.3 of a check's 9 s on a day
   * of the flights (39 features, 7-day reference).
   */
  private static void numericBucketCounts(
      Dataset<Row> day,
      Dataset<Row> reference,
      List<Feature> numeric,
      Map<String, double[]> edges,
      Map<Boolean, Map<String, Map<String, Long>>> counts) {
    Column[] values = new Column[numeric.size() + 1];
    double[][] featureEdges = new double[numeric.size()][];
    for (int i = 0; i < numeric.size(); i++) {
      values[i + 1] = value(numeric.get(i)).as("_v" + i);
      featureEdges[i] = edges.get(numeric.get(i).name());
    }
    values[0] = lit(true).as(SIDE);
    Dataset<Row> daySide = day.select(values);
    values[0] = lit(false).as(SIDE);
    Dataset<Row> both = daySide.unionByName(reference.select(values));
    long[][][] bins =
        both.javaRDD().mapPartitions(new BinCounter(featureEdges)).reduce(FeatureMetrics::add);
    for (int side = 0; side < 2; side++) {
      for (int i = 0; i < numeric.size(); i++) {
        Map<String, Long> buckets = new HashMap<>();
        long[] feature = bins[side][i];
        for (int bucket = 0; bucket < feature.length; bucket++) {
          if (feature[bucket] > 0) {
            // The last slot is the null bucket.
            buckets.put(
                bucket == feature.length - 1 ? null : Integer.toString(bucket), feature[bucket]);
          }
        }
        counts.get(side == BinCounter.DAY).put(numeric.get(i).name(), buckets);
      }
    }
  }

  /** Counts rows of (is day, value...) into side -> feature -> bin, the null bin last. */
  private static final class BinCounter implements FlatMapFunction<Iterator<Row>, long[][][]> {
    static final int DAY = 0;
    private static final long serialVersionUID = 1L;
    private final double[][] edges;

    BinCounter(double[][] edges) {
      this.edges = edges;
    }

    @Override
    public Iterator<long[][][]> call(Iterator<Row> rows) {
      long[][][] counts = new long[2][edges.length][];
      for (long[][] side : counts) {
        for (int i = 0; i < edges.length; i++) {
          side[i] = new long[edges[i].length + 2];
        }
      }
      while (rows.hasNext()) {
        Row row = rows.next();
        long[][] side = counts[row.getBoolean(0) ? DAY : 1 - DAY];
        for (int i = 0; i < edges.length; i++) {
          int bin = row.isNullAt(i + 1) ? edges[i].length + 1 : bin(row.getDouble(i + 1), edges[i]);
          side[i][bin]++;
        }
      }
      return java.util.Collections.singletonList(counts).iterator();
    }
  }

  /** The index of the right-closed bin {@code (edges[i-1], edges[i]]} that {@code value} is in. */
  static int bin(double value, double[] edges) {
    int found = Arrays.binarySearch(edges, value);
    return found >= 0 ? found : -found - 1;
  }

  private static long[][][] add(long[][][] a, long[][][] b) {
    for (int side = 0; side < a.length; side++) {
      for (int feature = 0; feature < a[side].length; feature++) {
        for (int bucket = 0; bucket < a[side][feature].length; bucket++) {
          a[side][feature][bucket] += b[side][feature][bucket];
        }
      }
    }
    return a;
  }

  /**
   * The categorical features' value counts on both sides, in one aggregation: each row becomes one
   * (feature, value) cell per feature, counted by side.
   */
  private static void categoricalBucketCounts(
      Dataset<Row> day,
      Dataset<Row> reference,
      List<Feature> categorical,
      Map<Boolean, Map<String, Map<String, Long>>> counts) {
    List<Column> cells = new ArrayList<>();
    for (Feature feature : categorical) {
      cells.add(struct(lit(feature.name()).as("feature"), value(feature).as("bucket")));
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

  /**
   * The bin edges of a numeric feature from the reference's quantiles at {@code j / (bins *
   * QUANTILES_PER_BIN)}, {@code j = 1 ..}: empty when the reference has no value.
   *
   * <p>Edges at the quantiles themselves sit on values that many rows share. A feature aggregated
   * per airport (flights from the origin over 7 days) gives all of an airport's rows one value, and
   * the quantiles are such values; when an airport's value moves by one flight across its own edge,
   * a tenth of the rows change bin. On 2001-02-10 the 830 flights from DFW (of 14,796) went from
   * above the top edge, 6138, to 6137, and origin_flights_7d had a PSI of 0.69 against 0.016 the
   * day before. So each of the {@code bins - 1} edges is the middle of the widest gap between two
   * neighbouring quantiles within half a bin of its nominal quantile (equal quantiles have no gap:
   * a value that fills the whole window is its own edge). Then, while a bin holds less than half a
   * bin's share of the reference (estimated from the quantiles), the edge between it and its
   * smaller neighbour goes; the last edge stays, so that a column of one value still has two bins.
   */
  static double[] binEdges(List<Object> quantiles, int bins) {
    if (quantiles == null || quantiles.isEmpty() || quantiles.contains(null)) {
      return new double[0];
    }
    double[] q = new double[quantiles.size()];
    for (int j = 0; j < q.length; j++) {
      q[j] = ((Number) quantiles.get(j)).doubleValue();
    }
    // q[j] is the quantile at (j + 1) / steps.
    int steps = q.length + 1;
    int perBin = steps / bins;
    TreeSet<Double> chosen = new TreeSet<>();
    for (int edge = 1; edge < bins; edge++) {
      int nominal = edge * perBin - 1;
      int best = nominal;
      int last = Math.min(q.length - 2, nominal + perBin / 2 - 1);
      for (int j = Math.max(0, nominal - perBin / 2); j <= last; j++) {
        double gap = q[j + 1] - q[j];
        double bestGap = best + 1 < q.length ? q[best + 1] - q[best] : 0;
        if (gap > bestGap || (gap == bestGap && Math.abs(j - nominal) < Math.abs(best - nominal))) {
          best = j;
        }
      }
      chosen.add(best + 1 < q.length ? (q[best] + q[best + 1]) / 2 : q[best]);
    }
    List<Double> edges = new ArrayList<>(chosen);
    while (edges.size() > 1) {
      double[] shares = new double[edges.size() + 1];
      double below = 0;
      for (int k = 0; k < shares.length; k++) {
        double upTo = k == edges.size() ? 1 : (atOrBelow(q, edges.get(k)) + 0.5) / steps;
        shares[k] = upTo - below;
        below = upTo;
      }
      int smallest = 0;
      for (int k = 1; k < shares.length; k++) {
        if (shares[k] < shares[smallest]) {
          smallest = k;
        }
      }
      if (shares[smallest] >= 0.5 / bins) {
        break;
      }
      // Bin k lies between edges k-1 and k. An edge on a value goes before one in a gap, which no
      // value crosses by a small move; else the edge toward the smaller neighbour.
      boolean lower;
      if (smallest == 0 || smallest == shares.length - 1) {
        lower = smallest > 0;
      } else if (onValue(q, edges.get(smallest - 1)) != onValue(q, edges.get(smallest))) {
        lower = onValue(q, edges.get(smallest - 1));
      } else {
        lower = shares[smallest - 1] < shares[smallest + 1];
      }
      edges.remove(lower ? smallest - 1 : smallest);
    }
    return edges.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static boolean onValue(double[] sorted, double edge) {
    return Arrays.binarySearch(sorted, edge) >= 0;
  }

  /** How many of the sorted values are at or below {@code value}. */
  private static int atOrBelow(double[] sorted, double value) {
    int count = 0;
    while (count < sorted.length && sorted[count] <= value) {
      count++;
    }
    return count;
  }

  private static Double nullableDouble(Row row, int index) {
    return row.isNullAt(index) ? null : ((Number) row.get(index)).doubleValue();
  }
}
