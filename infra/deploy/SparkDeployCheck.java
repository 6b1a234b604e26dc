// SPDX-License-Identifier: Apache-2.0
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import org.apache.spark.SecurityManager;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.k8s.KubernetesDriverConf;
import org.apache.spark.deploy.k8s.KubernetesDriverSpec;
import org.apache.spark.deploy.k8s.KubernetesExecutorConf;
import org.apache.spark.deploy.k8s.KubernetesExecutorSpec;
import org.apache.spark.deploy.k8s.submit.JavaMainAppResource;
import org.apache.spark.deploy.k8s.submit.KubernetesDriverBuilder;
import org.apache.spark.internal.config.ConfigEntry;
import org.apache.spark.internal.config.ConfigEntry$;
import org.apache.spark.resource.ResourceProfile$;
import org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBuilder;
import org.apache.spark.util.Utils;
import scala.Option;
import scala.collection.JavaConverters;

/**
 * Checks lakepipe's cluster templates with Spark's own code (the jars of the pyspark 3.5.7 wheel),
 * so that what passes here is what spark-submit and the driver would read. Run by
 * infra/deploy/validate.sh with java's single-file launcher; one line per problem on stderr, exit 1
 * if any.
 *
 * <ul>
 *   <li>{@code properties FILE...}: each file through Spark's properties loader; every key must be
 *       a Spark setting of core, Kubernetes or YARN (or one of Spark's map-valued prefixes;
 *       spark.hadoop.* keys must be Hadoop or s3a settings), and every value must convert to the
 *       setting's type.
 *   <li>{@code k8s-pods FILE OUTDIR}: builds the driver pod (with the objects spark-submit creates
 *       beside it) and one executor pod from the properties file and its pod templates, with
 *       Spark's own driver and executor builders, and writes them as JSON for the schema check.
 * </ul>
 */
public final class SparkDeployCheck {
  /** Spark settings whose keys carry a free part (labels, environment, secrets, volumes). */
  private static final List<String> MAP_PREFIXES =
      List.of(
          "spark.executorEnv.",
          "spark.yarn.appMasterEnv.",
          "spark.kubernetes.driverEnv.",
          "spark.kubernetes.driver.label.",
          "spark.kubernetes.executor.label.",
          "spark.kubernetes.driver.annotation.",
          "spark.kubernetes.executor.annotation.",
          "spark.kubernetes.driver.service.label.",
          "spark.kubernetes.driver.service.annotation.",
          "spark.kubernetes.driver.secrets.",
          "spark.kubernetes.executor.secrets.",
          "spark.kubernetes.driver.secretKeyRef.",
          "spark.kubernetes.executor.secretKeyRef.",
          "spark.kubernetes.driver.volumes.",
          "spark.kubernetes.executor.volumes.",
          "spark.kubernetes.node.selector.",
          "spark.kubernetes.driver.node.selector.",
          "spark.kubernetes.executor.node.selector.",
          // Metrics system settings (MetricsConfig):
          // spark.metrics.conf.<instance>.sink.<name>.<option>.
          "spark.metrics.conf.");

  /** Where Spark declares its settings: each object registers its entries when loaded. */
  private static final List<String> CONFIG_OBJECTS =
      List.of(
          "org.apache.spark.deploy.k8s.Config$", "org.apache.spark.deploy.yarn.config.package$");

  /** Hadoop classes whose String constants are the setting names that spark.hadoop.* may carry. */
  private static final List<String> HADOOP_KEY_CLASSES =
      List.of(
          "org.apache.hadoop.fs.CommonConfigurationKeysPublic",
          "org.apache.hadoop.fs.CommonConfigurationKeys",
          "org.apache.hadoop.fs.s3a.Constants",
          "org.apache.hadoop.security.alias.CredentialProviderFactory",
          "org.apache.hadoop.hdfs.client.HdfsClientConfigKeys",
          "org.apache.hadoop.yarn.conf.YarnConfiguration");

  private static final List<String> problems = new ArrayList<>();

  private SparkDeployCheck() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: properties FILE... | k8s-pods FILE OUTDIR");
      System.exit(2);
    }
    switch (args[0]) {
      case "properties" -> {
        loadSparkConfigEntries();
        for (int i = 1; i < args.length; i++) {
          checkProperties(args[i]);
        }
      }
      case "k8s-pods" -> buildPods(args[1], Path.of(args[2]));
      default -> {
        System.err.println("unknown command " + args[0]);
        System.exit(2);
      }
    }
    for (String problem : problems) {
      System.err.println(problem);
    }
    System.exit(problems.isEmpty() ? 0 : 1);
  }

  private static void checkProperties(String file) {
    Map<String, String> props = load(file);
    SparkConf conf = new SparkConf(false);
    props.forEach(conf::set);
    TreeSet<String> hadoopKeys = constants(HADOOP_KEY_CLASSES);
    // Settings spark-submit reads itself rather than through a config entry (spark.master ...).
    TreeSet<String> launcherKeys = constants(List.of("org.apache.spark.launcher.SparkLauncher"));
    for (Map.Entry<String, String> prop : props.entrySet()) {
      String key = prop.getKey();
      ConfigEntry<?> entry = ConfigEntry$.MODULE$.findEntry(key);
      if (entry != null) {
        try {
          conf.get(entry);
        } catch (RuntimeException e) {
          problems.add(
              file
                  + ": "
                  + key
                  + " = '"
                  + prop.getValue()
                  + "' is not a valid value: "
                  + e.getMessage());
        }
      } else if (launcherKeys.contains(key)) {
        continue;
      } else if (key.startsWith("spark.hadoop.")) {
        String hadoopKey = key.substring("spark.hadoop.".length());
        if (!hadoopKeys.contains(hadoopKey)) {
          problems.add(file + ": " + key + ": " + hadoopKey + " is not a Hadoop or s3a setting");
        }
      } else if (MAP_PREFIXES.stream()
          .noneMatch(p -> key.startsWith(p) && key.length() > p.length())) {
        problems.add(file + ": " + key + " is not a Spark 3.5.7 setting (misspelt?)");
      }
    }
    System.out.println(file + ": " + props.size() + " settings checked with Spark's own loader");
  }

  private static Map<String, String> load(String file) {
    if (!Files.isRegularFile(Path.of(file))) {
      problems.add(file + ": no such file");
      return Map.of();
    }
    return new TreeMap<>(JavaConverters.mapAsJavaMap(Utils.getPropertiesFromFile(file)));
  }

  /** Loads every Spark object that declares settings, so that findEntry knows all of them. */
  private static void loadSparkConfigEntries() throws IOException, ClassNotFoundException {
    List<String> names = new ArrayList<>(CONFIG_OBJECTS);
    String coreJar = SparkConf.class.getProtectionDomain().getCodeSource().getLocation().getPath();
    try (JarFile jar = new JarFile(coreJar)) {
      jar.stream()
          .map(e -> e.getName())
          .filter(n -> n.startsWith("org/apache/spark/internal/config/") && n.endsWith("$.class"))
          .map(n -> n.substring(0, n.length() - ".class".length()))
          .filter(
              n ->
                  n.indexOf('$') == n.length() - 1
                      && n.lastIndexOf('/') == "org/apache/spark/internal/config".length())
          .forEach(n -> names.add(n.replace('/', '.')));
    }
    for (String name : names) {
      Class.forName(name, true, SparkDeployCheck.class.getClassLoader());
    }
  }

  /** The values of the public String constants of these classes: the setting names they declare. */
  private static TreeSet<String> constants(List<String> classes) {
    TreeSet<String> keys = new TreeSet<>();
    for (String name : classes) {
      try {
        for (Field field : Class.forName(name).getFields()) {
          if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
            keys.add((String) field.get(null));
          }
        }
      } catch (ReflectiveOperationException e) {
        problems.add("cannot read setting names from " + name + ": " + e);
      }
    }
    return keys;
  }

  private static void buildPods(String file, Path outDir) throws IOException {
    Map<String, String> props = load(file);
    if (props.isEmpty()) {
      return;
    }
    SparkConf conf = new SparkConf(false);
    props.forEach(conf::set);
    conf.set("spark.app.name", "lakepipe-template-check");
    String appId = "spark-00000000000000000000000000000000";
    conf.set("spark.app.id", appId);
    Files.createDirectories(outDir);
    String master = conf.get("spark.master").replaceFirst("^k8s://", "");
    // Built only: nothing here talks to the API server, which this address does not reach.
    try (KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(new ConfigBuilder().withMasterUrl(master).build())
            .build()) {
      KubernetesDriverConf driverConf =
          new KubernetesDriverConf(
              conf.clone(),
              appId,
              new JavaMainAppResource(Option.apply("local:///opt/lakepipe/jars/jobs-ingest.jar")),
              "io.lakepipe.ingest.files.IngestFilesJob",
              new String[] {
                "--config",
                "/etc/lakepipe/lakepipe.conf",
                "--ds",
                "2001-01-15",
                "--source",
                "flights"
              },
              Option.empty());
      KubernetesDriverSpec driver =
          new KubernetesDriverBuilder().buildFromFeatures(driverConf, client);
      Pod driverPod = withContainer(driver.pod().pod(), driver.pod().container());
      write(outDir.resolve("driver-pod.json"), driverPod);
      int i = 0;
      for (HasMetadata resource :
          concat(driver.driverPreKubernetesResources(), driver.driverKubernetesResources())) {
        write(outDir.resolve("driver-resource-" + (i++) + ".json"), resource);
      }

      SecurityManager secMgr =
          new SecurityManager(
              conf,
              Option.empty(),
              org.apache.spark.internal.config.package$.MODULE$.AUTH_SECRET_FILE_EXECUTOR());
      secMgr.initializeAuth();
      KubernetesExecutorConf executorConf =
          new KubernetesExecutorConf(
              conf.clone(),
              appId,
              "1",
              Option.empty(),
              ResourceProfile$.MODULE$.DEFAULT_RESOURCE_PROFILE_ID());
      KubernetesExecutorSpec executor =
          new KubernetesExecutorBuilder()
              .buildFromFeatures(
                  executorConf,
                  secMgr,
                  client,
                  ResourceProfile$.MODULE$.getOrCreateDefaultProfile(conf));
      Container container = maskGeneratedSecret(executor.pod().container(), secMgr);
      write(outDir.resolve("executor-pod.json"), withContainer(executor.pod().pod(), container));
    } catch (RuntimeException e) {
      Throwable cause = e;
      StringBuilder why = new StringBuilder(e.toString());
      while (cause.getCause() != null && cause.getCause() != cause) {
        cause = cause.getCause();
        why.append(" <- ").append(cause);
      }
      problems.add(file + ": Spark could not build the pods: " + why);
    }
  }

  /**
   * The executor's environment holds the per-application secret that Spark generated (the behaviour
   * config/spark-k8s.conf describes): proven present here, and written out only as a marker.
   */
  private static Container maskGeneratedSecret(Container container, SecurityManager secMgr) {
    String secret = secMgr.getSecretKey();
    boolean found = false;
    List<EnvVar> env = new ArrayList<>();
    for (EnvVar var : container.getEnv()) {
      if (secret != null && secret.equals(var.getValue())) {
        found = true;
        env.add(new EnvVar(var.getName(), "<generated-per-application>", null));
      } else {
        env.add(var);
      }
    }
    if (secMgr.isAuthenticationEnabled() && !found) {
      problems.add(
          "spark.authenticate is on but the executor pod does not carry Spark's generated secret");
    }
    return new ContainerBuilder(container).withEnv(env).build();
  }

  private static Pod withContainer(Pod pod, Container container) {
    return new PodBuilder(pod).editOrNewSpec().addToContainers(container).endSpec().build();
  }

  private static List<HasMetadata> concat(
      scala.collection.Seq<HasMetadata> a, scala.collection.Seq<HasMetadata> b) {
    List<HasMetadata> all = new ArrayList<>(JavaConverters.seqAsJavaList(a));
    all.addAll(JavaConverters.seqAsJavaList(b));
    return all;
  }

  private static void write(Path file, Object object) throws IOException {
    Files.writeString(file, Serialization.asJson(object));
  }
}
