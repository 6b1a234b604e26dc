// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.SparkTestBase;
import io.lakepipe.core.table.DeltaTables;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingSetsTest extends SparkTestBase {
  // Only the columns TrainingSets joins and carries: it takes any view's tables, not only flights'.
  static final StructType FEATURES =
      new StructType().add("flight_id", DataTypes.StringType).add("hour", DataTypes.IntegerType);
  static final StructType LABELS =
      new StructType()
          .add("flight_id", DataTypes.StringType)
          .add("delay", DataTypes.IntegerType)
          .add("delayed", DataTypes.IntegerType);
  static final LocalDate D1 = LocalDate.parse("2001-01-01");
  static final LocalDate D2 = LocalDate.parse("2001-01-02");

  @TempDir Path home;

  static TrainingSets sets(DeltaTables tables, String features, String labels) {
    return new TrainingSets(
        tables,
        new TrainingSets.Table("features-flights", features),
        new TrainingSets.Table("labels-flights", labels),
        "flight_id",
        "delayed");
  }

  @Test
  void joinsLabelsToFeaturesAndRecordsTheVersionsRead() {
    DeltaTables tables = new DeltaTables(spark);
    String features = home.resolve("features").toString();
    String labels = home.resolve("labels").toString();
    tables.replaceDs(rows(FEATURES, new Object[] {"a", 7}, new Object[] {"b", 8}), features, D1);
    tables.replaceDs(rows(FEATURES, new Object[] {"c", 9}), features, D2);
    tables.replaceDs(rows(LABELS, new Object[] {"a", 40, 1}, new Object[] {"b", 0, 0}), labels, D1);
    // A flight with features and no label yet (its label day not written) is left out.
    TrainingSets sets = sets(tables, features, labels);

    TrainingSet set = sets.latest(D1, D2);

    assertThat(texts(set.rows())).containsExactly("[a,7,2001-01-01,1]", "[b,8,2001-01-01,0]");
    assertThat(set.features().path()).isEqualTo(features);
    assertThat(set.features().version()).isEqualTo(1);
    assertThat(set.labels().version()).isEqualTo(0);
  }

  @Test
  void readsTheRecordedVersionsAgainAfterTheTablesChanged() {
    DeltaTables tables = new DeltaTables(spark);
    String features = home.resolve("features").toString();
    String labels = home.resolve("labels").toString();
    tables.replaceDs(rows(FEATURES, new Object[] {"a", 7}), features, D1);
    tables.replaceDs(rows(LABELS, new Object[] {"a", 40, 1}), labels, D1);
    TrainingSets sets = sets(tables, features, labels);
    TrainingSet first = sets.latest(D1, D1);
    List<String> firstRows = texts(first.rows());
    // A rebuild later changes the day.
    tables.replaceDs(rows(FEATURES, new Object[] {"a", 23}), features, D1);
    tables.replaceDs(rows(LABELS, new Object[] {"a", 3, 0}), labels, D1);

    TrainingSet again = sets.at(D1, D1, first.features().version(), first.labels().version());

    assertThat(texts(again.rows())).isEqualTo(firstRows).containsExactly("[a,7,2001-01-01,1]");
    assertThat(texts(sets.latest(D1, D1).rows())).containsExactly("[a,23,2001-01-01,0]");
  }

  @Test
  void aVersionTheTableDoesNotHaveIsAClearError() {
    DeltaTables tables = new DeltaTables(spark);
    String features = home.resolve("features").toString();
    String labels = home.resolve("labels").toString();
    tables.replaceDs(rows(FEATURES, new Object[] {"a", 7}), features, D1);
    tables.replaceDs(rows(LABELS, new Object[] {"a", 40, 1}), labels, D1);

    assertThatThrownBy(() -> sets(tables, features, labels).at(D1, D1, 5, 0))
        .hasMessageContaining("features-flights")
        .hasMessageContaining("has no version 5 (its versions are 0 to 0)");
    assertThatThrownBy(() -> sets(tables, features, home.resolve("none").toString()).latest(D1, D1))
        .hasMessageContaining("labels-flights");
  }

  static List<String> texts(Dataset<Row> rows) {
    return rows.orderBy("flight_id").collectAsList().stream().map(Row::toString).toList();
  }
}
