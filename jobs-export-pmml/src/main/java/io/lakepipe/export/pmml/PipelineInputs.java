// SPDX-License-Identifier: AGPL-3.0-only
package io.lakepipe.export.pmml;

import io.lakepipe.train.torch.TorchInputs;
import io.lakepipe.train.torch.TorchModel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The columns a fitted pipeline reads from its input rows, found from the stages' own column
 * parameters (a {@link TorchModel}'s from its inputs): every input of a stage that no earlier stage
 * writes. This is what a scorer must be given, in the order the pipeline first reads them.
 */
public final class PipelineInputs {
  private static final List<String> SINGLE_INPUTS = List.of("inputCol", "featuresCol");
  private static final List<String> SINGLE_OUTPUTS =
      List.of("outputCol", "predictionCol", "rawPredictionCol", "probabilityCol");

  private PipelineInputs() {}

  /** The stages of a pipeline with nested pipelines flattened, in the order they run. */
  public static List<Transformer> stages(PipelineModel model) {
    List<Transformer> stages = new ArrayList<>();
    for (Transformer stage : model.stages()) {
      if (stage instanceof PipelineModel nested) {
        stages.addAll(stages(nested));
      } else {
        stages.add(stage);
      }
    }
    return stages;
  }

  /** The stage that runs last, the classifier; null for a pipeline without stages. */
  public static Transformer lastStage(PipelineModel model) {
    List<Transformer> stages = stages(model);
    return stages.isEmpty() ? null : stages.get(stages.size() - 1);
  }

  /** The input column names, in the order the pipeline first reads them. */
  public static List<String> columns(PipelineModel model) {
    Set<String> written = new HashSet<>();
    Set<String> read = new LinkedHashSet<>();
    for (Transformer stage : stages(model)) {
      for (String column : reads(stage)) {
        if (!written.contains(column)) {
          read.add(column);
        }
      }
      written.addAll(columns(stage, SINGLE_OUTPUTS, "outputCols"));
    }
    return List.copyOf(read);
  }

  /**
   * The input columns with their types in {@code available} (such as the feature table's schema),
   * in pipeline order.
   *
   * @throws IllegalArgumentException naming a column that {@code available} lacks
   */
  public static StructType schema(PipelineModel model, StructType available) {
    StructType schema = new StructType();
    Set<String> names = Set.of(available.fieldNames());
    for (String column : columns(model)) {
      if (!names.contains(column)) {
        throw new IllegalArgumentException(
            "it reads the column "
                + column
                + ", which the table it"
                + " was trained on does not have");
      }
      StructField field = available.apply(column);
      schema = schema.add(field.name(), field.dataType(), field.nullable());
    }
    return schema;
  }

  /** The columns a stage reads: those its parameters name, or a torch model's raw inputs. */
  private static List<String> reads(Transformer stage) {
    if (stage instanceof TorchModel torch) {
      return Stream.concat(
              torch.inputs().numbers().stream().map(TorchInputs.NumberInput::name),
              torch.inputs().categories().stream().map(TorchInputs.CategoryInput::name))
          .toList();
    }
    return columns(stage, SINGLE_INPUTS, "inputCols");
  }

  /** The columns a stage names in the given single-column and multi-column parameters, if set. */
  private static List<String> columns(Params stage, List<String> single, String multi) {
    List<String> columns = new ArrayList<>();
    if (stage.hasParam(multi) && stage.isDefined(stage.getParam(multi))) {
      columns.addAll(List.of((String[]) stage.getOrDefault(stage.getParam(multi))));
    }
    for (String name : single) {
      if (stage.hasParam(name)) {
        Param<Object> param = stage.getParam(name);
        if (stage.isDefined(param) && !stage.getOrDefault(param).toString().isEmpty()) {
          columns.add(stage.getOrDefault(param).toString());
        }
      }
    }
    return columns;
  }
}
