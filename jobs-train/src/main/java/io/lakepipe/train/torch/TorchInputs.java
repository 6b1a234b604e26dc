// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.torch;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
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
 */
public record TorchInputs(List<NumberInput> numbers, List<CategoryInput> categories)
    implements Serializable {

  public record NumberInput(String name, double mean, double std) implements Serializable {}

  public record CategoryInput(String name, List<String> labels) implements Serializable {
    public CategoryInput {
      labels = List.copyOf(labels);
    }
  }

  public TorchInputs {
    numbers = List.copyOf(numbers);
    categories = List.copyOf(categories);
  }

  /** The label StringIndexer gives its bucket of unseen values, with handleInvalid=keep. */
  static final String UNKNOWN_LABEL = "__unknown";

  /**
   * Reads the inputs off prepared rows: one pass for every number's mean and deviation (nulls and
   * NaN left out, as the Imputer does), the labels from the index columns' metadata.
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
      }
      Row row =
          prepared.agg(stats.get(0), stats.subList(1, stats.size()).toArray(Column[]::new)).head();
      for (int i = 0; i < numeric.size(); i++) {
        double mean = row.isNullAt(2 * i) ? 0.0 : row.getDouble(2 * i);
        double std = row.isNullAt(2 * i + 1) ? 1.0 : row.getDouble(2 * i + 1);
        numbers.add(new NumberInput(numeric.get(i), mean, std > 0 ? std : 1.0));
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
