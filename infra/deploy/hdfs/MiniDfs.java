// SPDX-License-Identifier: Apache-2.0
import java.io.File;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * A real HDFS in one JVM (Hadoop's MiniDFSCluster: a NameNode and one DataNode, every port an
 * ephemeral one on 127.0.0.1), for infra/deploy/hdfs-test.sh. Keeps its storage under the folder
 * given, copies each local folder given after it to the HDFS path that follows it, prints "ready
 * hdfs://127.0.0.1:<port>", and runs until its standard input closes. Usage: MiniDfs.java <storage
 * folder> [<local folder> <hdfs path>]...
 */
public final class MiniDfs {
  private MiniDfs() {}

  public static void main(String[] args) throws Exception {
    Configuration conf = new Configuration();
    // Loopback only: the NameNode's RPC and HTTP servers, and the DataNode's data, HTTP and IPC
    // ones.
    conf.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
    conf.set("dfs.namenode.servicerpc-bind-host", "127.0.0.1");
    conf.set("dfs.namenode.lifeline.rpc-bind-host", "127.0.0.1");
    conf.set("dfs.namenode.http-bind-host", "127.0.0.1");
    conf.set("dfs.namenode.https-bind-host", "127.0.0.1");
    conf.set("dfs.namenode.http-address", "127.0.0.1:0");
    conf.set("dfs.datanode.address", "127.0.0.1:0");
    conf.set("dfs.datanode.http.address", "127.0.0.1:0");
    conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
    conf.setInt("dfs.replication", 1);
    MiniDFSCluster cluster =
        new MiniDFSCluster.Builder(conf, new File(args[0]))
            .numDataNodes(1)
            .checkDataNodeAddrConfig(true)
            .build();
    cluster.waitActive();
    // The address it listens on, rather than the "localhost" of getURI() that clients resolve anew.
    String uri = "hdfs://127.0.0.1:" + cluster.getNameNodePort();
    FileSystem fs = cluster.getFileSystem();
    for (int i = 1; i + 1 < args.length; i += 2) {
      fs.copyFromLocalFile(new Path(new File(args[i]).toURI()), new Path(uri + args[i + 1]));
    }
    System.out.println("ready " + uri);
    System.out.flush();
    while (System.in.read() != -1) {
      // runs until the caller closes standard input
    }
    cluster.shutdown();
  }
}
