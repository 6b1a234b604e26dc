// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.predictionlog;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakepipe.serving.TestBundles;
import io.lakepipe.serving.bundle.Bundle;
import io.lakepipe.serving.bundle.FolderBundleSource;
import io.lakepipe.serving.http.ScoringRequest;
import io.lakepipe.serving.metrics.PredictionLogMetrics;
import io.lakepipe.serving.metrics.PredictionLogMetrics.Line;
import io.lakepipe.serving.reload.LoadedModel;
import io.lakepipe.serving.scoring.Prediction;
import io.lakepipe.serving.scoring.Scorer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer on a real folder, with a clock the test moves. */
class PredictionLogTest {
  @TempDir Path dir;

  /** A clock set by the test. */
  private static final class MovableClock extends Clock {
    volatile Instant now;

    MovableClock(Instant now) {
      this.now = now;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  private LoadedModel model() {
    Bundle bundle =
        new FolderBundleSource(TestBundles.write(dir.resolve("bundle"), "lr-v1", "4")).load();
    return new LoadedModel(bundle, Scorer.of(bundle), 0.5);
  }

  private static ScoringRequest request(String id, String day) {
    Map<String, String> keys = new HashMap<>();
    keys.put("flight_id", id);
    keys.put("ds", day);
    return new ScoringRequest(false, List.of(Map.of()), List.of(keys));
  }

  private static List<Prediction> scored(double p) {
    return List.of(new Prediction(p, List.of(), List.of()));
  }

  private static List<Path> files(Path folder) throws Exception {
    try (Stream<Path> walk = Files.walk(folder)) {
      return new ArrayList<>(walk.filter(Files::isRegularFile).sorted().toList());
    }
  }

  @Test
  void aNewHourClosesTheFilesOfTheLastOneAndCloseRenamesTheRest() throws Exception {
    Path folder = dir.resolve("log");
    MovableClock clock = new MovableClock(Instant.parse("2026-12-05T09:59:00Z"));
    PredictionLogMetrics metrics = PredictionLogMetrics.standalone();
    LoadedModel model = model();
    PredictionLog log = PredictionLog.start(PredictionLogConfig.of(folder), metrics, clock);

    log.offer("predict", model, request("a", "2001-01-15"), scored(0.2));
    log.offer("predict", model, request("b", "2001-01-16"), scored(0.7));
    clock.now = Instant.parse("2026-12-05T10:00:01Z");
    log.offer("predict", model, request("c", "2001-01-15"), scored(0.9));
    log.close();

    List<String> names = files(folder).stream().map(p -> folder.relativize(p).toString()).toList();
    assertThat(names).hasSize(3).noneMatch(n -> n.contains("/."));
    assertThat(names)
        .anyMatch(n -> n.matches("ds=2001-01-15/predictions-20261205T09-.*\\.jsonl"))
        .anyMatch(n -> n.matches("ds=2001-01-16/predictions-20261205T09-.*\\.jsonl"))
        .anyMatch(n -> n.matches("ds=2001-01-15/predictions-20261205T10-.*\\.jsonl"));
    assertThat(metrics.lines(Line.WRITTEN)).isEqualTo(3);
    assertThat(metrics.lines(Line.FAILED)).isZero();
    List<String> lines = new ArrayList<>();
    for (Path file : files(folder)) {
      lines.addAll(Files.readAllLines(file));
    }
    assertThat(lines)
        .hasSize(3)
        .anyMatch(l -> l.contains("\"record_id\":\"c\"") && l.contains("\"probability\":0.9"));
  }

  @Test
  void anUnwritableFolderCountsFailedLinesAndNeverThrows() throws Exception {
    Path notAFolder = Files.writeString(dir.resolve("a-file"), "x");
    PredictionLogMetrics metrics = PredictionLogMetrics.standalone();
    LoadedModel model = model();
    PredictionLog log =
        PredictionLog.start(
            PredictionLogConfig.of(notAFolder.resolve("log")), metrics, Clock.systemUTC());

    log.offer("predict", model, request("a", "2001-01-15"), scored(0.2));
    log.offer("invocations", model, request(null, null), scored(0.3));
    log.close();

    assertThat(metrics.lines(Line.FAILED)).isEqualTo(2);
    assertThat(metrics.lines(Line.WRITTEN)).isZero();
  }

  @Test
  void aWriterTooFarBehindDropsAndCountsTheLines() throws Exception {
    PredictionLogMetrics metrics = PredictionLogMetrics.standalone();
    LoadedModel model = model();
    PredictionLog log =
        PredictionLog.start(
            new PredictionLogConfig(dir.resolve("log"), "flight_id", "ds", 1),
            metrics,
            Clock.systemUTC());
    List<Prediction> two =
        List.of(
            new Prediction(0.1, List.of(), List.of()), new Prediction(0.2, List.of(), List.of()));

    // Two records in one request are more than the queue holds, whatever the writer's pace.
    log.offer("predict", model, new ScoringRequest(true, List.of(Map.of(), Map.of())), two);
    log.close();

    assertThat(metrics.lines(Line.DROPPED)).isEqualTo(2);
    assertThat(metrics.lines(Line.WRITTEN)).isZero();
  }
}
