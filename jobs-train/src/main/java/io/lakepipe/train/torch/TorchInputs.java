// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.torch;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.stddev_pop;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The inputs of the network as its trainer and its ONNX file know them: each number with its
 * training mean (the fill of a missing value, as Spark's Imputer) and deviation, each category with
 * its labels in the order of its StringIndexer's indexes (the index past the last is the bucket of
 * unseen and missing values).
 *
 * <p>A number whose training values are whole and span at most {@link
 * TorchSettings#embedIntegersUpTo()} values (an hour, a day of the week, a month) is embedded as a
 * category instead: value {@code low + k} has index {@code k}; a missing value is the mean, and
 * every value is rounded to the nearest whole one in that range. Its input stays a number, so the
 * ONNX file's contract is the same.
 */
public record TorchInputs(List<NumberInput> numbers, List<CategoryInput> categories)
    implements Serializable {

  /**
   * A number; when {@code embeddedValues} is above 0, embedded as the category of its offset from
   * {@code embeddedLow}.
   */
  public record NumberInput(
      String name, double mean, double std, long embeddedLow, int embeddedValues)
      implements Serializable {
    public boolean embedded() {
      return embeddedValues > 0;
    }
  }

  public record CategoryInput(String name, List<String> labels) implements Serializable {
    public CategoryInput {
      labels = List.copyOf(labels);
    }
  }

  public TorchInputs {
    numbers = List.copyOf(numbers);
    categories = List.copyOf(categories);
  }

  /**
   * The largest magnitude of an embedded number: the trainer and the ONNX file read numbers as
   * 32-bit floats, which hold every integer up to 2^24 exactly.
   */
  static final long LARGEST_EMBEDDED = 1L << 24;

  /** The label StringIndexer gives its bucket of unseen values, with handleInvalid=keep. */
  static final String UNKNOWN_LABEL = "__unknown";

  /** Per number: mean, deviation, smallest, largest, count of fractional values. */
  private static final int STATISTICS = 5;

  /**
   * Reads the inputs off prepared rows: one pass for every number's mean, deviation, range and
   * count of fractional values (nulls and NaN left out, as the Imputer does), the labels from the
   * index columns' metadata.
   */
  public static TorchInputs of(Dataset<Row> prepared, TorchSettings settings) {
    List<String> numeric = settings.numeric();
    List<NumberInput> numbers = new ArrayList<>();
    if (!numeric.isEmpty()) {
      List<Column> stats = new ArrayList<>();
      for (String name : numeric) {
        Column value = col(name).cast("double");
        Column known =
            org.apache.spark.sql.functions.when(
                value.isNotNull().and(value.isNaN().unary_$bang()), value);
        stats.add(avg(known));
        stats.add(stddev_pop(known));
        stats.add(min(known));
        stats.add(max(known));
        stats.add(count_if(known.notEqual(floor(known))));
      }
      Row row =
          prepared.agg(stats.get(0), stats.subList(1, stats.size()).toArray(Column[]::new)).head();
      for (int i = 0; i < numeric.size(); i++) {
        int at = STATISTICS * i;
        double mean = row.isNullAt(at) ? 0.0 : row.getDouble(at);
        double std = row.isNullAt(at + 1) ? 1.0 : row.getDouble(at + 1);
        int values = 0;
        long low = 0;
        if (!row.isNullAt(at + 2) && row.getLong(at + 4) == 0) {
          double smallest = row.getDouble(at + 2);
          double largest = row.getDouble(at + 3);
          if (Math.max(-smallest, largest) <= LARGEST_EMBEDDED
              && largest - smallest + 1 <= settings.embedIntegersUpTo()) {
            low = (long) smallest;
            values = (int) (largest - smallest) + 1;
          }
        }
        numbers.add(new NumberInput(numeric.get(i), mean, std > 0 ? std : 1.0, low, values));
      }
    }
    List<CategoryInput> categories = new ArrayList<>();
    for (int c = 0; c < settings.categorical().size(); c++) {
      String name = settings.categorical().get(c);
      Attribute attribute =
          Attribute.fromStructField(prepared.schema().apply(settings.categoryIndexes().get(c)));
      if (!(attribute instanceof NominalAttribute nominal) || nominal.values().isEmpty()) {
        throw new IllegalStateException(
            "The index column of " + name + " has no labels: it was not made by a StringIndexer");
      }
      List<String> labels = new ArrayList<>(List.of(nominal.values().get()));
      // handleInvalid=keep names its bucket last; the network's own bucket is the index past the
      // labels.
      if (labels.get(labels.size() - 1).equals(UNKNOWN_LABEL)) {
        labels.remove(labels.size() - 1);
      }
      categories.add(new CategoryInput(name, labels));
    }
    return new TorchInputs(numbers, categories);
  }
}
