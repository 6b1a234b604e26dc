// SPDX-License-Identifier: AGPL-3.0-only
package io.lakepipe.export.pmml;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.nanvl;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import com.fasterxml.jackson.databind.JsonNode;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.train.torch.TorchModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bundle checked in the real scorer before the champion alias moves to it: the serving binary
 * loads it in a sandboxed JVM ({@link SandboxedScorer}), and rows of the test days are replayed one
 * request each, as clients send them. Every prediction must match Spark's within the parity bound,
 * and the 99th percentile of the request latencies stay within the budget.
 */
public final class ServingCheck {
  private static final Logger LOG = LoggerFactory.getLogger(ServingCheck.class);

  /** Requests sent first and not timed: the scorer's JIT warms up as it would in production. */
  static final int WARM_UP_REQUESTS = 200;

  /** XGBoost4J-Spark's package: its models compute in float32. */
  private static final String XGBOOST_PACKAGE = "ml.dmlc.xgboost4j.";

  private ServingCheck() {}

  /** The check's settings, {@code lakepipe.export.serving-check}. */
  public record Settings(
      Path scorerJar,
      int rows,
      double parityBound,
      double float32ParityBound,
      double p99BudgetMillis,
      int heapMegabytes) {
    public static Settings from(LakepipeConfig config) {
      return new Settings(
          scorerJar(
              config.string("export.serving-check.scorer-jar"),
              System.getenv("LAKEPIPE_JARS_DIR"),
              config.string("home")),
          config.integer("export.serving-check.rows"),
          config.number("export.serving-check.parity-bound"),
          config.number("export.serving-check.float32-parity-bound"),
          config.number("export.serving-check.p99-budget-ms"),
          config.integer("export.serving-check.heap-mb"));
    }

    /**
     * The bound for {@code model}: float32-parity-bound when Spark's probabilities are float32
     * (XGBoost's are, and the torch family's, which ONNX Runtime computes in float32 a batch at a
     * time in Spark and a request at a time in the scorer), parity-bound otherwise.
     */
    public double parityBound(PipelineModel model) {
      Transformer last = PipelineInputs.lastStage(model);
      boolean float32 =
          last instanceof TorchModel
              || last != null && last.getClass().getName().startsWith(XGBOOST_PACKAGE);
      return float32 ? Math.max(parityBound, float32ParityBound) : parityBound;
    }

    /** The configured jar, else the jars folder's the DAGs run jobs from, else the build's. */
    static Path scorerJar(String configured, String jarsDir, String home) {
      if (!configured.isBlank()) {
        return Path.of(configured);
      }
      return jarsDir != null && !jarsDir.isBlank()
          ? Path.of(jarsDir, "lakepipe-serving.jar")
          : Path.of(home, "serving", "target", "lakepipe-serving.jar");
    }
  }

  /**
   * What the check found: {@code reason} is one line for the version's tag and the log.
   *
   * @param maxDifference max |scorer - Spark| over the rows, NaN if nothing was scored
   * @param p99Millis the 99th percentile of the timed requests' latencies, NaN if none was timed
   */
  public record Verdict(
      boolean passed, String reason, int rows, double maxDifference, double p99Millis) {

    /** A check that could not score at all: the export or the scorer refused the model. */
    static Verdict refused(String reason) {
      return new Verdict(false, "failed: " + reason, 0, Double.NaN, Double.NaN);
    }

    /** The numbers, for the training run's metrics. */
    public Map<String, Double> metrics() {
      return Map.of(
          "serving_check_passed",
          passed ? 1.0 : 0.0,
          "serving_check_rows",
          (double) rows,
          "serving_check_max_difference",
          maxDifference,
          "serving_check_p99_ms",
          p99Millis);
    }
  }

  /**
   * Scores up to {@code settings.rows()} of {@code rows} with Spark's {@code model} and with the
   * scorer serving {@code bundleDir} (the model's bundle, whose inputs are {@code inputs}).
   */
  public static Verdict run(
      PipelineModel model,
      List<BundleMetadata.Input> inputs,
      Path bundleDir,
      Dataset<Row> rows,
      Settings settings,
      Path log)
      throws InterruptedException {
    // One query gives each row's request beside Spark's probability, so the two stay paired.
    List<Row> scored =
        model
            .transform(rows.limit(settings.rows()))
            .select(
                vector_to_array(col("probability"), "float64").getItem(1), requestRecord(inputs))
            .collectAsList();
    if (scored.isEmpty()) {
      return Verdict.refused("no rows of the test days to replay");
    }
    double maxDifference = 0;
    int warmUp = Math.min(WARM_UP_REQUESTS, scored.size() / 4);
    double[] latencies = new double[scored.size() - warmUp];
    try (SandboxedScorer scorer =
        SandboxedScorer.start(settings.scorerJar(), bundleDir, log, settings.heapMegabytes())) {
      for (int i = 0; i < scored.size(); i++) {
        long started = System.nanoTime();
        JsonNode answer = scorer.predict("[" + scored.get(i).getString(1) + "]");
        long nanos = System.nanoTime() - started;
        if (i >= warmUp) {
          latencies[i - warmUp] = nanos / 1e6;
        }
        JsonNode probability = answer.path("predictions").path(0).path("probability");
        double difference =
            probability.isNumber()
                ? Math.abs(probability.doubleValue() - scored.get(i).getDouble(0))
                : Double.POSITIVE_INFINITY;
        maxDifference = Math.max(maxDifference, difference);
      }
    } catch (IOException e) {
      return Verdict.refused("the scorer did not serve the bundle: " + firstLine(e.getMessage()));
    }
    double p99 = percentile(latencies, 0.99);
    double bound = settings.parityBound(model);
    boolean parity = maxDifference <= bound;
    boolean fast = !(p99 > settings.p99BudgetMillis());
    String reason =
        String.format(
            Locale.ROOT,
            "%s: %d rows replayed through the scorer, max |scorer - Spark| %.3e (bound %.1e), p99"
                + " latency %.2f ms (budget %.2f ms)%s",
            parity && fast ? "passed" : "failed",
            scored.size(),
            maxDifference,
            bound,
            p99,
            settings.p99BudgetMillis(),
            parity ? (fast ? "" : ": too slow") : ": predictions differ from Spark's");
    LOG.info("Serving check {}", reason);
    return new Verdict(parity && fast, reason, scored.size(), maxDifference, p99);
  }

  /**
   * A row's inputs as the scorer takes them: a JSON object with every input present, null meaning
   * missing. Spark's JSON leaves null fields out, and JSON has no NaN, which Spark's Imputer takes
   * as missing too.
   */
  public static Column requestRecord(List<BundleMetadata.Input> inputs) {
    Column[] fields =
        inputs.stream()
            .map(
                input ->
                    (input.type().equals("double")
                            ? nanvl(col(input.name()), lit(null).cast("double"))
                            : col(input.name()))
                        .as(input.name()))
            .toArray(Column[]::new);
    return to_json(struct(fields), Map.of("ignoreNullFields", "false"));
  }

  /** The {@code q} quantile (nearest rank); NaN for no values. */
  static double percentile(double[] values, double q) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  private static String firstLine(String message) {
    return message == null ? "no message" : message.lines().findFirst().orElse("").trim();
  }
}
