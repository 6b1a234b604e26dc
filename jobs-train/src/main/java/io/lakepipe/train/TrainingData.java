// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.table.DeltaTables;
import io.lakepipe.features.FeatureCatalog;
import io.lakepipe.features.FeatureView;
import io.lakepipe.features.TrainingSet;
import io.lakepipe.features.TrainingSets;
import io.lakepipe.train.split.DayRange;
import io.lakepipe.train.split.Fold;
import io.lakepipe.train.split.TimeSplit;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * The labelled feature rows of a training window, checked before any model is fit: every part of
 * the split has rows of both classes, and features without a single value where the models are
 * first fit are left out (a 28-day history on the first days of the data cannot inform a model).
 */
public record TrainingData(
    TrainingSet set,
    Dataset<Row> rows,
    String label,
    List<String> numeric,
    List<String> categorical,
    List<String> leftOut,
    Map<String, DayCounts> countsBySplit) {

  /** Rows and positive rows of a part of the split. */
  public record DayCounts(long rows, long positives) {}

  /** Reads the window of {@code split} (at the configured table versions) and checks it. */
  public static TrainingData load(
      TrainingSets sets,
      TrainingConfig training,
      FeatureView view,
      TimeSplit split,
      List<Fold> folds,
      LocalDate ds) {
    FeatureCatalog catalog = view.catalog();
    String label = view.label().name();
    DayRange window = split.window();
    TrainingSet set =
        training.featuresVersion() < 0 && training.labelsVersion() < 0
            ? sets.latest(window.from(), window.to())
            : sets.at(
                window.from(), window.to(), training.featuresVersion(), training.labelsVersion());
    Dataset<Row> rows =
        set.rows()
            .withColumn(label, col(label).cast("double"))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      // One pass: per day, the rows, the positive rows and the values of each numeric feature.
      List<String> numericInputs = catalog.numericInputs();
      List<Column> aggregates = new ArrayList<>(List.of(sum(col(label))));
      numericInputs.forEach(c -> aggregates.add(count(col(c))));
      List<Row> days =
          rows.groupBy(col(DeltaTables.DS))
              .agg(count(lit(1)), aggregates.toArray(Column[]::new))
              .collectAsList();

      Map<String, DayCounts> counts = new LinkedHashMap<>();
      counts.put("train", counted(days, split.train(), ds, set, label, "training"));
      counts.put("validation", counted(days, split.validation(), ds, set, label, "validation"));
      counts.put("test", counted(days, split.test(), ds, set, label, "test"));
      for (Fold fold : folds) {
        counted(days, fold.train(), ds, set, label, "fold " + fold.number() + " training");
        counted(days, fold.validation(), ds, set, label, "fold " + fold.number() + " validation");
      }

      // Left out if it has no value on the first fold's training days, where models are first fit.
      DayRange firstFit = folds.get(0).train();
      List<String> numeric = new ArrayList<>();
      List<String> leftOut = new ArrayList<>();
      for (int i = 0; i < numericInputs.size(); i++) {
        long values = 0;
        for (Row day : days) {
          if (in(firstFit, day)) {
            values += day.getLong(i + 3);
          }
        }
        (values > 0 ? numeric : leftOut).add(numericInputs.get(i));
      }
      return new TrainingData(
          set, rows, label, numeric, catalog.categoricalInputs(), leftOut, counts);
    } catch (RuntimeException e) {
      rows.unpersist();
      throw e;
    }
  }

  /** The model inputs, numbers first, in the order the models read them. */
  public List<String> inputs() {
    List<String> inputs = new ArrayList<>(numeric);
    inputs.addAll(categorical);
    return inputs;
  }

  public long totalRows() {
    return countsBySplit.values().stream().mapToLong(DayCounts::rows).sum();
  }

  private static DayCounts counted(
      List<Row> days, DayRange range, LocalDate ds, TrainingSet set, String label, String part) {
    long total = 0;
    double positives = 0;
    for (Row day : days) {
      if (in(range, day)) {
        total += day.getLong(1);
        positives += day.isNullAt(2) ? 0 : day.getDouble(2);
      }
    }
    if (total == 0) {
      throw LakepipeErrors.trainingDataUnusable(
          ds.toString(),
          "the "
              + part
              + " days "
              + range
              + " have no labelled feature rows in "
              + set.features().path()
              + " (version "
              + set.features().version()
              + ")");
    }
    if (positives == 0 || positives == total) {
      throw LakepipeErrors.trainingDataUnusable(
          ds.toString(),
          "the label '"
              + label
              + "' has a single class in the "
              + total
              + " rows of the "
              + part
              + " days "
              + range
              + ": a classifier needs rows of both classes");
    }
    return new DayCounts(total, (long) positives);
  }

  private static boolean in(DayRange range, Row day) {
    return range.contains(LocalDate.parse(String.valueOf(day.get(0))));
  }
}
