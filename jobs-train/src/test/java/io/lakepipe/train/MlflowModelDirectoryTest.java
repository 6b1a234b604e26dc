// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.spark.ModelStaging;
import io.lakepipe.train.model.Candidate;
import io.lakepipe.train.model.ModelType;
import io.lakepipe.train.model.Preprocessing;
import io.lakepipe.train.torch.TorchModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MlflowModelDirectoryTest extends SparkTestBase {
  static final StructType ROWS =
      new StructType()
          .add("origin", DataTypes.StringType)
          .add("distance", DataTypes.DoubleType)
          .add("hour", DataTypes.IntegerType)
          .add("delayed", DataTypes.IntegerType);
  static final List<String> INPUTS = List.of("origin", "distance", "hour");

  @TempDir Path dir;

  /** Staging in the test's folder, which the local executors share with the driver. */
  private ModelStaging staging() {
    return ModelStaging.at(spark, dir.resolve("staging").toString());
  }

  /** Evening, long and ORD flights are late more often; a share of every input is missing. */
  static Dataset<Row> flights(int n, long seed) {
    Random random = new Random(seed);
    String[] airports = {"ORD", "ATL", "DEN", null};
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String origin = airports[random.nextInt(airports.length)];
      Double distance = random.nextInt(6) == 0 ? null : 100 + random.nextInt(2000) + 0.5;
      Integer hour = random.nextInt(7) == 0 ? null : random.nextInt(24);
      double score =
          (hour != null && hour >= 17 ? 1.5 : 0)
              + ("ORD".equals(origin) ? 0.8 : 0)
              + (distance != null ? distance / 2000 : 0)
              + random.nextGaussian() * 0.7;
      rows.add(new Object[] {origin, distance, hour, score > 1.2 ? 1 : 0});
    }
    return rows(ROWS, rows.toArray(Object[][]::new));
  }

  /** The stages of the delay model, on the columns of {@link #ROWS}. */
  static PipelineModel fit(Dataset<Row> rows) {
    return new Pipeline()
        .setStages(
            new PipelineStage[] {
              new StringIndexer()
                  .setInputCol("origin")
                  .setOutputCol("origin_index")
                  .setHandleInvalid("keep"),
              new OneHotEncoder()
                  .setInputCol("origin_index")
                  .setOutputCol("origin_vector")
                  .setHandleInvalid("keep"),
              new Imputer()
                  .setInputCols(new String[] {"distance", "hour"})
                  .setOutputCols(new String[] {"distance_filled", "hour_filled"}),
              new VectorAssembler()
                  .setInputCols(new String[] {"origin_vector", "distance_filled", "hour_filled"})
                  .setOutputCol("features"),
              new LogisticRegression().setLabelCol("delayed").setMaxIter(20)
            })
        .fit(rows);
  }

  /** The stages of lakepipe's XGBoost candidate on the columns of {@link #ROWS}. */
  static PipelineModel fitXGBoost(Dataset<Row> rows) {
    return fitFamily(
        rows, ModelType.XGBOOST, Map.of("num-round", 20, "max-depth", 3, "nthread", 1));
  }

  /** The deep-learning family's stages on the columns of {@link #ROWS}. */
  static PipelineModel fitTorch(Dataset<Row> rows) {
    return fitFamily(
        rows, ModelType.TORCH, Map.of("epochs", 3, "batch-size", 64, "hidden-layers", List.of(8)));
  }

  /**
   * A candidate of {@code type} fitted as {@code FinalFit} fits it: the shared preprocessing, then
   * the candidate's own stages.
   */
  private static PipelineModel fitFamily(
      Dataset<Row> rows, ModelType type, Map<String, Object> params) {
    PipelineModel preprocessing =
        Preprocessing.pipeline(List.of("distance", "hour"), List.of("origin")).fit(rows);
    Dataset<Row> prepared = preprocessing.transform(rows);
    PipelineModel head =
        new Pipeline()
            .setStages(
                type.stages(
                        new Candidate(type.configName(), type, 1, params),
                        Preprocessing.layout(
                            prepared, List.of("distance", "hour"), List.of("origin")),
                        42,
                        "delayed")
                    .toArray(PipelineStage[]::new))
            .fit(prepared);
    return new PipelineModel(
        "lakepipe_delay_model_test",
        Stream.concat(Arrays.stream(preprocessing.stages()), Arrays.stream(head.stages()))
            .toArray(Transformer[]::new));
  }

  static Column[] inputColumns() {
    return INPUTS.stream().map(c -> col(c)).toArray(Column[]::new);
  }

  /** Spark's P(label = 1) per row, in row order. */
  static double[] probabilities(PipelineModel model, Dataset<Row> rows) {
    return model
        .transform(rows)
        .select(vector_to_array(col("probability"), "float64").getItem(1))
        .collectAsList()
        .stream()
        .mapToDouble(r -> r.getDouble(0))
        .toArray();
  }

  @Test
  void mlmodelDeclaresBothFlavorsTheSignatureAndTheExample() {
    StructType inputs =
        new StructType()
            .add("hour", DataTypes.IntegerType)
            .add("origin_flights_7d", DataTypes.LongType, false)
            .add("origin_delay_mean_7d", DataTypes.DoubleType)
            .add("origin", DataTypes.StringType);

    String mlmodel =
        MlflowModelDirectory.mlmodel("abc123", inputs, 4096, MlflowModelDirectory.Pyfunc.SPARK);

    assertThat(mlmodel)
        .contains("flavors:\n  python_function:\n    data: sparkml-pyfunc\n")
        .contains("    loader_module: mlflow.spark\n")
        .contains(
            "  spark:\n    code: null\n    model_class: pyspark.ml.pipeline.PipelineModel\n"
                + "    model_data: sparkml\n    pyspark_version: '3.5.7'\n")
        .contains("run_id: abc123\n")
        .contains("model_size_bytes: 4096\n")
        .contains(
            "saved_input_example_info:\n  artifact_path: input_example.json\n"
                + "  pandas_orient: split\n  serving_input_path: serving_input_example.json\n"
                + "  type: dataframe\n")
        // Each column as its Spark type says: an integer is an integer, a long a long.
        .contains(
            "  inputs: '[{\"type\": \"integer\", \"name\": \"hour\", \"required\": true},"
                + " {\"type\": \"long\", \"name\": \"origin_flights_7d\", \"required\": true},"
                + " {\"type\": \"double\", \"name\": \"origin_delay_mean_7d\", \"required\": true},"
                + " {\"type\": \"string\", \"name\": \"origin\", \"required\": true}]'\n")
        .contains("  outputs: '[{\"type\": \"double\", \"required\": true}]'\n");
  }

  @Test
  void signatureKeepsTheTablesIntegerTypesButDeclaresAnIntegerColumnWithAMissingValueADouble() {
    StructType schema =
        new StructType()
            .add("hour", DataTypes.IntegerType)
            .add("route_flights_7d", DataTypes.LongType)
            .add("distance", DataTypes.IntegerType)
            .add("origin_delay_mean_7d", DataTypes.DoubleType)
            .add("origin", DataTypes.StringType);
    Dataset<Row> rows =
        rows(
            schema, new Object[] {7, 12L, 300, null, "ORD"}, new Object[] {8, 0L, null, 5.5, null});

    StructType signature = MlflowModelDirectory.signatureTypes(schema, rows);

    assertThat(Stream.of(signature.fields()).map(MlflowModelDirectory::mlflowType).toList())
        .containsExactly("integer", "long", "double", "double", "string");
    assertThat(signature.fieldNames()).isEqualTo(schema.fieldNames());
  }

  @Test
  void mlmodelOfAnXGBoostPipelineLoadsThePyfuncWithItsOwnLoaderFromTheCodeFolder() {
    StructType inputs = new StructType().add("hour", DataTypes.IntegerType);

    String mlmodel =
        MlflowModelDirectory.mlmodel("abc123", inputs, 4096, MlflowModelDirectory.Pyfunc.XGBOOST);

    assertThat(mlmodel)
        .contains("  python_function:\n    code: code\n    data: sparkml-pyfunc\n")
        .contains("    loader_module: lakepipe_xgboost_pyfunc\n")
        // The spark flavor is the same as for any pipeline.
        .contains("  spark:\n    code: null\n    model_class: pyspark.ml.pipeline.PipelineModel\n");
  }

  @Test
  void mlflowVersionIsTheOneTheSetUpInstalls() throws IOException {
    List<String> pins =
        Files.readAllLines(lakepipeHome().resolve("infra/python/requirements-mlflow.txt"));

    assertThat(pins)
        .contains(
            "mlflow==" + MlflowModelDirectory.MLFLOW_VERSION,
            "pyspark==" + MlflowModelDirectory.SPARK_VERSION);
  }

  @Test
  void pyfuncPipelineGivesSparksProbabilityForTheInputsPandasMakes() {
    Dataset<Row> train = flights(200, 1);
    PipelineModel model = fit(train);
    StructType inputs = train.select(inputColumns()).schema();
    Dataset<Row> typed = train.select(inputColumns()).limit(40);
    // What MLflow's pyfunc hands Spark: pandas turns an integer column with a missing value into
    // doubles with NaN, and a missing double into NaN.
    Dataset<Row> fromPandas =
        typed.selectExpr(
            "origin",
            "coalesce(distance, double('NaN')) AS distance",
            "coalesce(CAST(hour AS DOUBLE), double('NaN')) AS hour");

    PipelineModel pyfunc = MlflowModelDirectory.pyfuncPipeline(model, inputs, train);
    double[] expected = probabilities(model, typed);
    double[] actual =
        pyfunc.transform(fromPandas).select("prediction").collectAsList().stream()
            .mapToDouble(r -> r.getDouble(0))
            .toArray();

    assertThat(typed.where("hour IS NULL").count()).isPositive();
    assertThat(pyfunc.transform(fromPandas).columns()).containsExactly("prediction");
    assertThat(actual).containsExactly(expected);
  }

  @Test
  void writesTheModelTheExampleAndTheEnvironment() throws IOException {
    Dataset<Row> train = flights(200, 2);
    StructType inputs = train.select(inputColumns()).schema();
    List<Row> first = train.limit(MlflowModelDirectory.INPUT_EXAMPLE_ROWS).collectAsList();

    Path model =
        MlflowModelDirectory.write(
            fit(train), inputs, train, dir.resolve("model"), "r1", staging());

    assertThat(model.resolve("sparkml/metadata")).isDirectory();
    assertThat(model.resolve("sparkml-pyfunc/metadata")).isDirectory();
    assertThat(model.resolve("requirements.txt")).hasContent("mlflow==3.17.2\npyspark==3.5.7");
    assertThat(model.resolve("python_env.yaml")).content().contains("- -r requirements.txt");
    assertThat(model.resolve("conda.yaml")).content().contains("  - pyspark==3.5.7");
    assertThat(model.resolve("MLmodel")).content().contains("run_id: r1");
    ObjectMapper json = new ObjectMapper();
    var example = json.readTree(model.resolve("input_example.json").toFile());
    assertThat(example.path("columns").toString()).isEqualTo("[\"origin\",\"distance\",\"hour\"]");
    assertThat(example.path("data")).hasSize(MlflowModelDirectory.INPUT_EXAMPLE_ROWS);
    for (int i = 0; i < first.size(); i++) {
      var values = example.path("data").get(i);
      Row row = first.get(i);
      assertThat(values.get(0).isNull()).isEqualTo(row.isNullAt(0));
      assertThat(values.get(1).isNull() ? null : values.get(1).asDouble()).isEqualTo(row.get(1));
      // The nullable integer is written as the double its signature type says.
      assertThat(values.get(2).isNull() || values.get(2).isDouble()).isTrue();
    }
    assertThat(
            json.readTree(model.resolve("serving_input_example.json").toFile())
                .path("dataframe_split"))
        .isEqualTo(example);
    // Only a pipeline with XGBoost needs a jar and a loader of its own.
    assertThat(model.resolve(XGBoostPyfunc.JARS)).doesNotExist();
    assertThat(model.resolve(XGBoostPyfunc.CODE)).doesNotExist();
    assertThat(model.resolve("MLmodel"))
        .content()
        .contains("    loader_module: mlflow.spark\n")
        .doesNotContain("    code: code\n");
  }

  @Test
  void xgboostPipelineCarriesXGBoostsJarThePysparkClassOfItsStageAndTheLoader() throws IOException {
    Dataset<Row> train = flights(200, 4);
    StructType inputs = train.select(inputColumns()).schema();

    Path model =
        MlflowModelDirectory.write(
            fitXGBoost(train), inputs, train, dir.resolve("model"), "r1", staging());

    List<String> entries;
    try (ZipFile jar = new ZipFile(model.resolve("jars/xgboost4j-spark.jar").toFile())) {
      entries = jar.stream().map(ZipEntry::getName).toList();
    }
    assertThat(entries)
        .contains(
            "ml/dmlc/xgboost4j/scala/spark/XGBoostClassificationModel.class",
            "ml/dmlc/xgboost4j/java/XGBoostJNI.class",
            "org/apache/spark/ml/xgboost/SparkUtils.class",
            "lib/linux/x86_64/libxgboost4j.so",
            "lib/macos/aarch64/libxgboost4j.dylib");
    assertThat(model.resolve("code/lakepipe_xgboost_pyfunc.py"))
        .content()
        .contains("def _load_pyfunc(path: str)");
    assertThat(model.resolve("code/ml/dmlc/xgboost4j/scala/spark/__init__.py"))
        .content()
        .contains("class XGBoostClassificationModel(");
    assertThat(model.resolve("code/ml/dmlc/xgboost4j/scala/__init__.py")).isRegularFile();
    assertThat(model.resolve("MLmodel"))
        .content()
        .contains("    code: code\n")
        .contains("    loader_module: lakepipe_xgboost_pyfunc\n");
  }

  @Test
  void torchPipelineCarriesItsOnnxFileAsTheOnnxFlavorAndTheLoaderThatScoresIt() throws IOException {
    Dataset<Row> train = flights(300, 5);
    StructType inputs = train.select(inputColumns()).schema();
    PipelineModel fitted = fitTorch(train);

    Path model =
        MlflowModelDirectory.write(fitted, inputs, train, dir.resolve("model"), "r1", staging());

    TorchModel network = (TorchModel) fitted.stages()[fitted.stages().length - 1];
    assertThat(model.resolve("model.onnx")).hasBinaryContent(network.onnx());
    assertThat(model.resolve("code/lakepipe_onnx_pyfunc.py"))
        .content()
        .contains("def _load_pyfunc(path: str)");
    // The JVM jobs load the Spark flavor; Python scores the ONNX file, no Spark pipeline for it.
    assertThat(model.resolve(MlflowModelDirectory.SPARK_MODEL_DATA)).isDirectory();
    assertThat(model.resolve(MlflowModelDirectory.PYFUNC_MODEL_DATA)).doesNotExist();
    assertThat(model.resolve("requirements.txt"))
        .content()
        .contains("onnxruntime==" + TorchPyfunc.ONNXRUNTIME_VERSION);
    assertThat(model.resolve("MLmodel"))
        .content()
        .contains("    code: code\n")
        .contains("    data: model.onnx\n")
        .contains("    loader_module: lakepipe_onnx_pyfunc\n")
        .contains("  onnx:\n")
        .contains("    providers:\n    - CPUExecutionProvider\n");
  }

  @Test
  void pipelineWithoutAClassifierAtTheEndIsRefusedWithTheReason() {
    Dataset<Row> train = flights(20, 3).na().fill(0.0);
    PipelineModel assembler =
        new Pipeline()
            .setStages(
                new PipelineStage[] {
                  new VectorAssembler()
                      .setInputCols(new String[] {"distance"})
                      .setOutputCol("features")
                })
            .fit(train);

    assertThatThrownBy(
            () ->
                MlflowModelDirectory.write(
                    assembler,
                    train.select("distance").schema(),
                    train,
                    dir.resolve("model"),
                    "r1",
                    staging()))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("a pipeline ending with VectorAssembler")
        .hasMessageContaining("its last stage is not a probabilistic classifier");
  }
}
