// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.predictionlog;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The names of the prediction log's files: {@code ds=<day>/predictions-<hour>-<process>-<n>.jsonl}
 * once closed, and the same name with a leading dot and {@code .inprogress} while it is written.
 * The ingest reads no file whose name starts with a dot, so a reader only ever sees whole files:
 * the rename that closes a file is atomic. {@code <hour>} is the UTC hour of the answers
 * (yyyyMMdd'T'HH), {@code <process>} tells apart scorers writing into one folder, {@code <n>}
 * counts the process's files.
 */
record LogFileName(LocalDate day, Instant hour, String process, long sequence) {
  private static final DateTimeFormatter HOUR =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HH").withZone(ZoneOffset.UTC);

  /** The day's folder, relative to the log's folder. */
  String folder() {
    return "ds=" + day;
  }

  /** The name once closed. */
  String closed() {
    return "predictions-" + HOUR.format(hour) + "-" + process + "-" + sequence + ".jsonl";
  }

  /** The name while written: hidden from the ingest. */
  String inProgress() {
    return "." + closed() + ".inprogress";
  }
}
