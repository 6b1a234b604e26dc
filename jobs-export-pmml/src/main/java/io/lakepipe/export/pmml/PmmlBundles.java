// SPDX-License-Identifier: AGPL-3.0-only
package io.lakepipe.export.pmml;

import io.lakepipe.core.LakepipeErrors;
import io.lakepipe.train.torch.TorchModel;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.dmg.pmml.OutputField;
import org.dmg.pmml.PMML;
import org.dmg.pmml.ResultFeature;
import org.dmg.pmml.VisitorAction;
import org.jpmml.model.metro.MetroJAXBSerializer;
import org.jpmml.model.visitors.AbstractVisitor;
import org.jpmml.sparkml.ConverterFactory;
import org.jpmml.sparkml.PMMLBuilder;

/**
 * Builds the bundle of a fitted binary classifier pipeline: its PMML, written by JPMML-SparkML, or
 * for a pipeline ending in the torch family's {@link TorchModel}, that model's own ONNX file (see
 * {@link ModelFormat#of}). A pure function of the pipeline, its input schema and the version's
 * facts: the same inputs give the same bytes (the PMML header carries no timestamp), so
 * re-exporting a version rewrites the same bundle.
 */
public final class PmmlBundles {
  /** The class whose probability the bundle's output field holds: delayed. */
  static final String POSITIVE_CLASS = "1";

  private PmmlBundles() {}

  /**
   * The bundle of {@code model}, in the format {@link ModelFormat#of} gives it.
   *
   * @param inputs the columns the pipeline reads, with the types it was fitted on (see {@link
   *     PipelineInputs#schema})
   * @throws io.lakepipe.core.LakepipeException naming the stage, when a stage has no PMML form
   */
  public static PmmlBundle build(PipelineModel model, StructType inputs, ExportedVersion version) {
    return switch (ModelFormat.of(model)) {
      case ONNX -> onnx((TorchModel) PipelineInputs.lastStage(model), inputs, version);
      case PMML -> pmml(model, inputs, version);
    };
  }

  /**
   * The torch model's ONNX file as it is: it reads the raw inputs, replaces missing values and
   * knows its categories itself, so the bundle needs no output field.
   */
  private static PmmlBundle onnx(TorchModel torch, StructType inputs, ExportedVersion version) {
    return bundle(version, ModelFormat.ONNX, torch.onnx(), null, fields(inputs, version));
  }

  private static PmmlBundle pmml(PipelineModel model, StructType inputs, ExportedVersion version) {
    ProbabilisticClassificationModel<?, ?> classifier = classifier(model, version);
    List<BundleMetadata.Input> fields = fields(inputs, version);
    PMML pmml = convert(model, withLabel(inputs, classifier.getLabelCol()), version);
    SparkFidelity.apply(pmml);
    // The conversion time would make every export of the same version differ.
    if (pmml.getHeader() != null) {
      pmml.getHeader().setTimestamp(null);
    }
    return bundle(
        version,
        ModelFormat.PMML,
        serialize(pmml),
        positiveProbabilityField(pmml, version),
        fields);
  }

  /** A bundle of {@code version}'s model file, whose metadata states the file's checksum. */
  private static PmmlBundle bundle(
      ExportedVersion version,
      ModelFormat format,
      byte[] model,
      String outputField,
      List<BundleMetadata.Input> fields) {
    return new PmmlBundle(
        model,
        new BundleMetadata(
            version.modelName(),
            version.version(),
            version.runId(),
            version.threshold(),
            format,
            outputField,
            fields,
            version.metrics(),
            sha256(model),
            version.createdAt()));
  }

  /** The bundle's inputs: the columns with their types as {@link #inputType} names them. */
  private static List<BundleMetadata.Input> fields(StructType inputs, ExportedVersion version) {
    List<BundleMetadata.Input> fields = new ArrayList<>();
    for (StructField field : inputs.fields()) {
      fields.add(new BundleMetadata.Input(field.name(), inputType(field, version)));
    }
    return fields;
  }

  /** The hex SHA-256 of some bytes. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every Java runtime has SHA-256", e);
    }
  }

  private static ProbabilisticClassificationModel<?, ?> classifier(
      PipelineModel model, ExportedVersion version) {
    Transformer last = PipelineInputs.lastStage(model);
    if (!(last instanceof ProbabilisticClassificationModel<?, ?> classifier)
        || classifier.numClasses() != 2) {
      throw LakepipeErrors.bundleInvalid(
          version.modelName(),
          version.version(),
          last == null
              ? "the pipeline has no stage"
              : "its last stage, "
                  + last.getClass().getSimpleName()
                  + ", is not a binary probabilistic classifier");
    }
    return classifier;
  }

  /**
   * The schema JPMML-SparkML converts against: the inputs and the label, which names the PMML
   * target field. The label is declared as the training reads it, a double of 0 or 1.
   */
  private static StructType withLabel(StructType inputs, String label) {
    return List.of(inputs.fieldNames()).contains(label)
        ? inputs
        : inputs.add(label, DataTypes.DoubleType, true);
  }

  /** The pipeline as PMML, or an error naming the stage that has no PMML form and why. */
  private static PMML convert(PipelineModel model, StructType schema, ExportedVersion version) {
    // First the stages without a converter at all: the clearest case, found without converting.
    ConverterFactory factory = new ConverterFactory(Map.of());
    Map<String, Transformer> converters = new LinkedHashMap<>();
    for (Transformer stage : PipelineInputs.stages(model)) {
      try {
        converters.put(factory.newConverter(stage).getClass().getName(), stage);
      } catch (RuntimeException | LinkageError e) {
        throw LakepipeErrors.stageNotInPmml(
            describe(stage), version.modelName(), version.version(), reason(e));
      }
    }
    try {
      return new PMMLBuilder(schema, model).build();
    } catch (RuntimeException | LinkageError e) {
      // A converter that fails names itself in the stack; its stage is the one to report.
      Transformer culprit = null;
      for (Throwable t = e; t != null && culprit == null; t = t.getCause()) {
        for (StackTraceElement frame : t.getStackTrace()) {
          culprit = converters.get(frame.getClassName());
          if (culprit != null) {
            break;
          }
        }
      }
      throw LakepipeErrors.stageNotInPmml(
          culprit == null ? "(unknown)" : describe(culprit),
          version.modelName(),
          version.version(),
          reason(e));
    }
  }

  /**
   * The output field JPMML-SparkML named for P(class 1), such as {@code probability(1)}: on the
   * model itself, or on the last model of a chain (gradient-boosted trees end in a logistic
   * regression over the trees' sum).
   */
  private static String positiveProbabilityField(PMML pmml, ExportedVersion version) {
    List<String> found = new ArrayList<>();
    new AbstractVisitor() {
      @Override
      public VisitorAction visit(OutputField field) {
        if (field.getResultFeature() == ResultFeature.PROBABILITY
            && field.getValue() != null
            && POSITIVE_CLASS.equals(String.valueOf(field.getValue()).replaceAll("\\.0$", ""))) {
          found.add(field.getName());
        }
        return super.visit(field);
      }
    }.applyTo(pmml);
    if (found.isEmpty()) {
      throw LakepipeErrors.bundleInvalid(
          version.modelName(),
          version.version(),
          "its PMML has no output field for the probability of class " + POSITIVE_CLASS);
    }
    return found.get(0);
  }

  /**
   * The bundle's name of a column type, one of the four the scorer validates requests against: a
   * float travels as a double, a short or byte as an integer.
   */
  static String inputType(StructField field, ExportedVersion version) {
    DataType type = field.dataType();
    if (type instanceof DoubleType || type instanceof FloatType) {
      return "double";
    }
    if (type instanceof LongType) {
      return "long";
    }
    if (type instanceof IntegerType || type instanceof ShortType || type instanceof ByteType) {
      return "integer";
    }
    if (type instanceof StringType) {
      return "string";
    }
    throw LakepipeErrors.bundleInvalid(
        version.modelName(),
        version.version(),
        "its input column "
            + field.name()
            + " is of type "
            + type.simpleString()
            + ", which the bundle has no type for (double, long, integer or string)");
  }

  private static byte[] serialize(PMML pmml) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      new MetroJAXBSerializer().serializePretty(pmml, out);
    } catch (jakarta.xml.bind.JAXBException e) {
      throw new IllegalStateException("JAXB cannot write the PMML document", e);
    }
    return out.toByteArray();
  }

  private static String describe(Transformer stage) {
    return stage.uid() + " (" + stage.getClass().getName() + ")";
  }

  /** JPMML's own words: the innermost message, or the error's class for a linkage error. */
  private static String reason(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? "" : root.getMessage();
    return root instanceof LinkageError || message.isBlank()
        ? root.getClass().getName() + (message.isBlank() ? "" : ": " + message)
        : message;
  }
}
