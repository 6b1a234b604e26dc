// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.LakepipeException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobOptionsTest {
  @Test
  void parsesConfigAndLogicalDate() {
    JobOptions options = JobOptions.parse("--config", "c.conf", "--ds", "2001-02-28");

    assertThat(options.configFile()).isEqualTo(Path.of("c.conf"));
    assertThat(options.ds()).isEqualTo(LocalDate.of(2001, 2, 28));
  }

  @Test
  void rejectsADateThatIsNotIso() {
    assertThatThrownBy(() -> JobOptions.parse("--config", "c.conf", "--ds", "15/01/2001"))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("Invalid --ds '15/01/2001'")
        .extracting(e -> ((LakepipeException) e).exitCode())
        .isEqualTo(LakepipeException.EXIT_USAGE);
  }

  @Test
  void aDailyRunIsItsOneDay() {
    assertThat(JobOptions.parse("--config", "c.conf", "--ds", "2001-02-28").days())
        .containsExactly(LocalDate.of(2001, 2, 28));
  }

  @Test
  void aRangeRunIsEveryDayFromDsToUntilOldestFirst() {
    JobOptions options =
        JobOptions.parse("--config", "c.conf", "--ds", "2001-02-27", "--until", "2001-03-02");

    assertThat(options.ds()).isEqualTo(LocalDate.of(2001, 2, 27));
    assertThat(options.days())
        .containsExactly(
            LocalDate.of(2001, 2, 27),
            LocalDate.of(2001, 2, 28),
            LocalDate.of(2001, 3, 1),
            LocalDate.of(2001, 3, 2));
    assertThat(
            JobOptions.parse("--config", "c", "--ds", "2001-01-01", "--until", "2001-01-01").days())
        .containsExactly(LocalDate.of(2001, 1, 1));
  }

  @Test
  void rejectsARangeThatEndsBeforeItStartsOrIsNotADate() {
    assertThatThrownBy(
            () -> JobOptions.parse("--config", "c", "--ds", "2001-01-02", "--until", "2001-01-01"))
        .isInstanceOf(LakepipeException.class)
        .hasMessage(
            "Invalid --until '2001-01-01': the last day of a range run must be an ISO date on or"
                + " after --ds 2001-01-02.")
        .extracting(e -> ((LakepipeException) e).exitCode())
        .isEqualTo(LakepipeException.EXIT_USAGE);
    assertThatThrownBy(
            () -> JobOptions.parse("--config", "c", "--ds", "2001-01-02", "--until", "tomorrow"))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("Invalid --until 'tomorrow'");
  }

  @Test
  void rejectsAnImpossibleDate() {
    assertThatThrownBy(() -> JobOptions.parse("--config", "c.conf", "--ds", "2001-02-30"))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("2001-02-30");
  }

  @Test
  void rejectsMissingAndUnknownOptions() {
    assertThatThrownBy(() -> JobOptions.parse("--ds", "2001-01-01"))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("--config");
    assertThatThrownBy(() -> JobOptions.parse("--config", "c", "--ds", "2001-01-01", "--dry"))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("--dry");
  }

  static final List<JobOption> CHECK_OPTIONS =
      List.of(
          JobOption.required("table", "the declared table to check").inAuditName(),
          JobOption.optional("mode", "strict or lenient", "strict"));

  @Test
  void aJobsOwnOptionsReachItByNameWithDefaultsFilledIn() {
    JobOptions options =
        JobOptions.parse(
            CHECK_OPTIONS, "--config", "c.conf", "--table", "bronze-flights", "--ds", "2001-02-28");

    assertThat(options.values())
        .containsExactly(
            org.assertj.core.api.Assertions.entry("table", "bronze-flights"),
            org.assertj.core.api.Assertions.entry("mode", "strict"));
    assertThat(options.ds()).isEqualTo(LocalDate.of(2001, 2, 28));
    assertThat(
            JobOptions.parse(
                    CHECK_OPTIONS,
                    "--config",
                    "c",
                    "--ds",
                    "2001-01-01",
                    "--table=t",
                    "--mode",
                    "lenient")
                .values())
        .containsEntry("mode", "lenient");
  }

  @Test
  void theRunNameCarriesTheValuesOfTheOptionsThatNameIt() {
    JobOptions options =
        JobOptions.parse(
            CHECK_OPTIONS,
            "--config",
            "c.conf",
            "--ds",
            "2001-02-28",
            "--table",
            "bronze-flights",
            "--mode",
            "lenient");

    assertThat(options.runName("check-table")).isEqualTo("check-table:bronze-flights");
    assertThat(JobOptions.parse("--config", "c", "--ds", "2001-01-01").runName("ingest-files"))
        .isEqualTo("ingest-files");
  }

  @Test
  void anUnknownOptionIsOneLineListingTheOptionsTheJobTakes() {
    assertThatThrownBy(
            () ->
                JobOptions.parse(
                    CHECK_OPTIONS,
                    "--config",
                    "c",
                    "--ds",
                    "2001-01-01",
                    "--table",
                    "t",
                    "--tabel",
                    "u"))
        .isInstanceOf(LakepipeException.class)
        .hasMessage(
            "Invalid arguments: Unknown options: '--tabel', 'u'. Usage: spark-submit --class"
                + " <Main> <job jar> --config <file> --ds <YYYY-MM-DD> [--until <YYYY-MM-DD>] --table <table> [--mode <mode>]"
                + " (--table: the declared table to check; --mode: strict or lenient (default strict))")
        .extracting(e -> ((LakepipeException) e).exitCode())
        .isEqualTo(LakepipeException.EXIT_USAGE);
  }

  @Test
  void aMissingRequiredOptionIsOneLineListingTheOptionsTheJobTakes() {
    assertThatThrownBy(() -> JobOptions.parse(CHECK_OPTIONS, "--config", "c", "--ds", "2001-01-01"))
        .isInstanceOf(LakepipeException.class)
        .hasMessage(
            "Invalid arguments: Missing required option: '--table=<table>'. Usage:"
                + " spark-submit --class <Main> <job jar> --config <file> --ds <YYYY-MM-DD> [--until <YYYY-MM-DD>] --table <table>"
                + " [--mode <mode>] (--table: the declared table to check; --mode: strict or lenient"
                + " (default strict))");
  }

  @Test
  void aJobWithoutOptionsOfItsOwnRefusesOneAndSaysWhatItTakes() {
    assertThatThrownBy(
            () -> JobOptions.parse("--config", "c", "--ds", "2001-01-01", "--table", "t"))
        .isInstanceOf(LakepipeException.class)
        .hasMessage(
            "Invalid arguments: Unknown options: '--table', 't'. Usage: spark-submit --class"
                + " <Main> <job jar> --config <file> --ds <YYYY-MM-DD> [--until <YYYY-MM-DD>]");
  }

  @Test
  void anOptionCannotShadowTheCommonOnes() {
    assertThatThrownBy(() -> JobOption.required("ds", "a date"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JobOption.required("Table", "a table"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
