// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.predictionlog;

import io.lakepipe.serving.http.ScoringRequest;
import io.lakepipe.serving.metrics.PredictionLogMetrics;
import io.lakepipe.serving.metrics.PredictionLogMetrics.Line;
import io.lakepipe.serving.reload.LoadedModel;
import io.lakepipe.serving.scoring.Prediction;
import io.lakepipe.serving.shadow.LogThrottle;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps what the scorer answered: one {@link PredictionLine} per scored record, in hourly files of
 * one {@code ds=<day>} folder per day ({@link LogFileName}), for the file ingest.
 *
 * <p>The request thread only queues the answer ({@link #offer}); one daemon thread writes the
 * lines. So the log never delays or fails a request: when the writer is more than {@link
 * PredictionLogConfig#queueRecords()} records behind, the request's lines are dropped; a file that
 * cannot be opened or written (a full disk, an unwritable folder) loses its lines. Both are counted
 * ({@link PredictionLogMetrics}) and logged at most once a minute. A file is written under a hidden
 * name and renamed when its hour is over (also when no answer comes), when too many are open, and
 * when the service stops ({@link #close}), so the ingest reads only whole files.
 */
public final class PredictionLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PredictionLog.class);
  // Days written within one hour: a backfill's callers may score many flight days at once.
  private static final int MAX_OPEN_FILES = 64;
  private static final Duration IDLE_CHECK = Duration.ofSeconds(1);

  private static final PredictionLog DISABLED = new PredictionLog();

  private final PredictionLogConfig config;
  private final PredictionLogMetrics metrics;
  private final Clock clock;
  private final String process;
  private final BlockingQueue<Answer> queue;
  private final AtomicLong pending = new AtomicLong();
  private final LogThrottle failureLog = new LogThrottle(Duration.ofMinutes(1));
  private final LogThrottle dropLog = new LogThrottle(Duration.ofMinutes(1));
  private final Map<LocalDate, OpenFile> open = new HashMap<>();
  private final Thread writer;
  private volatile boolean closing;
  private Instant openHour;
  private long sequence;

  /** One answered request, as the request thread hands it over. */
  private record Answer(
      Instant answeredAt,
      String endpoint,
      LoadedModel model,
      List<Map<String, String>> keys,
      List<Prediction> predictions) {}

  private record OpenFile(LogFileName name, Path inProgress, BufferedWriter out) {}

  private PredictionLog() {
    config = null;
    metrics = null;
    clock = null;
    process = null;
    queue = null;
    writer = null;
  }

  private PredictionLog(PredictionLogConfig config, PredictionLogMetrics metrics, Clock clock) {
    this.config = config;
    this.metrics = metrics;
    this.clock = clock;
    // The pid tells scorers on one host apart, the random part scorers on hosts sharing a folder.
    this.process =
        ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
    this.queue = new LinkedBlockingQueue<>();
    this.writer = new Thread(this::writeUntilClosed, "lakepipe-prediction-log");
    writer.setDaemon(true);
  }

  /** A log that keeps nothing: the default. */
  public static PredictionLog disabled() {
    return DISABLED;
  }

  /** Starts the writer. An unwritable folder is a warning here, and failed lines later. */
  public static PredictionLog start(
      PredictionLogConfig config, PredictionLogMetrics metrics, Clock clock) {
    PredictionLog log = new PredictionLog(config, metrics, clock);
    try {
      Files.createDirectories(config.folder());
      LOG.info(
          "Keeping every answer in {} (record_id from '{}', record_day from '{}')",
          config.folder().toAbsolutePath(),
          config.idField(),
          config.dayField());
    } catch (IOException e) {
      LOG.warn(
          "The prediction log's folder {} cannot be created ({}): answers are served but not kept"
              + " until it can; see lakepipe_serving_prediction_log_lines_total{{result=\"failed\"}}",
          config.folder(),
          e.toString());
    }
    log.writer.start();
    return log;
  }

  /** The fields the parsers keep beside the inputs; none when the log is off. */
  public Set<String> keptFields() {
    return config == null ? Set.of() : config.keptFields();
  }

  /**
   * Hands an answered request to the writer; never blocks, never throws. Called once the answer is
   * made.
   */
  public void offer(
      String endpoint, LoadedModel model, ScoringRequest request, List<Prediction> predictions) {
    if (config == null) {
      return;
    }
    int records = predictions.size();
    if (closing || pending.addAndGet(records) > config.queueRecords()) {
      pending.addAndGet(-records);
      metrics.lines(Line.DROPPED, records);
      dropLog
          .allow(System.nanoTime())
          .ifPresent(
              held ->
                  LOG.warn(
                      "Prediction log: {} line(s) dropped, the writer being {} records behind"
                          + " ({} such drops not logged in the last minute)",
                      records,
                      config.queueRecords(),
                      held));
      return;
    }
    queue.add(new Answer(clock.instant(), endpoint, model, request.keys(), predictions));
  }

  private void writeUntilClosed() {
    try {
      while (!closing || !queue.isEmpty()) {
        Answer answer = queue.poll(IDLE_CHECK.toMillis(), TimeUnit.MILLISECONDS);
        Instant hour =
            (answer == null ? clock.instant() : answer.answeredAt()).truncatedTo(ChronoUnit.HOURS);
        if (openHour != null && !hour.equals(openHour)) {
          closeAll();
        }
        if (answer != null) {
          write(answer, hour);
          pending.addAndGet(-answer.predictions().size());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeAll();
    }
  }

  private void write(Answer answer, Instant hour) {
    Map<LocalDate, List<String>> byDay = new HashMap<>();
    for (int i = 0; i < answer.predictions().size(); i++) {
      PredictionLine line = line(answer, i);
      byDay.computeIfAbsent(line.day(), d -> new ArrayList<>()).add(line.json());
    }
    for (Map.Entry<LocalDate, List<String>> day : byDay.entrySet()) {
      List<String> lines = day.getValue();
      try {
        OpenFile file = file(day.getKey(), hour);
        for (String line : lines) {
          file.out().write(line);
          file.out().write('\n');
        }
        // One write per request and day: a crash loses at most the lines being written.
        file.out().flush();
        metrics.lines(Line.WRITTEN, lines.size());
      } catch (IOException | RuntimeException e) {
        metrics.lines(Line.FAILED, lines.size());
        abandon(day.getKey());
        failureLog
            .allow(System.nanoTime())
            .ifPresent(
                held ->
                    LOG.warn(
                        "Prediction log: {} line(s) of {} not written to {} ({}); the answers"
                            + " were served. {} such failures not logged in the last minute",
                        lines.size(),
                        day.getKey(),
                        config.folder(),
                        e.toString(),
                        held));
      }
    }
  }

  private PredictionLine line(Answer answer, int i) {
    Prediction prediction = answer.predictions().get(i);
    Map<String, String> keys = answer.keys().isEmpty() ? Map.of() : answer.keys().get(i);
    double threshold = answer.model().threshold();
    return new PredictionLine(
        UUID.randomUUID().toString(),
        answer.answeredAt(),
        answer.endpoint(),
        answer.model().manifest().modelName(),
        answer.model().manifest().modelVersion(),
        prediction.probability(),
        threshold,
        Prediction.delayed(prediction.probability(), threshold),
        keys.get(config.idField()),
        keys.get(config.dayField()));
  }

  private OpenFile file(LocalDate day, Instant hour) throws IOException {
    OpenFile file = open.get(day);
    if (file != null) {
      return file;
    }
    if (open.size() >= MAX_OPEN_FILES) {
      closeAll();
    }
    openHour = hour;
    LogFileName name = new LogFileName(day, hour, process, ++sequence);
    Path folder = config.folder().resolve(name.folder());
    Files.createDirectories(folder);
    Path inProgress = folder.resolve(name.inProgress());
    BufferedWriter out =
        new BufferedWriter(
            new OutputStreamWriter(
                Files.newOutputStream(
                    inProgress, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                StandardCharsets.UTF_8),
            1 << 16);
    file = new OpenFile(name, inProgress, out);
    open.put(day, file);
    return file;
  }

  /** Closes every open file and renames it to its final name. */
  private void closeAll() {
    for (OpenFile file : open.values()) {
      try {
        file.out().close();
        Files.move(
            file.inProgress(),
            file.inProgress().resolveSibling(file.name().closed()),
            StandardCopyOption.ATOMIC_MOVE);
        metrics.fileClosed(true);
      } catch (IOException | RuntimeException e) {
        metrics.fileClosed(false);
        LOG.warn(
            "Prediction log: {} could not be closed and renamed ({}); its lines stay in it, hidden"
                + " from the ingest",
            file.inProgress(),
            e.toString());
      }
    }
    open.clear();
    openHour = null;
  }

  /** Drops a file that failed: its next line opens a new one. */
  private void abandon(LocalDate day) {
    OpenFile file = open.remove(day);
    if (file != null) {
      try {
        file.out().close();
      } catch (IOException e) {
        // Its failure is already counted; the hidden file stays for whoever inspects the disk.
      }
    }
  }

  /**
   * Writes what is queued, closes and renames every file, and stops the writer; answers offered
   * afterwards are dropped. Waits for the writer as long as it takes.
   */
  @Override
  public void close() {
    if (writer == null || closing) {
      return;
    }
    closing = true;
    try {
      writer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
