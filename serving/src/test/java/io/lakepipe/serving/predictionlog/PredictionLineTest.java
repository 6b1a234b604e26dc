// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.predictionlog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class PredictionLineTest {
  private static final Instant LATE_EVENING = Instant.parse("2026-12-05T23:59:59.123456Z");

  private static PredictionLine line(String id, String day) {
    return new PredictionLine("p-1", LATE_EVENING, "predict", "m", "3", 0.75, 0.5, true, id, day);
  }

  @Test
  void aLineIsOneJsonObjectWithEveryColumnOfTheSource() throws Exception {
    String json = line("f\"1\n", "2001-01-15").json();

    assertThat(json).doesNotContain("\n");
    JsonNode node = new ObjectMapper().readTree(json);
    assertThat(node.get("prediction_id").asText()).isEqualTo("p-1");
    assertThat(node.get("answered_at").asText()).isEqualTo("2026-12-05T23:59:59.123Z");
    assertThat(node.get("endpoint").asText()).isEqualTo("predict");
    assertThat(node.get("model_name").asText()).isEqualTo("m");
    assertThat(node.get("model_version").asText()).isEqualTo("3");
    assertThat(node.get("probability").asDouble()).isEqualTo(0.75);
    assertThat(node.get("threshold").asDouble()).isEqualTo(0.5);
    assertThat(node.get("delayed").asBoolean()).isTrue();
    assertThat(node.get("record_id").asText()).isEqualTo("f\"1\n");
    assertThat(node.get("record_day").asText()).isEqualTo("2001-01-15");
  }

  @Test
  void aRecordWithoutIdOrDayIsLoggedWithNulls() throws Exception {
    JsonNode node = new ObjectMapper().readTree(line(null, null).json());

    assertThat(node.get("record_id").isNull()).isTrue();
    assertThat(node.get("record_day").isNull()).isTrue();
  }

  @Test
  void theDayIsTheRecordsDayWhenItIsADateElseTheUtcDayOfTheAnswer() {
    assertThat(line("a", "2001-01-15").day()).isEqualTo(LocalDate.parse("2001-01-15"));
    assertThat(line("a", null).day()).isEqualTo(LocalDate.parse("2026-12-05"));
    assertThat(line("a", "yesterday").day()).isEqualTo(LocalDate.parse("2026-12-05"));
    assertThat(line("a", "2001-02-30").day()).isEqualTo(LocalDate.parse("2026-12-05"));
  }

  @Test
  void filesAreHiddenWhileWrittenAndNamedByDayHourProcessAndNumber() {
    LogFileName name =
        new LogFileName(
            LocalDate.parse("2001-01-15"), Instant.parse("2026-12-05T09:00:00Z"), "42-ab", 7);

    assertThat(name.folder()).isEqualTo("ds=2001-01-15");
    assertThat(name.closed()).isEqualTo("predictions-20261205T09-42-ab-7.jsonl");
    assertThat(name.inProgress()).isEqualTo(".predictions-20261205T09-42-ab-7.jsonl.inprogress");
  }
}
