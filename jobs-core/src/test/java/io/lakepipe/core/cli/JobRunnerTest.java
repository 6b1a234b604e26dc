// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.job.JobResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failures before Spark starts: a non-zero exit, one line on stderr, and the job never runs. */
class JobRunnerTest {
  @TempDir Path dir;

  @org.junit.jupiter.api.BeforeAll
  static void startLogging() {
    // SLF4J prints its start-up lines to stderr once per JVM: before any test captures stderr.
    org.slf4j.LoggerFactory.getLogger(JobRunnerTest.class);
  }

  private int exitCodeOf(String[] args, AtomicBoolean ran, StringBuilder stderr) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      return JobRunner.execute(
          "test-job",
          args,
          context -> {
            ran.set(true);
            return JobResult.builder().build();
          });
    } finally {
      System.setErr(original);
      stderr.append(captured.toString(StandardCharsets.UTF_8));
    }
  }

  @Test
  void badDateExitsWithUsageCodeAndOneLine() {
    AtomicBoolean ran = new AtomicBoolean();
    StringBuilder stderr = new StringBuilder();

    int code = exitCodeOf(new String[] {"--config", "x.conf", "--ds", "yesterday"}, ran, stderr);

    assertThat(code).isEqualTo(LakepipeException.EXIT_USAGE);
    assertThat(ran).isFalse();
    assertThat(stderr.toString().strip().lines())
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("lakepipe test-job failed: Invalid --ds 'yesterday'");
  }

  @Test
  void missingConfigFileExitsNonZeroBeforeTheJobRuns() {
    AtomicBoolean ran = new AtomicBoolean();
    StringBuilder stderr = new StringBuilder();
    String missing = dir.resolve("absent.conf").toString();

    int code = exitCodeOf(new String[] {"--config", missing, "--ds", "2001-01-01"}, ran, stderr);

    assertThat(code).isEqualTo(LakepipeException.EXIT_FAILED);
    assertThat(ran).isFalse();
    assertThat(stderr.toString()).contains("absent.conf does not exist");
  }

  @Test
  void aJobsPlanSeesItsOptionsAndStopsTheRunBeforeSparkStarts() throws Exception {
    java.util.List<String> planned = new java.util.ArrayList<>();
    Path config =
        java.nio.file.Files.writeString(
            dir.resolve("ok.conf"), "lakepipe.home = \"" + dir + "\"\n");
    String[] args = {"--config", config.toString(), "--ds", "2001-01-01", "--table", "orders"};
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    int code;
    try {
      code =
          JobRunner.execute(
              "check-table",
              args,
              java.util.List.of(JobOption.required("table", "the table").inAuditName()),
              (loaded, options) -> {
                planned.add(options.get("table"));
                throw io.lakepipe.core.LakepipeErrors.configValueInvalid(
                    "checks", "orders", "a table");
              });
    } finally {
      System.setErr(original);
    }

    assertThat(code).isEqualTo(LakepipeException.EXIT_FAILED);
    assertThat(planned).containsExactly("orders");
    assertThat(captured.toString(StandardCharsets.UTF_8).strip().lines())
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("lakepipe check-table:orders failed: Config key lakepipe.checks");
  }

  @Test
  void anUnknownOptionExitsWithUsageCodeBeforeTheJobRuns() {
    AtomicBoolean ran = new AtomicBoolean();
    StringBuilder stderr = new StringBuilder();

    int code =
        exitCodeOf(
            new String[] {"--config", "x.conf", "--ds", "2001-01-01", "--table", "t"}, ran, stderr);

    assertThat(code).isEqualTo(LakepipeException.EXIT_USAGE);
    assertThat(ran).isFalse();
    assertThat(stderr.toString().strip().lines())
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith(
            "lakepipe test-job failed: Invalid arguments: Unknown options: '--table', 't'.");
  }

  @Test
  void aMissingRequiredOptionStopsTheJobBeforeItRuns() {
    AtomicBoolean ran = new AtomicBoolean();
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    int code;
    try {
      code =
          JobRunner.execute(
              "check-table",
              new String[] {"--config", "x.conf", "--ds", "2001-01-01"},
              java.util.List.of(JobOption.required("table", "the table")),
              context -> {
                ran.set(true);
                return JobResult.builder().build();
              });
    } finally {
      System.setErr(original);
    }

    assertThat(code).isEqualTo(LakepipeException.EXIT_USAGE);
    assertThat(ran).isFalse();
    assertThat(captured.toString(StandardCharsets.UTF_8).strip())
        .isEqualTo(
            "lakepipe check-table"
                + " failed: Invalid arguments: Missing required option: '--table=<table>'. Usage:"
                + " spark-submit --class <Main> <job jar> --config <file> --ds <YYYY-MM-DD> [--until <YYYY-MM-DD>] --table <table>"
                + " (--table: the table)");
  }
}
