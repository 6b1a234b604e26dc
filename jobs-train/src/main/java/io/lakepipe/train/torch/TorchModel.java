// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.torch;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Option;

/**
 * The trained network: its ONNX file, scored inside Spark's tasks by ONNX Runtime (distributed
 * inference), from the raw input columns, as the Spark-free scorer scores it. Adds Spark's
 * classifier columns: {@code probability} (a vector of both classes') and {@code prediction}. Saved
 * with a pipeline as Spark ML saves its own stages, the ONNX file in {@code data/}.
 */
public final class TorchModel extends Model<TorchModel> implements MLWritable {
  private static final long serialVersionUID = 1L;
  public static final String PROBABILITY = "probability";
  public static final String PREDICTION = "prediction";
  private static final String ONNX_FILE = "data/model.onnx";
  private static final String INPUTS_FILE = "data/inputs.json";

  private final String uid;
  private final byte[] onnx;
  private final TorchInputs inputs;
  private final TrainingHistory history;

  TorchModel(String uid, byte[] onnx, TorchInputs inputs, TrainingHistory history) {
    this.uid = uid;
    this.onnx = onnx.clone();
    this.inputs = inputs;
    this.history = history;
  }

  @Override
  public String uid() {
    return uid;
  }

  /** The self-contained ONNX file: what the Spark-free scorer serves. */
  public byte[] onnx() {
    return onnx.clone();
  }

  public TorchInputs inputs() {
    return inputs;
  }

  /** How the network was trained; {@link TrainingHistory#NONE} for a loaded model. */
  public TrainingHistory history() {
    return history;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return withScoredColumns(schema, inputNames());
  }

  /**
   * {@code schema}, which must hold {@code inputs}, with the classifier columns the network adds:
   * the schema of the classifier's fit and of the model's scoring alike.
   */
  static StructType withScoredColumns(StructType schema, List<String> inputs) {
    for (String name : inputs) {
      schema.apply(name);
    }
    return schema
        .add(PROBABILITY, new VectorUDT(), false)
        .add(PREDICTION, DataTypes.DoubleType, false);
  }

  private List<String> inputNames() {
    List<String> names = new ArrayList<>();
    inputs.numbers().forEach(n -> names.add(n.name()));
    inputs.categories().forEach(c -> names.add(c.name()));
    return names;
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType in = dataset.schema();
    StructType out = transformSchema(in);
    int[] numberAt = inputs.numbers().stream().mapToInt(n -> in.fieldIndex(n.name())).toArray();
    int[] categoryAt =
        inputs.categories().stream().mapToInt(c -> in.fieldIndex(c.name())).toArray();
    List<String> numberNames =
        inputs.numbers().stream().map(TorchInputs.NumberInput::name).toList();
    List<String> categoryNames =
        inputs.categories().stream().map(TorchInputs.CategoryInput::name).toList();
    byte[] model = onnx;
    String key = uid + ":" + sha256(onnx);
    int width = in.size();
    MapPartitionsFunction<Row, Row> score =
        rows ->
            new ScoredRows(
                rows,
                OnnxScoring.session(key, model),
                numberNames,
                numberAt,
                categoryNames,
                categoryAt,
                width);
    return dataset.toDF().mapPartitions(score, Encoders.row(out));
  }

  @Override
  public TorchModel copy(ParamMap extra) {
    return copyValues(new TorchModel(uid, onnx, inputs, history), extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  public static MLReader<TorchModel> read() {
    return new Reader();
  }

  public static TorchModel load(String path) {
    return read().load(path);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final class Writer extends MLWriter {
    private final TorchModel model;

    Writer(TorchModel model) {
      this.model = model;
    }

    @Override
    public void saveImpl(String path) {
      DefaultParamsWriter$.MODULE$.saveMetadata(
          model, path, sparkSession().sparkContext(), Option.empty(), Option.empty());
      try {
        FileSystem fs = new Path(path).getFileSystem(sparkSession().sessionState().newHadoopConf());
        try (OutputStream out = fs.create(new Path(path, ONNX_FILE))) {
          out.write(model.onnx);
        }
        try (OutputStream out = fs.create(new Path(path, INPUTS_FILE))) {
          out.write(new ObjectMapper().writeValueAsBytes(model.inputs));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static final class Reader extends MLReader<TorchModel> {
    @Override
    public TorchModel load(String path) {
      var metadata =
          DefaultParamsReader$.MODULE$.loadMetadata(
              path, sparkSession().sparkContext(), TorchModel.class.getName());
      try {
        FileSystem fs = new Path(path).getFileSystem(sparkSession().sessionState().newHadoopConf());
        byte[] onnx;
        try (FSDataInputStream in = fs.open(new Path(path, ONNX_FILE))) {
          onnx = in.readAllBytes();
        }
        TorchInputs inputs;
        try (FSDataInputStream in = fs.open(new Path(path, INPUTS_FILE))) {
          inputs = new ObjectMapper().readValue((java.io.InputStream) in, TorchInputs.class);
        }
        return new TorchModel(metadata.uid(), onnx, inputs, TrainingHistory.NONE);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
