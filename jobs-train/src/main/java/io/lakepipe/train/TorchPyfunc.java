// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train;

import io.lakepipe.train.torch.TorchModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.spark.ml.PipelineModel;

/**
 * What a model directory of the deep-learning family holds beside its Spark flavor: the network's
 * ONNX file ({@code model.onnx}, MLflow's {@code onnx} flavor, which {@code mlflow.onnx.load_model}
 * reads) and {@code code/lakepipe_onnx_pyfunc.py}, the {@code python_function} flavor's loader,
 * which scores the file with ONNX Runtime from a pandas frame of the raw inputs, without Spark.
 */
final class TorchPyfunc {
  /** The python_function flavor's loader module, in {@link XGBoostPyfunc#CODE}. */
  static final String LOADER_MODULE = "lakepipe_onnx_pyfunc";

  /** The ONNX file: the onnx flavor's and the python_function flavor's data. */
  static final String ONNX_FILE = "model.onnx";

  /** The onnx package the set-up installs with MLflow: infra/python/requirements-mlflow.txt. */
  static final String ONNX_VERSION = "1.23.2";

  static final String ONNXRUNTIME_VERSION = "1.32.0";

  private TorchPyfunc() {}

  /** The pipeline's network, if it is one of the deep-learning family. */
  static Optional<TorchModel> torchStage(PipelineModel model) {
    return Stream.of(model.stages())
        .filter(s -> s instanceof TorchModel)
        .map(TorchModel.class::cast)
        .findFirst();
  }

  /** Writes the ONNX file and the loader into the model directory {@code dir}. */
  static void write(TorchModel network, Path dir) throws IOException {
    Files.write(dir.resolve(ONNX_FILE), network.onnx());
    Path loader = dir.resolve(XGBoostPyfunc.CODE).resolve(LOADER_MODULE + ".py");
    Files.createDirectories(loader.getParent());
    try (InputStream in =
        TorchPyfunc.class.getResourceAsStream("pyfunc/code/" + LOADER_MODULE + ".py")) {
      if (in == null) {
        throw new IllegalStateException(
            "Resource pyfunc/code/"
                + LOADER_MODULE
                + ".py is missing: the jobs-train build is broken");
      }
      Files.copy(in, loader);
    }
  }
}
