// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.lakepipe.serving.BundleException;
import io.lakepipe.serving.RequestRefusedException;
import io.lakepipe.serving.ServingErrors;
import io.lakepipe.serving.bundle.BundleManifest;
import io.lakepipe.serving.metrics.ServiceMetrics;
import io.lakepipe.serving.predictionlog.PredictionLog;
import io.lakepipe.serving.reload.LoadedModel;
import io.lakepipe.serving.reload.ModelHolder;
import io.lakepipe.serving.reload.Reloader;
import io.lakepipe.serving.scoring.Prediction;
import io.lakepipe.serving.scoring.UnscorableRecordException;
import io.lakepipe.serving.shadow.ShadowScoring;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoints. Every one answers JSON (metrics excepted), is timed and counted in {@link
 * ServiceMetrics}, and needs the bearer token when one is configured, /health excepted:
 *
 * <ul>
 *   <li>{@code POST /predict}: one record (a JSON object) gives {@code {"probability", "delayed",
 *       "model_name", "model_version"}}, plus {@code "unknown_categories"} when the record has any;
 *       an array of records or {@code {"records": [...]}} gives {@code {"predictions": [...],
 *       "model_name", "model_version"}}. A whole request is scored by one model, even across a
 *       reload.
 *   <li>{@code POST /invocations}: MLflow's scoring formats ({@link InvocationParser}) give
 *       MLflow's answer for lakepipe's models, {@code {"predictions": [p, ...]}}, P(label = 1) per
 *       row; the same limits, token and body budget as /predict.
 *   <li>{@code GET /health}: 200 {@code {"status": "ok", "model_name", "model_version"}}, or 503
 *       while no model is loaded.
 *   <li>{@code GET /metrics}: Prometheus text.
 *   <li>{@code POST /admin/reload}: loads the bundle again from its source and swaps it in, and the
 *       shadow's too when there is one ({@code "shadow_version"} in the answer); only when the
 *       service has a token.
 * </ul>
 *
 * <p>With a shadow model, /predict and /invocations hand their parsed records and answers to it
 * once the answer is made ({@link ShadowScoring#offer}); the answer never waits for the shadow.
 * With a prediction log, they hand it every answer the same way ({@link PredictionLog#offer}).
 *
 * <p>Refused requests get their 4xx status and {@code {"error": "...", "field": "<input or null>"}}
 * (with {@code "index"} for a record of a batch); an internal failure is a 500 with a message. On
 * /invocations the same status and message come in MLflow's shape, {@code {"error_code":
 * "BAD_REQUEST", "message": "...", "field", "index"}} (field and index when known), so that MLflow
 * clients read them. Nothing a client sends can stop the service.
 */
public final class Routes {
  private static final Logger LOG = LoggerFactory.getLogger(Routes.class);
  private static final JsonFactory JSON = new JsonFactory();
  private static final String JSON_TYPE = "application/json";
  // A body over the limit is read and dropped up to this many times the limit, so that the client
  // gets
  // its 413 on a healthy connection; beyond that the connection is closed.
  private static final int DRAIN_FACTOR = 8;
  private static final String ENDPOINTS =
      "POST /predict, POST /invocations, GET /health, GET /metrics or POST /admin/reload";

  /** How an endpoint writes its errors: lakepipe's own shape, or MLflow's on /invocations. */
  private enum ErrorShape {
    LAKEPIPE,
    MLFLOW
  }

  private final ModelHolder holder;
  private final Reloader reloader;
  private final ShadowScoring shadow;
  private final PredictionLog predictionLog;
  private final ServiceMetrics metrics;
  private final BearerAuth auth;
  private final int maxBatch;
  private final int maxBodyBytes;
  private final BodyBudget bodyBudget;

  public Routes(
      ModelHolder holder,
      Reloader reloader,
      ShadowScoring shadow,
      PredictionLog predictionLog,
      ServiceMetrics metrics,
      BearerAuth auth,
      int maxBatch,
      int maxBodyBytes) {
    this.holder = holder;
    this.reloader = reloader;
    this.shadow = shadow;
    this.predictionLog = predictionLog;
    this.metrics = metrics;
    this.auth = auth;
    this.maxBatch = maxBatch;
    this.maxBodyBytes = maxBodyBytes;
    this.bodyBudget = BodyBudget.ofHeap(maxBodyBytes);
  }

  /** Adds the endpoints and the JSON answers for unknown paths and methods to a Javalin config. */
  public void register(JavalinConfig config) {
    config.http.prefer405over404 = true;
    config.routes.post("/predict", endpoint("predict", true, this::predict));
    config.routes.post(
        "/invocations", endpoint("invocations", true, ErrorShape.MLFLOW, this::invocations));
    config.routes.get("/health", endpoint("health", false, this::health));
    config.routes.get("/metrics", endpoint("metrics", true, this::metrics));
    config.routes.post("/admin/reload", endpoint("reload", true, this::reload));
    config.routes.error(
        404,
        ctx ->
            unmatched(
                ctx,
                "There is no endpoint " + ctx.path() + ": the service answers " + ENDPOINTS + "."));
    config.routes.error(
        405,
        ctx ->
            unmatched(
                ctx,
                ctx.method() + " is not allowed on " + ctx.path() + ": use " + ENDPOINTS + "."));
  }

  private Handler endpoint(String name, boolean needsToken, Handler handler) {
    return endpoint(name, needsToken, ErrorShape.LAKEPIPE, handler);
  }

  private Handler endpoint(String name, boolean needsToken, ErrorShape shape, Handler handler) {
    return ctx -> {
      long start = System.nanoTime();
      String errorReason = null;
      try {
        if (needsToken && !auth.accepts(ctx.header("Authorization"))) {
          ctx.header("WWW-Authenticate", "Bearer");
          throw ServingErrors.unauthorized();
        }
        handler.handle(ctx);
      } catch (RequestRefusedException e) {
        errorReason = e.reason();
        error(ctx, shape, e.status(), e.getMessage(), e.field(), e.index());
      } catch (ServerFailure e) {
        errorReason = e.reason;
        LOG.error("{} {} failed: {}", ctx.method(), ctx.path(), e.getMessage());
        error(ctx, shape, 500, e.getMessage(), null, e.index);
      } catch (Exception | LinkageError e) {
        errorReason = "internal";
        LOG.error("Internal error on {} {}", ctx.method(), ctx.path(), e);
        error(
            ctx,
            shape,
            500,
            "Internal error while serving "
                + name
                + " ("
                + e.getClass().getSimpleName()
                + ": "
                + e.getMessage()
                + "); the service keeps running, and its log has the details.",
            null,
            null);
      } finally {
        metrics.request(name, ctx.statusCode(), errorReason, System.nanoTime() - start);
      }
    };
  }

  private void predict(Context ctx) throws IOException, InterruptedException {
    withBodyBudget(
        ctx,
        () -> {
          byte[] body = readBody(ctx);
          LoadedModel model = holder.current().orElseThrow(ServingErrors::noModel);
          ScoringRequest request =
              new RequestParser(model.scorer().inputs(), maxBatch, predictionLog.keptFields())
                  .parse(body);
          List<Prediction> predictions = score(model, request);
          answerPredict(ctx, model, request, predictions);
          // Once the answer is made: the shadow only reads what the answer was made from.
          shadow.offer(model, request.records(), predictions);
          predictionLog.offer("predict", model, request, predictions);
        });
  }

  private void invocations(Context ctx) throws IOException, InterruptedException {
    withBodyBudget(
        ctx,
        () -> {
          byte[] body = readBody(ctx);
          LoadedModel model = holder.current().orElseThrow(ServingErrors::noModel);
          ScoringRequest request =
              new InvocationParser(model.scorer().inputs(), maxBatch, predictionLog.keptFields())
                  .parse(body);
          List<Prediction> predictions = score(model, request);
          // MLflow's spark pyfunc of a lakepipe model answers P(label = 1) per row, nothing else.
          ByteArrayOutputStream out = new ByteArrayOutputStream(32 + 24 * predictions.size());
          try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeArrayFieldStart("predictions");
            for (Prediction prediction : predictions) {
              json.writeNumber(prediction.probability());
            }
            json.writeEndArray();
            json.writeEndObject();
          }
          ctx.status(200).contentType(JSON_TYPE).result(out.toByteArray());
          shadow.offer(model, request.records(), predictions);
          predictionLog.offer("invocations", model, request, predictions);
        });
  }

  private interface BodyTask {
    void run() throws IOException;
  }

  /** Runs a task that reads the body within the share of the heap the body budget gives it. */
  private void withBodyBudget(Context ctx, BodyTask task) throws IOException, InterruptedException {
    int share;
    try {
      share = bodyBudget.acquire(ctx.req().getContentLengthLong());
    } catch (RequestRefusedException busy) {
      // Its body is left unread: the connection cannot carry another request.
      ctx.header("Retry-After", "1").header("Connection", "close");
      throw busy;
    }
    try {
      task.run();
    } finally {
      bodyBudget.release(share);
    }
  }

  /** Scores every record of a request with one model, and counts them in the metrics. */
  private List<Prediction> score(LoadedModel model, ScoringRequest request) {
    List<Prediction> predictions;
    try {
      // All at once where the model can (one ONNX Runtime run for the batch).
      predictions = model.scorer().scoreAll(request.records());
    } catch (RuntimeException batchFailed) {
      // Again one by one, to answer for the record that fails as if it came alone.
      predictions = scoreOneByOne(model, request);
    }
    predictions.forEach(p -> metrics.scored(1, p.unknownCategories(), p.missingInputs()));
    return predictions;
  }

  private List<Prediction> scoreOneByOne(LoadedModel model, ScoringRequest request) {
    List<Prediction> predictions = new ArrayList<>(request.records().size());
    for (int i = 0; i < request.records().size(); i++) {
      Map<String, Object> record = request.records().get(i);
      try {
        predictions.add(model.scorer().score(record));
      } catch (UnscorableRecordException e) {
        Integer index = request.batch() ? i : null;
        if (e.missingInputs().isEmpty()) {
          // Nothing the client could send differently: the model itself is at fault.
          throw new ServerFailure(
              "scoring",
              ServingErrors.modelGaveNoProbability(index, model.manifest().modelVersion()),
              index);
        }
        throw ServingErrors.unscorable(index, e.missingInputs());
      } catch (RuntimeException e) {
        Integer index = request.batch() ? i : null;
        LOG.error("Model version {} failed on a record", model.manifest().modelVersion(), e);
        throw new ServerFailure(
            "scoring", ServingErrors.modelFailed(index, model.manifest().modelVersion(), e), index);
      }
    }
    return predictions;
  }

  private void answerPredict(
      Context ctx, LoadedModel model, ScoringRequest request, List<Prediction> predictions)
      throws IOException {
    BundleManifest manifest = model.manifest();
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 64 * predictions.size());
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      if (request.batch()) {
        json.writeArrayFieldStart("predictions");
        for (Prediction prediction : predictions) {
          json.writeStartObject();
          writePrediction(json, prediction, model.threshold());
          json.writeEndObject();
        }
        json.writeEndArray();
      } else {
        writePrediction(json, predictions.get(0), model.threshold());
      }
      json.writeStringField("model_name", manifest.modelName());
      json.writeStringField("model_version", manifest.modelVersion());
      json.writeEndObject();
    }
    ctx.status(200).contentType(JSON_TYPE).result(out.toByteArray());
  }

  private static void writePrediction(JsonGenerator json, Prediction prediction, double threshold)
      throws IOException {
    json.writeNumberField("probability", prediction.probability());
    json.writeBooleanField("delayed", Prediction.delayed(prediction.probability(), threshold));
    if (!prediction.unknownCategories().isEmpty()) {
      json.writeArrayFieldStart("unknown_categories");
      for (String input : prediction.unknownCategories()) {
        json.writeString(input);
      }
      json.writeEndArray();
    }
  }

  private void health(Context ctx) throws IOException {
    LoadedModel model = holder.current().orElse(null);
    if (model == null) {
      json(ctx, 503, "status", "loading");
      return;
    }
    json(
        ctx,
        200,
        "status",
        "ok",
        "model_name",
        model.manifest().modelName(),
        "model_version",
        model.manifest().modelVersion());
  }

  private void metrics(Context ctx) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    metrics.write(out);
    ctx.status(200).contentType(metrics.contentType()).result(out.toByteArray());
  }

  private void reload(Context ctx) throws IOException {
    if (!auth.enabled()) {
      throw ServingErrors.reloadDisabled();
    }
    String before = holder.current().map(m -> m.manifest().modelVersion()).orElse(null);
    // First, and whatever the served model's reload gives: the shadow's never throws.
    String shadowVersion = shadow.reload().orElse(null);
    LoadedModel now;
    try {
      now = reloader.reload();
    } catch (BundleException e) {
      throw new ServerFailure(
          "reload_failed",
          e.getMessage()
              + (before == null ? "" : " The service goes on with version " + before + "."),
          null);
    }
    List<String> answer =
        new ArrayList<>(
            List.of(
                "status",
                "reloaded",
                "model_name",
                now.manifest().modelName(),
                "model_version",
                now.manifest().modelVersion()));
    answer.add("previous_version");
    answer.add(before);
    if (shadow.enabled()) {
      answer.add("shadow_version");
      answer.add(shadowVersion);
    }
    json(ctx, 200, answer.toArray(String[]::new));
  }

  private void unmatched(Context ctx, String message) throws IOException {
    error(ctx, ErrorShape.LAKEPIPE, ctx.statusCode(), message, null, null);
    metrics.request("unmatched", ctx.statusCode(), "not_found", 0);
  }

  private byte[] readBody(Context ctx) throws IOException {
    long declared = ctx.req().getContentLengthLong();
    InputStream in = ctx.req().getInputStream();
    if (declared > (long) maxBodyBytes * DRAIN_FACTOR) {
      ctx.header("Connection", "close");
      throw ServingErrors.bodyTooLarge(maxBodyBytes);
    }
    byte[] body = in.readNBytes(maxBodyBytes + 1);
    if (body.length > maxBodyBytes) {
      long drained = 0;
      long limit = (long) maxBodyBytes * DRAIN_FACTOR;
      byte[] sink = new byte[8192];
      int n;
      while (drained < limit && (n = in.read(sink)) > 0) {
        drained += n;
      }
      if (drained >= limit) {
        ctx.header("Connection", "close");
      }
      throw ServingErrors.bodyTooLarge(maxBodyBytes);
    }
    return body;
  }

  private static void error(
      Context ctx, ErrorShape shape, int status, String message, String field, Integer index)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      if (shape == ErrorShape.MLFLOW) {
        json.writeStringField("error_code", mlflowErrorCode(status));
        json.writeStringField("message", message);
        if (field != null) {
          json.writeStringField("field", field);
        }
      } else {
        json.writeStringField("error", message);
        json.writeStringField("field", field);
      }
      if (index != null) {
        json.writeNumberField("index", index);
      }
      json.writeEndObject();
    }
    ctx.status(status).contentType(JSON_TYPE).result(out.toByteArray());
  }

  /**
   * MLflow's error code for a status, as its REST errors pair them (mlflow.exceptions); 413 and
   * 422, which MLflow's scoring server never answers, get the nearest codes.
   */
  private static String mlflowErrorCode(int status) {
    return switch (status) {
      case 400 -> "BAD_REQUEST";
      case 401 -> "UNAUTHENTICATED";
      case 403 -> "PERMISSION_DENIED";
      case 413 -> "RESOURCE_EXHAUSTED";
      case 422 -> "INVALID_PARAMETER_VALUE";
      case 503 -> "TEMPORARILY_UNAVAILABLE";
      default -> status < 500 ? "BAD_REQUEST" : "INTERNAL_ERROR";
    };
  }

  /** Answers a flat JSON object of string fields, given as key, value, key, value... */
  private static void json(Context ctx, int status, String... keysAndValues) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      for (int i = 0; i < keysAndValues.length; i += 2) {
        json.writeStringField(keysAndValues[i], keysAndValues[i + 1]);
      }
      json.writeEndObject();
    }
    ctx.status(status).contentType(JSON_TYPE).result(out.toByteArray());
  }

  /**
   * A failure on the service's side with a message for the client: a 500, counted under its reason.
   */
  private static final class ServerFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final String reason;
    final Integer index;

    ServerFailure(String reason, String message, Integer index) {
      super(message);
      this.reason = reason;
      this.index = index;
    }
  }
}
