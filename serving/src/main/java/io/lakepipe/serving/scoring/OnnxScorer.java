// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.scoring;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.lakepipe.serving.ServingErrors;
import io.lakepipe.serving.bundle.Bundle;
import io.lakepipe.serving.bundle.InputField;
import io.lakepipe.serving.bundle.InputType;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Scorer} of ONNX bundles, through ONNX Runtime: one session per loaded model, whose
 * {@code run} is safe from many threads at once, in the process's one ONNX Runtime environment.
 *
 * <p>The model does all the work, missing values and unknown categories included: a number travels
 * as float32 with NaN for missing, a category as a string with "" for missing, each input a column
 * of shape [N, 1] (see {@link OnnxContract}). A record the model gives NaN for is refused as
 * unscorable, as the PMML scorer refuses one without a probability. A batch is one {@code run}.
 *
 * <p>The session holds native memory that the garbage collector does not see, and nothing tells
 * when the last request has finished with a model that a reload replaced (a request keeps its model
 * to its end). So the session is closed once the scorer is unreachable, by a {@link Cleaner}: never
 * under a running request, and never on the next reload's heels either.
 */
final class OnnxScorer implements Scorer {
  private static final Logger LOG = LoggerFactory.getLogger(OnnxScorer.class);
  private static final Cleaner SESSIONS = Cleaner.create();

  private final OrtEnvironment environment;
  private final OrtSession session;
  private final List<InputField> inputs;
  private final OnnxContract contract;
  private final String location;

  private OnnxScorer(
      OrtEnvironment environment,
      OrtSession session,
      List<InputField> inputs,
      OnnxContract contract,
      String location) {
    this.environment = environment;
    this.session = session;
    this.inputs = inputs;
    this.contract = contract;
    this.location = location;
    SESSIONS.register(this, new SessionCloser(session, location));
  }

  /**
   * Starts a session on the bundle's model.onnx and checks it against bundle.json ({@link
   * OnnxContract}).
   *
   * @throws io.lakepipe.serving.BundleException when the model cannot be loaded or disagrees
   */
  static OnnxScorer of(Bundle bundle) {
    String location = bundle.location();
    OrtEnvironment environment;
    try {
      environment = OrtEnvironment.getEnvironment();
    } catch (RuntimeException | LinkageError e) {
      // The native library failed to unpack or load (an unwritable or noexec java.io.tmpdir).
      throw ServingErrors.onnxRuntimeUnavailable(location, e);
    }
    OrtSession session;
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      // The request threads are the parallelism: a pool per session would contend with them for
      // the cores, and a run of a small model gains nothing from being split.
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      session = environment.createSession(bundle.model(), options);
    } catch (OrtException e) {
      throw ServingErrors.onnxUnreadable(location, e);
    }
    try {
      OnnxContract contract = OnnxContract.check(location, session, bundle.manifest().inputs());
      return new OnnxScorer(environment, session, bundle.manifest().inputs(), contract, location);
    } catch (OrtException e) {
      close(session, location);
      throw ServingErrors.onnxUnreadable(location, e);
    } catch (RuntimeException e) {
      close(session, location);
      throw e;
    }
  }

  @Override
  public List<InputField> inputs() {
    return inputs;
  }

  @Override
  public Prediction score(Map<String, Object> record) {
    return scoreAll(List.of(record)).get(0);
  }

  @Override
  public List<Prediction> scoreAll(List<Map<String, Object>> records) {
    if (records.isEmpty()) {
      return List.of();
    }
    try {
      float[] probabilities = run(records);
      List<Prediction> predictions = new ArrayList<>(records.size());
      for (int i = 0; i < probabilities.length; i++) {
        InputReport report = InputReport.of(inputs, contract.knownCategories(), records.get(i));
        if (Float.isNaN(probabilities[i])) {
          throw new UnscorableRecordException(report.missingInputs());
        }
        predictions.add(report.prediction(probabilities[i]));
      }
      return predictions;
    } finally {
      // The cleaner must not close the session while a run uses it.
      Reference.reachabilityFence(this);
    }
  }

  private float[] run(List<Map<String, Object>> records) {
    int rows = records.size();
    Map<String, OnnxTensor> tensors = new HashMap<>();
    try {
      for (InputField input : contract.inputs()) {
        tensors.put(input.name(), column(input, records));
      }
      try (OrtSession.Result result = session.run(tensors, Set.of(OnnxContract.OUTPUT))) {
        OnnxValue output =
            result
                .get(OnnxContract.OUTPUT)
                .orElseThrow(() -> new IllegalStateException("ONNX Runtime gave no probability"));
        FloatBuffer values = ((OnnxTensor) output).getFloatBuffer();
        if (values == null || values.remaining() != rows) {
          throw new IllegalStateException(
              "model.onnx at "
                  + location
                  + " gave "
                  + (values == null ? "no floats" : values.remaining() + " probabilities")
                  + " for "
                  + rows
                  + " records");
        }
        float[] probabilities = new float[rows];
        values.get(probabilities);
        return probabilities;
      }
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
    } finally {
      tensors.values().forEach(OnnxTensor::close);
    }
  }

  /** One input of every record as a [N, 1] column: float32 with NaN, or strings with "". */
  private OnnxTensor column(InputField input, List<Map<String, Object>> records)
      throws OrtException {
    long[] shape = {records.size(), 1};
    if (input.type() == InputType.STRING) {
      String[] values = new String[records.size()];
      for (int i = 0; i < values.length; i++) {
        Object value = records.get(i).get(input.name());
        values[i] = value == null ? "" : value.toString();
      }
      return OnnxTensor.createTensor(environment, values, shape);
    }
    float[] values = new float[records.size()];
    for (int i = 0; i < values.length; i++) {
      Object value = records.get(i).get(input.name());
      values[i] = value == null ? Float.NaN : ((Number) value).floatValue();
    }
    return OnnxTensor.createTensor(environment, FloatBuffer.wrap(values), shape);
  }

  private static void close(OrtSession session, String location) {
    try {
      session.close();
    } catch (OrtException | RuntimeException e) {
      LOG.warn("Closing the ONNX Runtime session of {} failed: {}", location, e.toString());
    }
  }

  /** Closes a session once its scorer is unreachable; holds no reference to the scorer. */
  private record SessionCloser(OrtSession session, String location) implements Runnable {
    @Override
    public void run() {
      close(session, location);
    }
  }
}
