// SPDX-License-Identifier: Apache-2.0
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;

/**
 * A real YARN cluster in one JVM (Hadoop's MiniYARNCluster: a ResourceManager and one NodeManager
 * on ephemeral ports of 127.0.0.1), for infra/deploy/yarn-test.sh. Writes the Hadoop client
 * configuration (yarn-site.xml, core-site.xml) into the folder given, which becomes spark-submit's
 * HADOOP_CONF_DIR, prints "ready", and runs until its standard input closes.
 */
public final class MiniYarn {
  private MiniYarn() {}

  public static void main(String[] args) throws Exception {
    Path confDir = Files.createDirectories(Path.of(args[0]));
    YarnConfiguration conf = new YarnConfiguration();
    conf.set("yarn.resourcemanager.hostname", "127.0.0.1");
    conf.set("yarn.nodemanager.hostname", "127.0.0.1");
    conf.setInt(
        "yarn.nodemanager.resource.memory-mb",
        Integer.parseInt(args.length > 1 ? args[1] : "5120"));
    conf.setInt("yarn.nodemanager.resource.cpu-vcores", 4);
    conf.setInt("yarn.scheduler.minimum-allocation-mb", 256);
    conf.setBoolean("yarn.nodemanager.vmem-check-enabled", false);
    conf.setBoolean("yarn.nodemanager.pmem-check-enabled", false);
    conf.setFloat(
        "yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", 99.9f);
    // The queue of config/spark-yarn.conf beside YARN's default one.
    conf.set("yarn.scheduler.capacity.root.queues", "default,lakepipe");
    conf.set("yarn.scheduler.capacity.root.default.capacity", "50");
    conf.set("yarn.scheduler.capacity.root.lakepipe.capacity", "50");
    conf.set("yarn.scheduler.capacity.root.default.maximum-capacity", "100");
    conf.set("yarn.scheduler.capacity.root.lakepipe.maximum-capacity", "100");
    conf.set("yarn.scheduler.capacity.maximum-am-resource-percent", "1.0");
    MiniYARNCluster cluster = new MiniYARNCluster("lakepipe-yarn-test", 1, 1, 1);
    cluster.init(conf);
    cluster.start();
    Configuration started = cluster.getConfig();
    // The ResourceManager's port is known once it listens.
    long deadline = System.currentTimeMillis() + 60_000;
    while (started.get(YarnConfiguration.RM_ADDRESS, "").endsWith(":0")
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
    }
    Configuration client = new Configuration(false);
    for (var entry : started) {
      client.set(entry.getKey(), entry.getValue());
    }
    try (OutputStream out = new FileOutputStream(confDir.resolve("yarn-site.xml").toFile())) {
      client.writeXml(out);
    }
    Configuration core = new Configuration(false);
    core.set("fs.defaultFS", "file:///");
    try (OutputStream out = new FileOutputStream(confDir.resolve("core-site.xml").toFile())) {
      core.writeXml(out);
    }
    System.out.println(
        "ready "
            + started.get(YarnConfiguration.RM_ADDRESS)
            + " web "
            + started.get(YarnConfiguration.RM_WEBAPP_ADDRESS));
    System.out.flush();
    while (System.in.read() != -1) {
      // runs until the caller closes standard input
    }
    cluster.stop();
  }
}
