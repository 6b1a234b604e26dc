// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.core.LakepipeException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassificationModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XGBoostPyfuncTest {
  @TempDir Path dir;

  /** A jar holding the named entries, each with its name as content. */
  private Path jar(String name, String... entries) throws IOException {
    Path jar = dir.resolve(name);
    try (OutputStream file = Files.newOutputStream(jar);
        ZipOutputStream out = new ZipOutputStream(file)) {
      for (String entry : entries) {
        out.putNextEntry(new ZipEntry(entry));
        if (!entry.endsWith("/")) {
          out.write(entry.getBytes(StandardCharsets.UTF_8));
        }
        out.closeEntry();
      }
    }
    return jar;
  }

  @Test
  void fromAShadedJobJarOnlyXGBoostsClassesVersionAndNativeLibrariesAreKept() throws IOException {
    Path jobJar =
        jar(
            "jobs-train.jar",
            "META-INF/MANIFEST.MF",
            "io/lakepipe/train/TrainModelJob.class",
            "com/esotericsoftware/kryo/Kryo.class",
            "org/apache/commons/logging/LogFactory.class",
            "io/lakepipe/mlflow/MlflowRestClient.class",
            "ml/dmlc/",
            "ml/dmlc/xgboost4j/java/XGBoostJNI.class",
            "ml/dmlc/xgboost4j/scala/spark/XGBoostClassificationModel.class",
            "org/apache/spark/ml/xgboost/SparkUtils.class",
            "xgboost4j-version.properties",
            "lib/linux/x86_64/libxgboost4j.so",
            "lib/linux/aarch64/libxgboost4j.so",
            "lib/macos/aarch64/libxgboost4j.dylib",
            "lib/windows/x86_64/xgboost4j.dll",
            "lib/linux/x86_64/libzstd-jni.so",
            "META-INF/maven/ml.dmlc/xgboost4j_2.12/pom.xml");
    Path target = dir.resolve("xgboost4j-spark.jar");

    int copied = XGBoostPyfunc.writeJar(jobJar, target);

    try (JarFile written = new JarFile(target.toFile())) {
      List<String> names = written.stream().map(ZipEntry::getName).toList();
      assertThat(names)
          .containsExactlyInAnyOrder(
              "META-INF/MANIFEST.MF",
              "ml/dmlc/xgboost4j/java/XGBoostJNI.class",
              "ml/dmlc/xgboost4j/scala/spark/XGBoostClassificationModel.class",
              "org/apache/spark/ml/xgboost/SparkUtils.class",
              "xgboost4j-version.properties",
              "lib/linux/x86_64/libxgboost4j.so",
              "lib/linux/aarch64/libxgboost4j.so",
              "lib/macos/aarch64/libxgboost4j.dylib",
              "lib/windows/x86_64/xgboost4j.dll");
      assertThat(copied).isEqualTo(names.size() - 1);
      assertThat(written.getManifest().getMainAttributes().getValue("Created-By"))
          .contains("jobs-train.jar");
      assertThat(
              new String(
                  written
                      .getInputStream(written.getEntry("lib/linux/x86_64/libxgboost4j.so"))
                      .readAllBytes(),
                  StandardCharsets.UTF_8))
          .isEqualTo("lib/linux/x86_64/libxgboost4j.so");
    }
  }

  @Test
  void xgboostsCodeSourceOnTheTestClassPathIsItsOwnJar() throws IOException {
    Path source = XGBoostPyfunc.codeSource(XGBoostClassificationModel.class);

    assertThat(source.getFileName().toString())
        .startsWith("xgboost4j-spark_2.12-")
        .endsWith(".jar");
    try (ZipFile jar = new ZipFile(source.toFile())) {
      assertThat(jar.getEntry("lib/linux/x86_64/libxgboost4j.so")).isNotNull();
    }
  }

  @Test
  void aJarWithoutXGBoostIsRefusedWithTheReason() throws IOException {
    Path other = jar("other.jar", "io/lakepipe/train/TrainModelJob.class");

    assertThatThrownBy(() -> XGBoostPyfunc.writeJar(other, dir.resolve("xgboost4j-spark.jar")))
        .isInstanceOf(LakepipeException.class)
        .hasMessageContaining("other.jar, where its classes were loaded from, holds none of them")
        .hasMessageContaining("Run the job from its job jar");
  }
}
