// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.torch;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * Trains the network through Spark: the rows go to {@code processes} barrier tasks (Spark's gang
 * scheduling, which TorchDistributor uses too), each writes its rows to its local disk and runs one
 * PyTorch process of the trainer shipped in this jar ({@code lakepipe_torch/train.py}); the
 * processes train together with DistributedDataParallel, and rank 0 returns the ONNX file and the
 * per-epoch losses to the driver.
 */
final class TorchTraining {
  private static final Logger LOG = LoggerFactory.getLogger(TorchTraining.class);
  private static final String[] SCRIPTS = {"train.py", "onnx_graph.py"};

  /** What rank 0 sends back: the ONNX file and the trainer's history.json. */
  record Result(int rank, byte[] onnx, String history) implements Serializable {}

  private TorchTraining() {}

  static Result train(
      Dataset<Row> prepared, TorchSettings settings, TorchInputs inputs, String python) {
    List<Column> columns = new ArrayList<>();
    for (TorchInputs.NumberInput number : inputs.numbers()) {
      Column value = col(number.name()).cast("float");
      columns.add(when(value.isNull(), lit(Float.NaN)).otherwise(value).as("n" + columns.size()));
    }
    for (String index : settings.categoryIndexes()) {
      columns.add(col(index).cast("long").as("c" + columns.size()));
    }
    columns.add(col(settings.label()).cast("float").as("label"));
    // Sorted within each process's share: the order of the rows as read (files, partitions) must
    // not
    // change what the network learns. With one process, the same rows always train the same
    // network.
    Column[] selected = columns.toArray(Column[]::new);
    Dataset<Row> shards = prepared.select(selected).repartition(settings.processes());
    RDD<Row> rows = shards.sortWithinPartitions(shards.columns()[0], otherColumns(shards)).rdd();
    String spec = spec(settings, inputs);
    Result[] results =
        (Result[])
            rows.barrier()
                .mapPartitions(
                    new Task(spec, python, inputs, settings.threads()),
                    false,
                    ClassTag$.MODULE$.apply(Result.class))
                .collect();
    return java.util.Arrays.stream(results)
        .filter(r -> r.rank() == 0)
        .findFirst()
        .orElseThrow(
            () -> new IllegalStateException("The torch trainer's rank 0 returned nothing"));
  }

  private static String[] otherColumns(Dataset<Row> rows) {
    String[] all = rows.columns();
    return java.util.Arrays.copyOfRange(all, 1, all.length);
  }

  private static Map<String, Object> numberSpec(TorchInputs.NumberInput number) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("name", number.name());
    spec.put("mean", number.mean());
    spec.put("std", number.std());
    if (number.embedded()) {
      spec.put("embedded", Map.of("low", number.embeddedLow(), "values", number.embeddedValues()));
    }
    return spec;
  }

  /** The trainer's spec.json: the inputs and the hyperparameters. */
  static String spec(TorchSettings settings, TorchInputs inputs) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("numeric", inputs.numbers().stream().map(TorchTraining::numberSpec).toList());
    spec.put(
        "categorical",
        inputs.categories().stream()
            .map(c -> Map.of("name", c.name(), "labels", c.labels()))
            .toList());
    spec.put("epochs", settings.epochs());
    spec.put("batch_size", settings.batchSize());
    spec.put("learning_rate", settings.learningRate());
    spec.put("hidden_layers", settings.hiddenLayers());
    spec.put("dropout", settings.dropout());
    spec.put("weight_decay", settings.weightDecay());
    spec.put("threads", settings.threads());
    spec.put("seed", settings.seed());
    try {
      return new ObjectMapper().writeValueAsString(spec);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One barrier task: its rows to disk, one trainer process, rank 0's output back. */
  private static final class Task extends AbstractFunction1<Iterator<Row>, Iterator<Result>>
      implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String spec;
    private final String python;
    private final int numbers;
    private final int categories;
    private final int threads;

    Task(String spec, String python, TorchInputs inputs, int threads) {
      this.spec = spec;
      this.python = python;
      this.numbers = inputs.numbers().size();
      this.categories = inputs.categories().size();
      this.threads = threads;
    }

    @Override
    public Iterator<Result> apply(Iterator<Row> rows) {
      BarrierTaskContext context = BarrierTaskContext.get();
      int rank = context.partitionId();
      int world = context.getTaskInfos().length;
      Path work = null;
      try {
        work = Files.createTempDirectory("lakepipe-torch-" + rank + "-");
        long count = writeShard(rows, work.resolve("shard"));
        // Every task learns rank 0's host and folder: the rendezvous is a file there.
        String[] all = context.allGather(InetAddress.getLocalHost().getHostName() + "\n" + work);
        if (java.util.Arrays.stream(all).map(m -> m.split("\n")[0]).distinct().count() > 1) {
          throw new IllegalStateException(
              "The torch family's processes landed on several hosts; lakepipe trains it on one host"
                  + " (its rendezvous stays on loopback): use num-processes up to one host's task"
                  + " slots");
        }
        Path rendezvous = Path.of(all[0].split("\n")[1], "rendezvous");
        Files.writeString(work.resolve("spec.json"), spec);
        Path scripts = extractScripts(work);
        List<String> command =
            new ArrayList<>(
                List.of(
                    python,
                    scripts.resolve("train.py").toString(),
                    "--spec",
                    work.resolve("spec.json").toString(),
                    "--data",
                    work.resolve("shard").toString(),
                    "--out",
                    work.resolve("out").toString()));
        if (world > 1) {
          command.addAll(List.of("--rendezvous", rendezvous.toString()));
        }
        LOG.info("torch rank {}/{}: {} rows, starting {}", rank, world, count, python);
        run(command, rank, world);
        context.barrier();
        if (rank != 0) {
          return JavaConverters.asScalaIterator(List.<Result>of().iterator());
        }
        Path out = work.resolve("out");
        Result result =
            new Result(
                0,
                Files.readAllBytes(out.resolve("model.onnx")),
                Files.readString(out.resolve("history.json")));
        return JavaConverters.asScalaIterator(List.of(result).iterator());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        if (work != null) {
          deleteQuietly(work);
        }
      }
    }

    /** The rows as the trainer reads them: little-endian arrays, one file per kind. */
    private long writeShard(Iterator<Row> rows, Path shard) throws IOException {
      Files.createDirectories(shard);
      long count = 0;
      try (OutputStream numberFile = out(shard.resolve("numbers.f32"));
          OutputStream indexFile = out(shard.resolve("indexes.i64"));
          OutputStream labelFile = out(shard.resolve("label.f32"))) {
        ByteBuffer buffer = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        while (rows.hasNext()) {
          Row row = rows.next();
          for (int i = 0; i < numbers; i++) {
            numberFile.write(buffer.clear().putFloat(row.getFloat(i)).array(), 0, 4);
          }
          for (int i = 0; i < categories; i++) {
            indexFile.write(buffer.clear().putLong(row.getLong(numbers + i)).array(), 0, 8);
          }
          labelFile.write(
              buffer.clear().putFloat(row.getFloat(numbers + categories)).array(), 0, 4);
          count++;
        }
      }
      return count;
    }

    private static OutputStream out(Path file) throws IOException {
      return new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
    }

    private static Path extractScripts(Path work) throws IOException {
      Path folder = Files.createDirectories(work.resolve("lakepipe_torch"));
      for (String name : SCRIPTS) {
        try (InputStream in = TorchTraining.class.getResourceAsStream("/lakepipe_torch/" + name)) {
          if (in == null) {
            throw new IllegalStateException("lakepipe_torch/" + name + " is not in the job jar");
          }
          Files.copy(in, folder.resolve(name));
        }
      }
      return folder;
    }

    /** Runs one trainer process; its lines go to the task's log, its last ones into a failure. */
    private void run(List<String> command, int rank, int world) throws IOException {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      Map<String, String> env = builder.environment();
      env.put("RANK", Integer.toString(rank));
      env.put("WORLD_SIZE", Integer.toString(world));
      // gloo's sockets on loopback only; torch's threads as many as the task's share of cores.
      env.put("GLOO_SOCKET_IFNAME", "lo");
      env.put("OMP_NUM_THREADS", Integer.toString(threads));
      Process process;
      try {
        process = builder.start();
      } catch (IOException e) {
        throw new IllegalStateException(
            "Cannot start the torch family's Python ("
                + command.get(0)
                + "): ./lakepipe setup installs it in .lakepipe/venv-torch (docs/training.md)",
            e);
      }
      Deque<String> tail = new ArrayDeque<>();
      try (BufferedReader output =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = output.readLine()) != null) {
          LOG.info("torch rank {}: {}", rank, line);
          tail.addLast(line);
          if (tail.size() > 20) {
            tail.removeFirst();
          }
        }
      }
      try {
        int exit = process.waitFor();
        if (exit != 0) {
          throw new IllegalStateException(
              "The torch trainer (rank "
                  + rank
                  + ") exited with "
                  + exit
                  + ":\n"
                  + String.join("\n", tail));
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while training the torch family", e);
      }
    }

    private static void deleteQuietly(Path folder) {
      try (var paths = Files.walk(folder)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        LOG.warn("Could not delete {}: {}", folder, e.toString());
      }
    }
  }
}
