// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.LakepipeException;
import io.lakepipe.core.SparkTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Hadoop landing area on Hadoop's local file system (file://): the same FileSystem calls as on
 * HDFS, which infra/deploy/hdfs-test.sh runs against a real one.
 */
class HadoopLandingAreaTest extends SparkTestBase {
  static final LocalDate DS = LocalDate.parse("2001-01-15");

  @TempDir Path home;

  private HadoopLandingArea landing(String location) {
    return new HadoopLandingArea(spark.sparkContext().hadoopConfiguration(), location);
  }

  @Test
  void listsOnlyTheDataFilesOfTheDayAsQualifiedUris() throws Exception {
    Path day = Files.createDirectories(home.resolve("landing/ds=" + DS));
    for (String name :
        new String[] {
          "part-1.csv", "part-0.csv", "_SUCCESS", ".part-0.csv.crc", "part-0.csv.crc", ".hidden"
        }) {
      Files.writeString(day.resolve(name), "x\n");
    }
    Files.createDirectories(day.resolve("nested"));
    Files.createDirectories(home.resolve("landing/ds=2001-01-16"));
    Files.writeString(home.resolve("landing/ds=2001-01-16/part-0.csv"), "x\n");

    String location = home.resolve("landing").toUri().toString();
    assertThat(landing(location).files(DS))
        .containsExactly("file:" + day.resolve("part-0.csv"), "file:" + day.resolve("part-1.csv"));
  }

  @Test
  void aDayWithoutAFolderHasNoFilesAndTheFolderIsNamedAsConfigured() {
    HadoopLandingArea area = landing("hdfs://namenode:8020/landing/flights/");

    assertThat(area.folder(DS)).isEqualTo("hdfs://namenode:8020/landing/flights/ds=2001-01-15");
    assertThat(landing("file://" + home.resolve("landing")).files(DS)).isEmpty();
  }

  @Test
  void aFileSystemThatCannotBeReachedIsAClearError() {
    assertThatThrownBy(() -> landing("nofs://somewhere/landing").files(DS))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining(
            "File system call failed: list nofs://somewhere/landing/ds=2001-01-15")
        .hasMessageContaining("No FileSystem for scheme")
        .hasMessageContaining("HADOOP_CONF_DIR");
  }

  @Test
  void theSchemeOfTheLocationPicksTheLandingArea() {
    assertThat(areaFor("hdfs://namenode:8020/landing")).isInstanceOf(HadoopLandingArea.class);
    assertThat(areaFor(home.resolve("landing").toString())).isInstanceOf(LocalLandingArea.class);
    assertThat(areaFor("file://" + home.resolve("landing"))).isInstanceOf(LocalLandingArea.class);
  }

  private LandingArea areaFor(String location) {
    return LandingAreas.of(location, testConfig(home, Map.of()), spark);
  }
}
