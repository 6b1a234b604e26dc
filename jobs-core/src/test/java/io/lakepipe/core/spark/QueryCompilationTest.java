// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.config.LakepipeConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueryCompilationTest extends SparkTestBase {
  @TempDir Path home;

  @AfterEach
  void backToTheTestSessionsMode() {
    QueryCompilation.interpret(spark);
  }

  LakepipeConfig limits() {
    return testConfig(
        home,
        Map.of(
            "lakepipe.spark.interpreted.max-rows", 100,
            "lakepipe.spark.interpreted.max-landed-bytes", 1000));
  }

  @Test
  void anInterpretedSessionCompilesOnlyOnceItsDayHasMoreRowsThanTheLimit() {
    LakepipeConfig config = limits();
    QueryCompilation.interpret(spark);

    assertThat(QueryCompilation.compileIfMoreRows(spark, config, 100)).isFalse();
    assertThat(QueryCompilation.isInterpreted(spark)).isTrue();
    assertThat(spark.conf().get(QueryCompilation.WHOLE_STAGE)).isEqualTo("false");

    assertThat(QueryCompilation.compileIfMoreRows(spark, config, 101)).isTrue();
    assertThat(QueryCompilation.isInterpreted(spark)).isFalse();
    assertThat(spark.conf().get(QueryCompilation.FACTORY_MODE)).isEqualTo("FALLBACK");
    assertThat(spark.conf().get(QueryCompilation.WHOLE_STAGE)).isEqualTo("true");
    // Already compiling: nothing to turn on.
    assertThat(QueryCompilation.compileIfMoreRows(spark, config, 1_000_000)).isFalse();
  }

  @Test
  void landedFilesLargerThanTheirLimitTurnCompilationOn() {
    LakepipeConfig config = limits();
    QueryCompilation.interpret(spark);

    assertThat(QueryCompilation.compileIfMoreLandedBytes(spark, config, () -> 1000)).isFalse();
    assertThat(QueryCompilation.isInterpreted(spark)).isTrue();
    assertThat(QueryCompilation.compileIfMoreLandedBytes(spark, config, () -> 1001)).isTrue();
    assertThat(QueryCompilation.isInterpreted(spark)).isFalse();
  }

  @Test
  void theDefaultsInterpretSmallDaysAndZeroRowsTurnsItOff() {
    assertThat(QueryCompilation.interpretsSmallDays(testConfig(home, Map.of()))).isTrue();
    assertThat(
            QueryCompilation.interpretsSmallDays(
                testConfig(home, Map.of("lakepipe.spark.interpreted.max-rows", 0))))
        .isFalse();
  }
}
