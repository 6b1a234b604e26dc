// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train;

import io.lakepipe.core.LakepipeErrors;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassificationModel;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;

/**
 * What a model directory needs so that {@code mlflow.pyfunc.load_model} loads and scores a pipeline
 * with XGBoost4J-Spark's classifier, of which pyspark and MLflow's local Spark session know
 * nothing:
 *
 * <ul>
 *   <li>{@code jars/xgboost4j-spark.jar}: XGBoost4J-Spark's classes and native libraries;
 *   <li>{@code code/ml/dmlc/xgboost4j/scala/spark/__init__.py}: a pyspark class {@code
 *       XGBoostClassificationModel} that wraps the JVM model. pyspark reads a pipeline by looking
 *       up, for each stage, the Python class named like its JVM class ({@code org.apache.spark}
 *       becomes {@code pyspark}, other names are imported as they are), and XGBoost has none;
 *   <li>{@code code/lakepipe_xgboost_pyfunc.py}: the {@code python_function} flavor's loader
 *       module. It starts the local Spark session as {@code mlflow.spark} does, with the jar in
 *       {@code spark.jars}, and then hands over to {@code mlflow.spark}'s own loader, so that
 *       {@code predict} returns P(label = 1) per row as for any other pipeline.
 * </ul>
 *
 * <p>The flavor declares {@code code: code}, so MLflow puts {@code code/} on {@code sys.path}
 * before it imports the loader. The Python files are resources beside this class.
 *
 * <p>Spark adds jars to its class path only when its session starts: in a Python process that
 * already runs a Spark session without XGBoost's jar, the model cannot be loaded (the loader fails
 * saying so, and to load it in a new process or to start the session with the jar).
 */
final class XGBoostPyfunc {
  /** The python_function flavor's loader module, in {@link #CODE}. */
  static final String LOADER_MODULE = "lakepipe_xgboost_pyfunc";

  /** The folder of the Python code, which MLflow puts on sys.path. */
  static final String CODE = "code";

  /** The folder of the jars the loader adds to its Spark session. */
  static final String JARS = "jars";

  static final String JAR = "xgboost4j-spark.jar";

  /** The Python files, relative to {@link #CODE} and to the resources {@code pyfunc/code/} here. */
  static final List<String> CODE_FILES =
      List.of(
          LOADER_MODULE + ".py",
          "ml/__init__.py",
          "ml/dmlc/__init__.py",
          "ml/dmlc/xgboost4j/__init__.py",
          "ml/dmlc/xgboost4j/scala/__init__.py",
          "ml/dmlc/xgboost4j/scala/spark/__init__.py");

  /** XGBoost's native library per operating system and architecture, where its loader looks. */
  private static final Pattern NATIVE_LIBRARY =
      Pattern.compile("lib/[^/]+/[^/]+/(lib)?xgboost4j\\.(so|dylib|dll)");

  private XGBoostPyfunc() {}

  /** The pipeline's XGBoost stage, if it has one: then its model directory needs these files. */
  static Optional<Transformer> xgboostStage(PipelineModel model) {
    return Stream.of(model.stages())
        .filter(s -> s instanceof XGBoostClassificationModel)
        .findFirst();
  }

  /**
   * Writes the jar of the XGBoost classes the stage was loaded from, and the Python code, into the
   * model directory {@code dir}.
   */
  static void write(Transformer xgboostStage, Path dir) throws IOException {
    writeJar(
        codeSource(xgboostStage.getClass()),
        Files.createDirectories(dir.resolve(JARS)).resolve(JAR));
    for (String file : CODE_FILES) {
      Path target = dir.resolve(CODE).resolve(file);
      Files.createDirectories(target.getParent());
      try (InputStream in = XGBoostPyfunc.class.getResourceAsStream("pyfunc/code/" + file)) {
        if (in == null) {
          throw new IllegalStateException(
              "Resource pyfunc/code/"
                  + file
                  + " is missing beside "
                  + XGBoostPyfunc.class.getName()
                  + ": the jobs-train build is broken.");
        }
        Files.copy(in, target);
      }
    }
  }

  /** The jar file a class was loaded from. */
  static Path codeSource(Class<?> type) {
    CodeSource source = type.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      throw LakepipeErrors.modelJarNotFound(
          "XGBoost4J-Spark", "the JVM tells no code source of " + type.getName(), null);
    }
    Path path;
    try {
      path = Path.of(source.getLocation().toURI());
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw LakepipeErrors.modelJarNotFound(
          "XGBoost4J-Spark",
          type.getName() + " was loaded from " + source.getLocation() + ", not from a local file",
          e);
    }
    if (!Files.isRegularFile(path)) {
      throw LakepipeErrors.modelJarNotFound(
          "XGBoost4J-Spark",
          type.getName() + " was loaded from " + path + ", which is not a jar file",
          null);
    }
    return path;
  }

  /**
   * Copies XGBoost's own entries of {@code source} into a new jar {@code target} and returns how
   * many it copied.
   *
   * <p>{@code source} is XGBoost4J-Spark's jar when the job runs from Maven's class path (tests),
   * but the job jar into which it is shaded when the job runs under spark-submit: 34 MB with Delta,
   * the MLflow client, Kryo 5 and more, whose classes could also shadow or clash with those of the
   * Spark that loads the model. So, one way for both: only XGBoost's own entries go into the
   * model's jar: its classes ({@code ml/dmlc/}), its helpers in Spark's package ({@code
   * org/apache/spark/ml/xgboost/}), its version file and its native library for every platform it
   * ships (Linux, macOS and Windows on x86_64 and aarch64, about 16 MB zipped; Linux alone would
   * save 6 MB, but the model would not load on a Mac). Its other dependencies, Kryo and
   * commons-logging, come with Spark.
   */
  static int writeJar(Path source, Path target) {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest
        .getMainAttributes()
        .put(
            new Attributes.Name("Created-By"), "lakepipe jobs-train, from " + source.getFileName());
    int copied = 0;
    try (ZipFile in = new ZipFile(source.toFile());
        OutputStream file = Files.newOutputStream(target);
        JarOutputStream out = new JarOutputStream(file, manifest)) {
      Enumeration<? extends ZipEntry> entries = in.entries();
      while (entries.hasMoreElements()) {
        ZipEntry entry = entries.nextElement();
        if (entry.isDirectory() || !isXGBoostEntry(entry.getName())) {
          continue;
        }
        JarEntry copy = new JarEntry(entry.getName());
        copy.setTime(entry.getTime());
        out.putNextEntry(copy);
        try (InputStream data = in.getInputStream(entry)) {
          data.transferTo(out);
        }
        out.closeEntry();
        copied++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot copy XGBoost's classes from " + source + " into " + target, e);
    }
    if (copied == 0) {
      throw LakepipeErrors.modelJarNotFound(
          "XGBoost4J-Spark",
          source + ", where its classes were" + " loaded from, holds none of them",
          null);
    }
    return copied;
  }

  static boolean isXGBoostEntry(String name) {
    return name.startsWith("ml/dmlc/")
        || name.startsWith("org/apache/spark/ml/xgboost/")
        || name.equals("xgboost4j-version.properties")
        || NATIVE_LIBRARY.matcher(name).matches();
  }
}
