// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakepipe.serving.bundle.Bundle;
import io.lakepipe.serving.bundle.FolderBundleSource;
import io.lakepipe.serving.scoring.Scorer;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Latency and throughput of the scoring service, per model: one record scored in-process by the
 * Scorer, one record over HTTP on loopback at a fixed request rate (open loop: each request is sent
 * at its scheduled time whether or not the previous ones were answered, and its latency counts from
 * that time, so a stall is not hidden), and batches in-process and over HTTP.
 *
 * <p>Usage: {@code ServingBench <serving jar> <work dir> [--rate N] [--seconds N] [--kinds lr,gbt]
 * [--bundle dir]... [--spark-results file] [--shadow] [--prediction-log]}; with --shadow, the HTTP
 * rows are measured again with the bundle as its own shadow model (--shadow-bundle); with
 * --prediction-log, again with every answer kept in a prediction log. Prints a table, then every
 * figure as a {@code key=value} line (the hook for other benchmarks: a Spark {@code
 * PipelineModel.transform} measurement written as {@code spark.<model>.one_row_p50_us=...} lines
 * into the --spark-results file is printed as a ratio).
 */
public final class ServingBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "bench-token";
  private static final int RECORDS = 10_000;
  // Keep-alive connections of the load generator: enough that one slow answer does not delay the
  // requests due after it on other connections.
  private static final int CONNECTIONS = 8;

  private final Map<String, Double> results = new LinkedHashMap<>();
  private final List<String[]> table = new ArrayList<>();

  public static void main(String[] args) throws Exception {
    Path jar = Path.of(args[0]);
    Path work = Path.of(args[1]);
    int rate = 1000;
    int seconds = 10;
    List<String> kinds = new ArrayList<>(List.of("lr", "gbt"));
    Map<String, Path> bundles = new LinkedHashMap<>();
    Path sparkResults = null;
    boolean shadow = false;
    boolean predictionLog = false;
    for (int i = 2; i < args.length; i++) {
      switch (args[i]) {
        case "--shadow" -> shadow = true;
        case "--prediction-log" -> predictionLog = true;
        case "--rate" -> rate = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--kinds" -> {
          String value = args[++i];
          kinds = value.isEmpty() ? List.of() : List.of(value.split(","));
        }
        case "--bundle" -> {
          Path dir = Path.of(args[++i]);
          bundles.put(dir.getFileName().toString(), dir);
        }
        case "--spark-results" -> sparkResults = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("Unknown argument " + args[i]);
      }
    }
    Map<String, Path> models = new LinkedHashMap<>();
    for (String kind : kinds) {
      models.put(kind, SyntheticBundles.write(work.resolve("bundles").resolve(kind), kind));
    }
    models.putAll(bundles);
    ServingBench bench = new ServingBench();
    Progress progress = new Progress("serving", models.size());
    for (Map.Entry<String, Path> model : models.entrySet()) {
      progress.step("model " + model.getKey() + ": in-process, then over HTTP at " + rate + "/s");
      List<Variant> variants = new ArrayList<>(List.of(Variant.PLAIN));
      if (shadow) {
        variants.add(Variant.SHADOWED);
      }
      if (predictionLog) {
        variants.add(Variant.LOGGED);
      }
      bench.run(model.getKey(), model.getValue(), jar, rate, seconds, variants);
    }
    bench.print(sparkResults);
  }

  /**
   * How the HTTP rows' server runs: alone; with the bundle as its own shadow (a challenger of the
   * same size costs the same); or keeping every answer in a prediction log.
   */
  private enum Variant {
    PLAIN("", "http"),
    SHADOWED(", shadowed", "http_shadowed"),
    LOGGED(", prediction log", "http_logged");

    final String label;
    final String key;

    Variant(String label, String key) {
      this.label = label;
      this.key = key;
    }
  }

  private void run(String name, Path dir, Path jar, int rate, int seconds, List<Variant> variants)
      throws Exception {
    Bundle bundle = new FolderBundleSource(dir).load();
    Scorer scorer = Scorer.of(bundle);
    List<Map<String, Object>> records = records(bundle);
    System.err.printf(
        "[%s] %s: %d inputs, %s %d KB%n",
        name,
        dir,
        scorer.inputs().size(),
        bundle.manifest().format(),
        bundle.model().length / 1024);

    // In-process, one record at a time.
    for (int i = 0; i < 300_000; i++) {
      scorer.score(records.get(i % RECORDS));
    }
    long[] single = new long[200_000];
    for (int i = 0; i < single.length; i++) {
      Map<String, Object> record = records.get(i % RECORDS);
      long start = System.nanoTime();
      scorer.score(record);
      single[i] = System.nanoTime() - start;
    }
    latencyRow(name, "in-process, 1 record", single, null);

    // In-process, batches of RECORDS.
    double best = 0;
    for (int round = 0; round < 5; round++) {
      long start = System.nanoTime();
      for (Map<String, Object> record : records) {
        scorer.score(record);
      }
      best = Math.max(best, RECORDS / ((System.nanoTime() - start) / 1e9));
    }
    throughputRow(name, "in-process, batch of " + RECORDS, best, "batch_in_process_rows_per_s");

    for (Variant variant : variants) {
      http(name, dir, jar, rate, seconds, records, variant);
    }
  }

  /** Over HTTP, against the jar in its own JVM, run as {@code variant} says. */
  private void http(
      String name,
      Path dir,
      Path jar,
      int rate,
      int seconds,
      List<Map<String, Object>> records,
      Variant variant)
      throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g",
                "-jar",
                jar.toString(),
                "--bundle",
                dir.toString(),
                "--port",
                Integer.toString(port),
                "--max-body-bytes",
                Integer.toString(64 << 20))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolveSibling(name + "-" + variant.key + "-server.log").toFile());
    if (variant == Variant.SHADOWED) {
      builder.command().addAll(List.of("--shadow-bundle", dir.toString()));
    }
    if (variant == Variant.LOGGED) {
      Path log = dir.resolveSibling(name + "-prediction-log");
      builder.command().addAll(List.of("--prediction-log", log.toString()));
    }
    String label = variant.label;
    String key = variant.key;
    builder.environment().put("LAKEPIPE_SERVING_TOKEN", TOKEN);
    Process server = builder.start();
    try {
      HttpClient http =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(5))
              .build();
      URI predict = URI.create("http://127.0.0.1:" + port + "/predict");
      awaitHealthy(http, port, server);
      List<byte[]> bodies = new ArrayList<>();
      for (Map<String, Object> record : records) {
        bodies.add(JSON.writeValueAsBytes(record));
      }
      OpenLoopClient load = new OpenLoopClient(port, TOKEN, CONNECTIONS);
      load.run(bodies, rate, Math.min(3, seconds)); // warm-up: JIT, connections
      long[] latencies = load.run(bodies, rate, seconds);
      latencyRow(name, "HTTP, 1 record at " + rate + "/s" + label, latencies, key);

      byte[] batch = JSON.writeValueAsBytes(records);
      double bestHttp = 0;
      for (int round = 0; round < 6; round++) {
        long start = System.nanoTime();
        HttpResponse<InputStream> response =
            http.send(request(predict, batch), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
          in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        if (response.statusCode() != 200) {
          throw new IllegalStateException("Batch answered " + response.statusCode());
        }
        bestHttp = Math.max(bestHttp, RECORDS / ((System.nanoTime() - start) / 1e9));
      }
      throughputRow(
          name,
          "HTTP, batch of " + RECORDS + " (" + batch.length / 1024 + " KB JSON)" + label,
          bestHttp,
          "batch_" + key + "_rows_per_s");
    } finally {
      server.destroy();
      server.waitFor(40, TimeUnit.SECONDS);
    }
  }

  private static HttpRequest request(URI uri, byte[] body) {
    return HttpRequest.newBuilder(uri)
        .header("Authorization", "Bearer " + TOKEN)
        .header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
  }

  private static void awaitHealthy(HttpClient http, int port, Process server) throws Exception {
    HttpRequest health =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build();
    for (int i = 0; i < 300; i++) {
      if (!server.isAlive()) {
        throw new IllegalStateException("The service exited: see its log beside the bundle");
      }
      try {
        if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("The service did not become healthy in 30 s");
  }

  /**
   * RECORDS records of the bundle's inputs: synthetic flights when the inputs are theirs, else
   * generic values.
   */
  private static List<Map<String, Object>> records(Bundle bundle) {
    Random random = new Random(42);
    List<Map<String, Object>> records = new ArrayList<>(RECORDS);
    boolean flights =
        bundle.manifest().inputs().stream()
            .allMatch(
                input ->
                    Arrays.asList(SyntheticBundles.NUMERIC).contains(input.name())
                        || Arrays.asList(SyntheticBundles.CATEGORICAL).contains(input.name()));
    for (int i = 0; i < RECORDS; i++) {
      if (flights) {
        Map<String, Object> record = SyntheticBundles.record(random, i);
        record
            .keySet()
            .retainAll(bundle.manifest().inputs().stream().map(input -> input.name()).toList());
        records.add(record);
        continue;
      }
      Map<String, Object> record = new java.util.HashMap<>();
      for (var input : bundle.manifest().inputs()) {
        record.put(
            input.name(),
            switch (input.type()) {
              case STRING -> "V" + random.nextInt(50);
              case DOUBLE -> random.nextDouble() * 100;
              default -> (long) random.nextInt(24);
            });
      }
      records.add(record);
    }
    return records;
  }

  private void latencyRow(String model, String path, long[] nanos, String key) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    double p50 = percentile(sorted, 0.50);
    double p99 = percentile(sorted, 0.99);
    double p999 = percentile(sorted, 0.999);
    double max = sorted[sorted.length - 1] / 1e3;
    String prefix = model + "." + (key == null ? "in_process_one_row" : key + "_one_row");
    results.put(prefix + "_p50_us", p50);
    results.put(prefix + "_p99_us", p99);
    results.put(prefix + "_p999_us", p999);
    results.put(prefix + "_max_us", max);
    results.put(prefix + "_n", (double) nanos.length);
    table.add(new String[] {model, path, fmt(p50), fmt(p99), fmt(p999), fmt(max), ""});
  }

  private void throughputRow(String model, String path, double rowsPerSecond, String key) {
    results.put(model + "." + key, rowsPerSecond);
    table.add(
        new String[] {
          model, path, "", "", "", "", String.format(Locale.ROOT, "%,.0f", rowsPerSecond)
        });
  }

  private static double percentile(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e3;
  }

  private static String fmt(double micros) {
    return String.format(Locale.ROOT, micros < 100 ? "%.1f" : "%,.0f", micros);
  }

  private void print(Path sparkResults) throws IOException {
    if (sparkResults != null && Files.exists(sparkResults)) {
      Properties spark = new Properties();
      try (InputStream in = Files.newInputStream(sparkResults)) {
        spark.load(in);
      }
      for (String key : spark.stringPropertyNames()) {
        // spark.<model>.one_row_p50_us next to <model>.in_process_one_row_p50_us
        String[] parts = key.split("\\.");
        double value = Double.parseDouble(spark.getProperty(key));
        results.put(key, value);
        if (parts.length == 3 && parts[2].startsWith("one_row_p")) {
          String ours = parts[1] + ".in_process_" + parts[2];
          if (results.containsKey(ours)) {
            results.put(
                parts[1] + ".speedup_vs_spark_" + parts[2].substring("one_row_".length()),
                value / results.get(ours));
          }
        }
      }
    }
    System.out.println();
    System.out.printf(
        "%-6s %-44s %10s %10s %10s %10s %14s%n",
        "model", "path", "p50 us", "p99 us", "p99.9 us", "max us", "rows/s");
    for (String[] row : table) {
      System.out.printf("%-6s %-44s %10s %10s %10s %10s %14s%n", (Object[]) row);
    }
    results.forEach(
        (key, value) -> {
          if (key.contains("speedup")) {
            System.out.printf("%-51s %10.0fx%n", key, value);
          }
        });
    System.out.println();
    results.forEach((key, value) -> System.out.println(key + "=" + value));
  }
}
