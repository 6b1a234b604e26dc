// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest;

import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import io.lakepipe.core.SparkTestBase;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The quarantine's transformations of checked rows, without I/O. */
class QuarantineTest extends SparkTestBase {
  private static final StructType CHECKED =
      new StructType()
          .add("seats", DataTypes.IntegerType)
          .add(Quarantine.REASON, DataTypes.StringType)
          .add(Quarantine.RAW, DataTypes.StringType);

  @Test
  void theRawRecordStaysOnlyOnRowsTheQuarantineTakes() {
    Dataset<Row> rows =
        spark.createDataFrame(
            List.of(
                RowFactory.create(2, null, "B1,2"),
                RowFactory.create(null, "missing seats", "B2,"),
                RowFactory.create(-1, "seats is not positive", "B3,-1")),
            CHECKED);
    Dataset<Row> checked = Lineage.with(rows, "file", lit("day.csv"), "run-1");

    Dataset<Row> kept = Quarantine.withRawOfInvalidOnly(checked);

    assertThat(kept.schema()).isEqualTo(checked.schema());
    assertThat(kept.select("seats", Quarantine.REASON, Quarantine.RAW).collectAsList())
        .containsExactly(
            RowFactory.create(2, null, null),
            RowFactory.create(null, "missing seats", "B2,"),
            RowFactory.create(-1, "seats is not positive", "B3,-1"));
    // What each table takes is the same as from the rows with every raw record.
    assertThat(Quarantine.filterInvalid(kept).select(Quarantine.RAW, "reason").collectAsList())
        .isEqualTo(
            Quarantine.filterInvalid(checked).select(Quarantine.RAW, "reason").collectAsList());
    assertThat(Quarantine.filterValid(kept).select("seats").collectAsList())
        .isEqualTo(Quarantine.filterValid(checked).select("seats").collectAsList())
        .containsExactly(RowFactory.create(2));
  }
}
