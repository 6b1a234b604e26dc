// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.torch;

import java.util.List;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deep-learning family: an MLP over the standardised numbers and learnt embeddings of the
 * categories, trained with PyTorch through Spark ({@link TorchTraining}), giving a {@link
 * TorchModel} that scores the raw inputs through its ONNX file. Reads prepared rows: the raw
 * numbers and each category's StringIndexer index column.
 *
 * <p>The trainer's Python is the Spark setting {@value #PYTHON_CONF} (lakepipe.spark.conf sets it
 * to the virtualenv that {@code ./lakepipe setup} installs); every host that runs the tasks needs
 * it at that path.
 */
public final class TorchClassifier extends Estimator<TorchModel> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(TorchClassifier.class);
  public static final String PYTHON_CONF = "spark.lakepipe.torch.python";

  private final String uid;
  private final TorchSettings settings;

  public TorchClassifier(TorchSettings settings) {
    this(Identifiable.randomUID("torch_classifier"), settings);
  }

  private TorchClassifier(String uid, TorchSettings settings) {
    this.uid = uid;
    this.settings = settings;
  }

  @Override
  public String uid() {
    return uid;
  }

  public TorchSettings settings() {
    return settings;
  }

  @Override
  public TorchModel fit(Dataset<?> dataset) {
    Dataset<Row> prepared = dataset.toDF();
    TorchInputs inputs = TorchInputs.of(prepared, settings);
    String python =
        SparkSession.active()
            .conf()
            .getOption(PYTHON_CONF)
            .getOrElse(
                () -> {
                  throw new IllegalStateException(
                      "The torch family needs "
                          + PYTHON_CONF
                          + ", the Python with PyTorch that trains it (./lakepipe setup installs"
                          + " .lakepipe/venv-torch)");
                });
    long started = System.nanoTime();
    TorchTraining.Result result = TorchTraining.train(prepared, settings, inputs, python);
    TrainingHistory history = TrainingHistory.parse(result.history());
    List<Double> losses = history.epochLosses();
    LOG.info(
        "torch: {} epochs by {} processes in {} s ({} s in all), last loss {}",
        losses.size(),
        history.processes(),
        String.format(java.util.Locale.ROOT, "%.1f", history.seconds()),
        String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - started) / 1e9),
        losses.isEmpty() ? "none" : losses.get(losses.size() - 1));
    return new TorchModel(Identifiable.randomUID("torch_model"), result.onnx(), inputs, history)
        .setParent(this);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return TorchModel.withScoredColumns(
        schema,
        java.util.stream.Stream.concat(
                settings.numeric().stream(), settings.categoryIndexes().stream())
            .toList());
  }

  @Override
  public TorchClassifier copy(ParamMap extra) {
    return copyValues(new TorchClassifier(uid, settings), extra);
  }
}
