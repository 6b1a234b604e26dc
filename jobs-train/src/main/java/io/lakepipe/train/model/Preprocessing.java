// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.model;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The stages every candidate model shares, from feature columns to one feature vector: missing
 * numbers (a history window without flights has no mean) are filled with the training mean,
 * categories are indexed and one-hot encoded. Categories unseen in training, or missing, get their
 * own bucket instead of failing.
 */
public final class Preprocessing {
  /** The assembled feature vector. */
  public static final String FEATURES = "features";

  static final String FILLED = "_filled";
  static final String INDEXED = "_index";
  static final String ENCODED = "_vector";

  /**
   * What the fitted preprocessing gives a model type to read: the assembled vector of {@code
   * vectorSize} slots, and the columns it came from (each number filled, each category indexed).
   */
  public record Layout(List<String> numeric, List<String> categorical, int vectorSize) {
    /** The filled numbers, then the category indexes: the columns XGBoost reads. */
    public List<String> columns() {
      return Stream.concat(numeric.stream().map(c -> c + FILLED), indexColumns().stream()).toList();
    }

    /** Each category's index column (its StringIndexer's output). */
    public List<String> indexColumns() {
      return categorical.stream().map(c -> c + INDEXED).toList();
    }

    /** The input column of each of {@link #columns()}. */
    public List<String> columnSources() {
      return Stream.concat(numeric.stream(), categorical.stream()).toList();
    }
  }

  private Preprocessing() {}

  public static Pipeline pipeline(List<String> numeric, List<String> categorical) {
    List<PipelineStage> stages = new ArrayList<>();
    List<String> assembled = new ArrayList<>();
    if (!numeric.isEmpty()) {
      List<String> filled = numeric.stream().map(c -> c + FILLED).toList();
      stages.add(
          new Imputer()
              .setInputCols(numeric.toArray(String[]::new))
              .setOutputCols(filled.toArray(String[]::new))
              .setStrategy("mean"));
      assembled.addAll(filled);
    }
    if (!categorical.isEmpty()) {
      List<String> indexed = categorical.stream().map(c -> c + INDEXED).toList();
      List<String> encoded = categorical.stream().map(c -> c + ENCODED).toList();
      stages.add(
          new StringIndexer()
              .setInputCols(categorical.toArray(String[]::new))
              .setOutputCols(indexed.toArray(String[]::new))
              .setHandleInvalid("keep"));
      stages.add(
          new OneHotEncoder()
              .setInputCols(indexed.toArray(String[]::new))
              .setOutputCols(encoded.toArray(String[]::new))
              .setHandleInvalid("keep"));
      assembled.addAll(encoded);
    }
    stages.add(
        new VectorAssembler()
            .setInputCols(assembled.toArray(String[]::new))
            .setOutputCol(FEATURES));
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new));
  }

  /**
   * For each slot of the feature vector of prepared rows, the input column it came from: a number
   * fills one slot, a category one slot per value.
   */
  public static List<String> slotSources(Dataset<Row> prepared, List<String> inputs) {
    AttributeGroup group = AttributeGroup.fromStructField(prepared.schema().apply(FEATURES));
    Attribute[] attributes = group.attributes().get();
    List<String> sources = new ArrayList<>();
    for (Attribute attribute : attributes) {
      String slot = attribute.name().get();
      sources.add(
          inputs.stream()
              .filter(c -> slot.equals(c + FILLED) || slot.startsWith(c + ENCODED + "_"))
              .findFirst()
              .orElse(slot));
    }
    return sources;
  }

  /** The size of the feature vector of prepared rows. */
  public static int featureCount(Dataset<Row> prepared) {
    return AttributeGroup.fromStructField(prepared.schema().apply(FEATURES)).size();
  }

  /** The layout of rows prepared from these inputs. */
  public static Layout layout(
      Dataset<Row> prepared, List<String> numeric, List<String> categorical) {
    return new Layout(List.copyOf(numeric), List.copyOf(categorical), featureCount(prepared));
  }
}
