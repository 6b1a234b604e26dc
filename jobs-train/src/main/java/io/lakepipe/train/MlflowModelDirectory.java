// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.core.spark.ModelStaging;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/**
 * Writes a fitted binary classifier pipeline in MLflow's model format, as {@code
 * mlflow.spark.log_model} would, so that MLflow's own tools load it from the registry with no
 * lakepipe code:
 *
 * <ul>
 *   <li>{@code sparkml/}: the pipeline exactly as fitted, the {@code spark} flavor's data ({@code
 *       mlflow.spark.load_model}, and the serve-export job, read it);
 *   <li>{@code sparkml-pyfunc/}: the {@code python_function} flavor's data, loaded by MLflow's own
 *       {@code mlflow.spark} loader: the same fitted stages between two SQL stages. MLflow's spark
 *       pyfunc returns the pipeline's {@code prediction} column and builds its Spark frame from
 *       pandas types, so the first stage casts the inputs back to the types the pipeline was fitted
 *       on (pandas has no integer with a missing value, and the Imputer rounds its fill to the
 *       input's type) and the last one puts P(label = 1) in {@code prediction}: {@code predict}
 *       returns one probability per row, equal to Spark's;
 *   <li>{@code MLmodel} with both flavors, the signature (inputs from the Spark schema, one double
 *       out) and the input example ({@code input_example.json}, {@code
 *       serving_input_example.json});
 *   <li>{@code requirements.txt}, {@code python_env.yaml} and {@code conda.yaml}.
 * </ul>
 *
 * <p>A pipeline with XGBoost4J-Spark's classifier also gets what pyspark and MLflow's local Spark
 * session lack to load it (see {@link XGBoostPyfunc}): {@code jars/} with XGBoost's classes and
 * native libraries, and {@code code/} with a pyspark class for the stage and the {@code
 * python_function} flavor's loader module, which starts the Spark session with that jar and hands
 * over to {@code mlflow.spark}'s loader. Spark adds jars only when its session starts, so such a
 * model cannot be loaded in a Python process that already runs a Spark session without the jar. The
 * {@code spark} flavor is the same for every pipeline.
 *
 * <p>A pipeline of the deep-learning family ({@link TorchPyfunc}) has no {@code sparkml-pyfunc/}:
 * its python_function flavor scores {@code model.onnx}, the network's ONNX file, with ONNX Runtime
 * (no Spark), and the file is also MLflow's {@code onnx} flavor. Its {@code spark} flavor loads in
 * the JVM jobs only: pyspark has no class for the network's stage.
 */
public final class MlflowModelDirectory {
  /** The artifact path under the run where the model is logged. */
  public static final String ARTIFACT_PATH = "model";

  /** At most this many rows of the example rows become the input example. */
  public static final int INPUT_EXAMPLE_ROWS = 5;

  static final String SPARK_MODEL_DATA = "sparkml";
  static final String PYFUNC_MODEL_DATA = "sparkml-pyfunc";
  static final String INPUT_EXAMPLE = "input_example.json";
  static final String SERVING_INPUT_EXAMPLE = "serving_input_example.json";
  static final String SPARK_VERSION = org.apache.spark.package$.MODULE$.SPARK_VERSION();

  /** The mlflow that serves and reads the models: infra/python/requirements-mlflow.txt pins it. */
  static final String MLFLOW_VERSION = "3.17.2";

  /** The Python of ./lakepipe setup's virtualenvs (it prefers python3.11). */
  static final String PYTHON_VERSION = "3.11";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern PLAIN_YAML = Pattern.compile("[A-Za-z_][A-Za-z0-9_./-]*");
  private static final DateTimeFormatter CREATED =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

  private MlflowModelDirectory() {}

  /** How the python_function flavor loads the model. */
  enum Pyfunc {
    /** mlflow.spark's own loader, on the sparkml-pyfunc pipeline. */
    SPARK,
    /** {@link XGBoostPyfunc}'s loader: mlflow.spark's with XGBoost's jar in the session. */
    XGBOOST,
    /** {@link TorchPyfunc}'s loader: the network's ONNX file in ONNX Runtime, no Spark. */
    ONNX;

    static Pyfunc of(PipelineModel model) {
      return TorchPyfunc.torchStage(model).isPresent()
          ? ONNX
          : XGBoostPyfunc.xgboostStage(model).isPresent() ? XGBOOST : SPARK;
    }
  }

  /**
   * Writes the model directory into {@code dir} (which must not exist yet) and returns it.
   *
   * @param model a fitted pipeline whose last stage is a binary probabilistic classifier
   * @param inputs the pipeline's input columns, in order, with their Spark types: the signature
   * @param examples rows holding at least those columns; the first {@value #INPUT_EXAMPLE_ROWS} are
   *     the input example
   * @param dir where to write, a local folder to upload with {@code TrackedRun.uploadDirectory}
   * @param runId the MLflow run the model is logged to
   * @param staging the shared storage Spark ML writes the pipelines to before they are copied here
   */
  public static Path write(
      PipelineModel model,
      StructType inputs,
      Dataset<Row> examples,
      Path dir,
      String runId,
      ModelStaging staging) {
    Pyfunc kind = Pyfunc.of(model);
    // The network's pyfunc scores its ONNX file; the other families' pipelines run in Spark.
    PipelineModel pyfunc = kind == Pyfunc.ONNX ? null : pyfuncPipeline(model, inputs, examples);
    StructType signature = signatureTypes(inputs, examples);
    List<Row> example =
        examples
            .select(
                Stream.of(inputs.fieldNames())
                    .map(MlflowModelDirectory::column)
                    .toArray(Column[]::new))
            .limit(INPUT_EXAMPLE_ROWS)
            .collectAsList();
    try {
      Files.createDirectories(dir);
      staging.save(uri -> model.write().save(uri), dir.resolve(SPARK_MODEL_DATA));
      if (kind == Pyfunc.ONNX) {
        TorchPyfunc.write(TorchPyfunc.torchStage(model).orElseThrow(), dir);
      } else {
        staging.save(uri -> pyfunc.write().save(uri), dir.resolve(PYFUNC_MODEL_DATA));
      }
      if (kind == Pyfunc.XGBOOST) {
        XGBoostPyfunc.write(XGBoostPyfunc.xgboostStage(model).orElseThrow(), dir);
      }
      ObjectNode split = inputExample(signature, example);
      Files.writeString(dir.resolve(INPUT_EXAMPLE), JSON.writeValueAsString(split));
      Files.writeString(
          dir.resolve(SERVING_INPUT_EXAMPLE),
          JSON.writerWithDefaultPrettyPrinter()
              .writeValueAsString(JSON.createObjectNode().set("dataframe_split", split)));
      Files.writeString(
          dir.resolve("requirements.txt"), String.join("\n", requirements(kind)) + "\n");
      Files.writeString(
          dir.resolve("python_env.yaml"),
          String.join(
              "\n",
              "python: '" + PYTHON_VERSION + "'",
              "build_dependencies:",
              "- pip",
              "dependencies:",
              "- -r requirements.txt",
              ""));
      Files.writeString(
          dir.resolve("conda.yaml"),
          String.join(
              "\n",
              "channels:",
              "- conda-forge",
              "dependencies:",
              "- python=" + PYTHON_VERSION,
              "- pip",
              "- pip:",
              requirements(kind).stream().map(r -> "  - " + r).collect(Collectors.joining("\n")),
              "name: mlflow-env",
              ""));
      // Written last: MLflow records the size of everything else in it.
      Files.writeString(dir.resolve("MLmodel"), mlmodel(runId, signature, size(dir), kind));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the MLflow model directory " + dir, e);
    }
  }

  /**
   * The {@code MLmodel} file, with the keys {@code mlflow.spark.save_model} writes, sorted as it
   * sorts them. The signature lists the inputs with MLflow's names of their types; every input is
   * required (the pipeline reads each column, though its values may be missing). The {@code kind}
   * of pyfunc says who loads the python_function flavor: {@code mlflow.spark}, or the loader module
   * in the directory's code folder of {@link XGBoostPyfunc} or {@link TorchPyfunc}; the network
   * also gets MLflow's {@code onnx} flavor.
   */
  static String mlmodel(String runId, StructType inputs, long sizeBytes, Pyfunc kind) {
    // JSON with ", " and ": " separators, as MLflow writes the signature's column lists.
    List<String> columns = new ArrayList<>();
    for (StructField field : inputs.fields()) {
      columns.add(
          "{\"type\": "
              + json(mlflowType(field))
              + ", \"name\": "
              + json(field.name())
              + ", \"required\": true}");
    }
    Map<String, Object> pyfunc = new LinkedHashMap<>();
    if (kind != Pyfunc.SPARK) {
      pyfunc.put("code", XGBoostPyfunc.CODE);
    }
    pyfunc.put("data", kind == Pyfunc.ONNX ? TorchPyfunc.ONNX_FILE : PYFUNC_MODEL_DATA);
    pyfunc.put("env", Map.of("conda", "conda.yaml", "virtualenv", "python_env.yaml"));
    pyfunc.put(
        "loader_module",
        switch (kind) {
          case SPARK -> "mlflow.spark";
          case XGBOOST -> XGBoostPyfunc.LOADER_MODULE;
          case ONNX -> TorchPyfunc.LOADER_MODULE;
        });
    pyfunc.put("python_version", PYTHON_VERSION);
    Map<String, Object> spark = new LinkedHashMap<>();
    spark.put("code", null);
    spark.put("model_class", "pyspark.ml.pipeline.PipelineModel");
    spark.put("model_data", SPARK_MODEL_DATA);
    spark.put("pyspark_version", SPARK_VERSION);
    Map<String, Object> example = new LinkedHashMap<>();
    example.put("artifact_path", INPUT_EXAMPLE);
    example.put("pandas_orient", "split");
    example.put("serving_input_path", SERVING_INPUT_EXAMPLE);
    example.put("type", "dataframe");
    Map<String, Object> signature = new LinkedHashMap<>();
    signature.put("inputs", "[" + String.join(", ", columns) + "]");
    // MLflow's spark pyfunc returns a list with one unnamed value per row, here P(label = 1).
    signature.put("outputs", "[{\"type\": \"double\", \"required\": true}]");
    signature.put("params", null);

    Map<String, Object> file = new LinkedHashMap<>();
    file.put("artifact_path", ARTIFACT_PATH);
    Map<String, Object> flavors = new java.util.TreeMap<>();
    flavors.put("python_function", pyfunc);
    flavors.put("spark", spark);
    if (kind == Pyfunc.ONNX) {
      // As mlflow.onnx.save_model writes it: mlflow.onnx.load_model reads the file.
      Map<String, Object> onnx = new LinkedHashMap<>();
      onnx.put("code", null);
      onnx.put("data", TorchPyfunc.ONNX_FILE);
      onnx.put("onnx_session_options", null);
      onnx.put("onnx_version", TorchPyfunc.ONNX_VERSION);
      onnx.put("providers", List.of("CPUExecutionProvider"));
      flavors.put("onnx", onnx);
    }
    file.put("flavors", flavors);
    file.put("is_signature_from_type_hint", false);
    file.put("mlflow_version", MLFLOW_VERSION);
    file.put("model_size_bytes", sizeBytes);
    file.put("model_uuid", UUID.randomUUID().toString().replace("-", ""));
    file.put("run_id", runId);
    file.put("saved_input_example_info", example);
    file.put("signature", signature);
    file.put("type_hint_from_example", false);
    file.put("utc_time_created", LocalDateTime.now(ZoneOffset.UTC).format(CREATED));
    StringBuilder yaml = new StringBuilder();
    appendYaml(yaml, file, "");
    return yaml.toString();
  }

  /**
   * The pipeline the pyfunc flavor loads: a cast of the inputs to their fitted types, the fitted
   * stages unchanged, and P(label = 1) as the only output column, {@code prediction}.
   */
  static PipelineModel pyfuncPipeline(
      PipelineModel model, StructType inputs, Dataset<Row> examples) {
    Transformer[] stages = model.stages();
    Transformer last = stages.length == 0 ? null : stages[stages.length - 1];
    if (!(last instanceof ProbabilisticClassificationModel<?, ?> classifier)) {
      throw LakepipeErrors.modelNotLoggable(
          last == null
              ? "an empty pipeline"
              : "a pipeline ending with " + last.getClass().getSimpleName(),
          "its last stage is not a probabilistic classifier");
    }
    String probability = classifier.getProbabilityCol();
    if (probability.isEmpty() || classifier.numClasses() != 2) {
      throw LakepipeErrors.modelNotLoggable(
          "a pipeline ending with " + last.getClass().getSimpleName(),
          probability.isEmpty()
              ? "its classifier writes no probability column (probabilityCol is empty)"
              : "its classifier has " + classifier.numClasses() + " classes, not 2");
    }
    List<PipelineStage> all = new ArrayList<>();
    all.add(new SQLTransformer().setStatement(castToFittedTypes(inputs)));
    all.addAll(List.of(stages));
    all.add(new SQLTransformer().setStatement(positiveClassProbability(probability)));
    // A pipeline of fitted transformers fits without a pass over data: this only checks the schema.
    return new Pipeline()
        .setStages(all.toArray(PipelineStage[]::new))
        .fit(examples.sparkSession().createDataFrame(List.of(), inputs));
  }

  /**
   * Selects the inputs cast to the types the pipeline was fitted on. The pyfunc builds its frame
   * from pandas, where a missing number is NaN and an integer column with one becomes a double; NaN
   * turns back into null, as Spark stages expect missing values.
   */
  static String castToFittedTypes(StructType inputs) {
    List<String> columns = new ArrayList<>();
    for (StructField field : inputs.fields()) {
      String name = quote(field.name());
      String type = field.dataType().sql();
      boolean numeric = field.dataType() instanceof NumericType;
      columns.add(
          (numeric
                  ? "CASE WHEN isnan("
                      + name
                      + ") THEN NULL ELSE CAST("
                      + name
                      + " AS "
                      + type
                      + ") END"
                  : "CAST(" + name + " AS " + type + ")")
              + " AS "
              + name);
    }
    return "SELECT " + String.join(", ", columns) + " FROM __THIS__";
  }

  /**
   * Puts element 1 of the probability vector in {@code prediction}. Spark SQL has no function that
   * indexes an ML vector, but a dense vector's string form is {@code [p0,p1]} with each double
   * written in full (Java's shortest round-tripping form), so parsing it back is exact.
   */
  static String positiveClassProbability(String probabilityColumn) {
    return "SELECT CAST(element_at(split(substr(p, 2, length(p) - 2), ','), 2) AS DOUBLE)"
        + " AS prediction FROM (SELECT CAST("
        + quote(probabilityColumn)
        + " AS STRING) AS p"
        + " FROM __THIS__)";
  }

  /**
   * The input types the signature declares: the table's own, so that its rows, read into pandas as
   * they are, pass MLflow's schema check (it refuses to narrow a long into a double). An integer
   * column with a missing value among the rows the model was fitted on is declared a double
   * instead, as MLflow advises: pandas reads such a column as float64, with NaN for the missing
   * value, which an integer column would refuse. The pyfunc casts the inputs back either way.
   */
  static StructType signatureTypes(StructType inputs, Dataset<Row> rows) {
    List<String> integral =
        Stream.of(inputs.fields())
            .filter(f -> isIntegral(f.dataType()))
            .map(StructField::name)
            .toList();
    if (integral.isEmpty()) {
      return inputs;
    }
    // One pass: for each integer column, whether any of the rows misses it.
    Row missing =
        rows.select(
                integral.stream()
                    .map(
                        name ->
                            org.apache.spark.sql.functions.max(column(name).isNull().cast("int")))
                    .toArray(Column[]::new))
            .head();
    StructType types = new StructType();
    for (StructField field : inputs.fields()) {
      int at = integral.indexOf(field.name());
      boolean hasMissing = at >= 0 && !missing.isNullAt(at) && missing.getInt(at) == 1;
      types =
          types.add(
              hasMissing
                  ? new StructField(field.name(), DataTypes.DoubleType, true, field.metadata())
                  : field);
    }
    return types;
  }

  private static boolean isIntegral(DataType type) {
    return type instanceof ByteType
        || type instanceof ShortType
        || type instanceof IntegerType
        || type instanceof LongType;
  }

  /** MLflow's name of a column type: a Spark integer is an MLflow integer, a Spark long a long. */
  static String mlflowType(StructField field) {
    DataType type = field.dataType();
    if (type instanceof ByteType || type instanceof ShortType || type instanceof IntegerType) {
      return "integer";
    }
    if (type instanceof LongType) {
      return "long";
    }
    if (type instanceof DoubleType || type instanceof DecimalType) {
      return "double";
    }
    if (type instanceof FloatType) {
      return "float";
    }
    if (type instanceof BooleanType) {
      return "boolean";
    }
    if (type instanceof StringType) {
      return "string";
    }
    if (type instanceof BinaryType) {
      return "binary";
    }
    if (type instanceof DateType
        || type instanceof TimestampType
        || type instanceof TimestampNTZType) {
      return "datetime";
    }
    throw LakepipeErrors.modelNotLoggable(
        "a pipeline reading column " + field.name(),
        "its type " + type.simpleString() + " has no MLflow signature type");
  }

  /** The example as pandas' split orient; each value written as its declared signature type. */
  static ObjectNode inputExample(StructType inputs, List<Row> rows) {
    ObjectNode split = JSON.createObjectNode();
    ArrayNode columns = split.putArray("columns");
    for (String name : inputs.fieldNames()) {
      columns.add(name);
    }
    ArrayNode data = split.putArray("data");
    for (Row row : rows) {
      ArrayNode values = data.addArray();
      for (int i = 0; i < inputs.size(); i++) {
        Object value = row.get(i);
        String type = mlflowType(inputs.fields()[i]);
        if (value == null
            || (value instanceof Double d && d.isNaN())
            || (value instanceof Float f && f.isNaN())) {
          values.addNull();
        } else if (type.equals("double") || type.equals("float")) {
          values.add(((Number) value).doubleValue());
        } else if (type.equals("long") || type.equals("integer")) {
          values.add(((Number) value).longValue());
        } else if (value instanceof Boolean b) {
          values.add(b);
        } else if (value instanceof byte[] bytes) {
          values.add(java.util.Base64.getEncoder().encodeToString(bytes));
        } else {
          values.add(value.toString());
        }
      }
    }
    return split;
  }

  private static List<String> requirements(Pyfunc kind) {
    return kind == Pyfunc.ONNX
        ? List.of(
            "mlflow==" + MLFLOW_VERSION,
            "onnx==" + TorchPyfunc.ONNX_VERSION,
            "onnxruntime==" + TorchPyfunc.ONNXRUNTIME_VERSION,
            "pyspark==" + SPARK_VERSION)
        : List.of("mlflow==" + MLFLOW_VERSION, "pyspark==" + SPARK_VERSION);
  }

  private static Column column(String name) {
    return org.apache.spark.sql.functions.col(quote(name));
  }

  private static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  private static long size(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  private static String json(String text) {
    try {
      return JSON.writeValueAsString(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Block-style YAML of nested maps, as PyYAML's safe_dump writes it, keys in their map order. */
  @SuppressWarnings("unchecked")
  private static void appendYaml(StringBuilder out, Map<String, Object> map, String indent) {
    List<String> keys = new ArrayList<>(map.keySet());
    if (!(map instanceof LinkedHashMap)) {
      keys.sort(null);
    }
    for (String key : keys) {
      Object value = map.get(key);
      if (value instanceof Map<?, ?> nested) {
        out.append(indent).append(key).append(":\n");
        appendYaml(out, (Map<String, Object>) nested, indent + "  ");
      } else if (value instanceof List<?> items) {
        // PyYAML's block style: the items at the key's indentation.
        out.append(indent).append(key).append(":\n");
        items.forEach(
            item -> out.append(indent).append("- ").append(yamlScalar(item)).append('\n'));
      } else {
        out.append(indent).append(key).append(": ").append(yamlScalar(value)).append('\n');
      }
    }
  }

  private static String yamlScalar(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Boolean || value instanceof Number) {
      return value.toString();
    }
    String text = value.toString();
    boolean keyword =
        List.of("null", "true", "false", "yes", "no", "on", "off", "y", "n")
            .contains(text.toLowerCase(java.util.Locale.ROOT));
    return PLAIN_YAML.matcher(text).matches() && !keyword
        ? text
        : "'" + text.replace("'", "''") + "'";
  }
}
