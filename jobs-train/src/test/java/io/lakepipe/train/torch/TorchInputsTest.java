// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.torch;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakepipe.core.SparkTestBase;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Which numbers the network embeds as categories, read off the fit rows. */
class TorchInputsTest extends SparkTestBase {
  static final StructType NUMBERS =
      new StructType()
          .add("hour", DataTypes.IntegerType)
          .add("weekday", DataTypes.DoubleType)
          .add("ratio", DataTypes.DoubleType)
          .add("minutes", DataTypes.IntegerType)
          .add("id", DataTypes.LongType)
          .add("delayed", DataTypes.DoubleType);

  @Test
  void wholeNumbersSpanningFewValuesAreEmbeddedFromTheirSmallest() {
    Object[][] rows = new Object[70][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] =
          new Object[] {
            i % 24 == 5 ? null : 2 + i % 20, // 2-21 with nulls: 20 values from 2
            i % 7 == 0 ? Double.NaN : 1.0 + i % 7, // 2-7 as doubles, NaN left out
            i + 0.5, // fractional
            i, // whole, but 70 values
            100_000_000L + i % 3, // whole and 3 values, but past a float's whole numbers
            i % 2 * 1.0
          };
    }
    List<String> numeric = List.of("hour", "weekday", "ratio", "minutes", "id");
    TorchInputs inputs = TorchInputs.of(rows(NUMBERS, rows), settings(numeric, 64));
    Map<String, TorchInputs.NumberInput> byName =
        inputs.numbers().stream()
            .collect(Collectors.toMap(TorchInputs.NumberInput::name, Function.identity()));

    assertThat(byName.get("hour").embedded()).isTrue();
    assertThat(byName.get("hour").embeddedLow()).isEqualTo(2);
    assertThat(byName.get("hour").embeddedValues()).isEqualTo(20);
    assertThat(byName.get("weekday").embeddedLow()).isEqualTo(2);
    assertThat(byName.get("weekday").embeddedValues()).isEqualTo(6);
    assertThat(byName.get("ratio").embedded()).isFalse();
    assertThat(byName.get("minutes").embedded()).isFalse();
    assertThat(byName.get("id").embedded()).isFalse();
    // Mean and deviation are read as before, for the numbers kept as numbers.
    assertThat(byName.get("ratio").mean()).isEqualTo(35.0);

    TorchInputs none = TorchInputs.of(rows(NUMBERS, rows), settings(numeric, 0));
    assertThat(none.numbers()).noneMatch(TorchInputs.NumberInput::embedded);
    TorchInputs wide = TorchInputs.of(rows(NUMBERS, rows), settings(numeric, 70));
    assertThat(wide.numbers().get(3).embeddedValues()).isEqualTo(70);
  }

  private static TorchSettings settings(List<String> numeric, int embedIntegersUpTo) {
    return new TorchSettings(
        numeric,
        List.of(),
        List.of(),
        "delayed",
        1,
        64,
        0.01,
        List.of(8),
        0.0,
        0.0,
        embedIntegersUpTo,
        1,
        1,
        1);
  }
}
