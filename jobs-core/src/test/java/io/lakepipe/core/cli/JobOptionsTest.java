package io.lakepipe.core.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.LakepipeException;
import java.nio.file.Path;
import java.time.LocalDate;
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
}
