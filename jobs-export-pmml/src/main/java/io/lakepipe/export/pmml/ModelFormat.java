// SPDX-License-Identifier: AGPL-3.0-only
package io.lakepipe.export.pmml;

import io.lakepipe.train.torch.TorchModel;
import org.apache.spark.ml.PipelineModel;

/**
 * The format of a bundle's model, as the scorer's bundle.json contract names it: the file the
 * bundle holds beside bundle.json, and the bundle.json key of that file's SHA-256.
 */
public enum ModelFormat {
  /** The pipeline as PMML, written by JPMML-SparkML; the scorer's default format. */
  PMML("pmml", PmmlBundle.PMML_FILE, "pmml_sha256"),
  /** The torch family's own ONNX file, which reads the raw inputs. */
  ONNX("onnx", PmmlBundle.ONNX_FILE, "model_sha256");

  private final String jsonName;
  private final String file;
  private final String checksumKey;

  ModelFormat(String jsonName, String file, String checksumKey) {
    this.jsonName = jsonName;
    this.file = file;
    this.checksumKey = checksumKey;
  }

  /** The name bundle.json's {@code format} gives it. */
  public String jsonName() {
    return jsonName;
  }

  /** The model's file name in the bundle. */
  public String file() {
    return file;
  }

  /** The bundle.json key holding the hex SHA-256 of {@link #file()}. */
  public String checksumKey() {
    return checksumKey;
  }

  /**
   * The format {@code model} is exported in: ONNX when its last stage is a {@link TorchModel}
   * (whose ONNX file is the whole pipeline from the raw inputs), PMML otherwise.
   */
  public static ModelFormat of(PipelineModel model) {
    return PipelineInputs.lastStage(model) instanceof TorchModel ? ONNX : PMML;
  }
}
