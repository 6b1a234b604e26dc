package io.lakepipe.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Writes a fitted pipeline in MLflow's model format: the Spark ML model under {@code sparkml/} and an
 * {@code MLmodel} file declaring the {@code spark} and {@code python_function} flavors and the input
 * signature, so that MLflow's own tools can load it from the registry.
 */
public final class MlflowModelDirectory {
  /** The artifact path under the run where the model is logged. */
  public static final String ARTIFACT_PATH = "model";
  static final String SPARK_MODEL_DATA = "sparkml";
  static final String SPARK_VERSION = org.apache.spark.package$.MODULE$.SPARK_VERSION();

  private MlflowModelDirectory() {}

  /** Writes the model directory into {@code dir} (which must not exist yet) and returns it. */
  public static Path write(PipelineModel model, StructType inputs, Path dir, String runId) {
    try {
      Files.createDirectories(dir);
      model.write().save(dir.resolve(SPARK_MODEL_DATA).toUri().toString());
      Files.writeString(dir.resolve("MLmodel"), mlmodel(runId, inputs));
      Files.writeString(dir.resolve("requirements.txt"), "mlflow\npyspark==" + SPARK_VERSION + "\n");
      Files.writeString(dir.resolve("python_env.yaml"), String.join("\n",
          "python: \"3.11\"",
          "build_dependencies:",
          "- pip",
          "dependencies:",
          "- -r requirements.txt",
          ""));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the MLflow model directory " + dir, e);
    }
  }

  /**
   * The MLmodel file; the signature lists the model's input columns with MLflow's names of their
   * types. Any input may be missing (the model fills numbers and gives a missing category its own
   * bucket), so none is required.
   */
  static String mlmodel(String runId, StructType inputSchema) {
    List<String> inputs = new ArrayList<>();
    for (StructField field : inputSchema.fields()) {
      inputs.add("{\"type\": \"" + mlflowType(field.dataType()) + "\", \"name\": \""
          + field.name() + "\", \"required\": false}");
    }
    return String.join("\n",
        "artifact_path: " + ARTIFACT_PATH,
        "flavors:",
        "  python_function:",
        "    data: " + SPARK_MODEL_DATA,
        "    env:",
        "      virtualenv: python_env.yaml",
        "    loader_module: mlflow.spark",
        "    python_version: 3.11.7",
        "  spark:",
        "    code: null",
        "    model_data: " + SPARK_MODEL_DATA,
        "    pyspark_version: " + SPARK_VERSION,
        "mlflow_version: 2.17.2",
        "model_uuid: " + UUID.randomUUID().toString().replace("-", ""),
        "run_id: " + runId,
        "signature:",
        "  inputs: '[" + String.join(", ", inputs) + "]'",
        "  outputs: '[{\"type\": \"double\", \"required\": true}]'",
        "  params: null",
        "utc_time_created: '" + Instant.now().toString().replace("T", " ").replace("Z", "") + "'",
        "");
  }

  private static String mlflowType(DataType type) {
    if (type.equals(DataTypes.IntegerType) || type.equals(DataTypes.ShortType)
        || type.equals(DataTypes.ByteType)) {
      return "integer";
    }
    if (type.equals(DataTypes.LongType)) {
      return "long";
    }
    if (type.equals(DataTypes.FloatType)) {
      return "float";
    }
    if (type.equals(DataTypes.DoubleType)) {
      return "double";
    }
    if (type.equals(DataTypes.BooleanType)) {
      return "boolean";
    }
    return "string";
  }
}
