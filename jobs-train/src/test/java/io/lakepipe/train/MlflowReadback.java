// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;

/**
 * Reads a run and its registered model back through MLflow's own Python client: runs {@code
 * infra/mlflow/readback.py} with the Python of the {@value #PYTHON_PROPERTY} system property
 * ({@code ./lakepipe test} passes venv-mlflow's) and parses the JSON report it writes.
 *
 * <pre>{@code
 * MlflowReadback.writeRecords(rows, dir.resolve("rows.json"));
 * MlflowReadback.Report report = MlflowReadback.fromSystemProperties()
 *     .read(trackingUri, runId, "models:/" + name + "@challenger", dir.resolve("rows.json"), dir);
 * assertThat(report.runStatus()).isEqualTo("FINISHED");
 * }</pre>
 */
public final class MlflowReadback {
  /** The system property naming the Python of venv-mlflow. */
  public static final String PYTHON_PROPERTY = "lakepipe.mlflow.python";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long TIMEOUT_MINUTES = 10;

  private final Path python;
  private final Path script;

  private MlflowReadback(Path python, Path script) {
    this.python = python;
    this.script = script;
  }

  /**
   * The Python from {@value #PYTHON_PROPERTY} and the script from the checkout at {@code
   * lakepipe.home}; fails the test saying how to set them when either is missing.
   */
  public static MlflowReadback fromSystemProperties() {
    String python = System.getProperty(PYTHON_PROPERTY, "");
    if (python.isBlank()) {
      throw new AssertionError(
          "System property "
              + PYTHON_PROPERTY
              + " is not set: run the"
              + " integration tests with ./lakepipe test, or pass -D"
              + PYTHON_PROPERTY
              + "=<checkout>/.lakepipe/venv-mlflow/bin/python to mvn (./lakepipe setup creates it).");
    }
    if (!Files.isExecutable(Path.of(python))) {
      throw new AssertionError(
          PYTHON_PROPERTY
              + "="
              + python
              + " is not an executable: run"
              + " ./lakepipe setup, which creates .lakepipe/venv-mlflow.");
    }
    Path home = Path.of(System.getProperty("lakepipe.home", "..")).toAbsolutePath().normalize();
    Path script = home.resolve("infra/mlflow/readback.py");
    if (!Files.isRegularFile(script)) {
      throw new AssertionError(
          script
              + " does not exist: set the system property lakepipe.home to"
              + " the lakepipe checkout.");
    }
    return new MlflowReadback(Path.of(python), script);
  }

  /**
   * Writes rows as a JSON list of records (pandas' {@code records} orient, as MLflow's scoring
   * server takes {@code dataframe_records}): null and NaN become null, dates and times strings.
   */
  public static void writeRecords(List<Row> rows, Path file) {
    ArrayNode records = JSON.createArrayNode();
    for (Row row : rows) {
      ObjectNode record = records.addObject();
      StructField[] fields = row.schema().fields();
      for (int i = 0; i < fields.length; i++) {
        Object value = row.get(i);
        String name = fields[i].name();
        if (value == null
            || (value instanceof Double d && d.isNaN())
            || (value instanceof Float f && f.isNaN())) {
          record.putNull(name);
        } else if (value instanceof Double d) {
          record.put(name, d);
        } else if (value instanceof Float f) {
          record.put(name, f.doubleValue());
        } else if (value instanceof Long l) {
          record.put(name, l);
        } else if (value instanceof Number n) {
          record.put(name, n.intValue());
        } else if (value instanceof Boolean b) {
          record.put(name, b);
        } else {
          record.put(name, value.toString());
        }
      }
    }
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      JSON.writeValue(file.toFile(), records);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs the read-back of {@code runId} and {@code modelUri}, scoring the records of {@code rows};
   * the report and the script's log go into {@code workDir}. Fails with the script's error line.
   */
  public Report read(String trackingUri, String runId, String modelUri, Path rows, Path workDir) {
    Path report = workDir.resolve("readback-report.json");
    Path log = workDir.resolve("readback.log");
    try {
      Files.createDirectories(workDir);
      Files.deleteIfExists(report);
      Process process =
          new ProcessBuilder(
                  python.toString(),
                  script.toString(),
                  "--tracking-uri",
                  trackingUri,
                  "--run-id",
                  runId,
                  "--model-uri",
                  modelUri,
                  "--input",
                  rows.toAbsolutePath().toString(),
                  "--output",
                  report.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError(
            "readback.py took over " + TIMEOUT_MINUTES + " minutes; its log: " + log);
      }
      if (process.exitValue() != 0) {
        throw new AssertionError(
            "readback.py exited "
                + process.exitValue()
                + ": "
                + lastLine(log)
                + " (whole log: "
                + log
                + ")");
      }
      return new Report(JSON.readTree(report.toFile()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while readback.py ran", e);
    }
  }

  private static String lastLine(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log);
    for (int i = lines.size() - 1; i >= 0; i--) {
      if (!lines.get(i).isBlank()) {
        return lines.get(i).trim();
      }
    }
    return "(no output)";
  }

  /** The report of readback.py; {@link #json()} holds all of it, the accessors the usual parts. */
  public record Report(JsonNode json) {
    public JsonNode run() {
      return json.path("run");
    }

    public String runStatus() {
      return run().path("status").asText();
    }

    public Map<String, String> params() {
      Map<String, String> params = new LinkedHashMap<>();
      run()
          .path("params")
          .fields()
          .forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
      return params;
    }

    public Map<String, String> tags() {
      Map<String, String> tags = new LinkedHashMap<>();
      run()
          .path("tags")
          .fields()
          .forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
      return tags;
    }

    /** The latest value of each metric; NaN when MLflow holds a non-finite value. */
    public Map<String, Double> metrics() {
      Map<String, Double> metrics = new LinkedHashMap<>();
      run()
          .path("metrics")
          .fields()
          .forEachRemaining(
              e ->
                  metrics.put(
                      e.getKey(), e.getValue().isNull() ? Double.NaN : e.getValue().asDouble()));
      return metrics;
    }

    /** The values of a metric logged at several steps, by step; empty for a single-step metric. */
    public List<Double> metricHistory(String key) {
      List<Double> values = new ArrayList<>();
      run().path("metric_history").path(key).forEach(m -> values.add(m.path("value").asDouble()));
      return values;
    }

    /** Every artifact file of the run, relative to its artifact root, such as model/MLmodel. */
    public List<String> artifacts() {
      List<String> paths = new ArrayList<>();
      json.path("artifacts").forEach(a -> paths.add(a.asText()));
      return paths;
    }

    /** The runs whose tag mlflow.parentRunId is the run, oldest first. */
    public List<JsonNode> childRuns() {
      List<JsonNode> children = new ArrayList<>();
      json.path("child_runs").forEach(children::add);
      return children;
    }

    /** The version the model URI resolved to (its alias's version, or the version it names). */
    public String resolvedVersion() {
      return json.path("registered_model").path("resolved_version").asText();
    }

    /** Every version of the registered model with its aliases, by version number. */
    public Map<String, List<String>> aliasesByVersion() {
      Map<String, List<String>> versions = new LinkedHashMap<>();
      json.path("registered_model")
          .path("versions")
          .forEach(
              v -> {
                List<String> aliases = new ArrayList<>();
                v.path("aliases").forEach(a -> aliases.add(a.asText()));
                versions.put(v.path("version").asText(), aliases);
              });
      return versions;
    }

    /** What the report says of the model mlflow.pyfunc loaded: flavors, signature, predictions. */
    public JsonNode model() {
      return json.path("model");
    }

    /** The pyfunc's predictions for the input rows, in their order. */
    public double[] predictions() {
      return doubles(model().path("predictions"));
    }

    /** The pyfunc's predictions for the model's own input example. */
    public double[] inputExamplePredictions() {
      return doubles(model().path("input_example_predictions"));
    }

    /** The pyfunc's predictions for the model's serving input example. */
    public double[] servingInputPredictions() {
      return doubles(model().path("serving_input_predictions"));
    }

    private static double[] doubles(JsonNode values) {
      double[] out = new double[values.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = values.get(i).isNull() ? Double.NaN : values.get(i).asDouble();
      }
      return out;
    }
  }
}
