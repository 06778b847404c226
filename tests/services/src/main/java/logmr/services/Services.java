package logmr.services;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.mapreduce.v2.MiniMRYarnCluster;

/**
 * Starts the real services of logmr's pipeline on free loopback ports, and
 * stops them cleanly:
 *
 * <ul>
 *   <li>an Apache Kafka broker in KRaft mode (one node, broker and controller),
 *       in a child JVM, with Kafka's stock defaults for topics
 *       ({@code auto.create.topics.enable=true}, {@code num.partitions=1});
 *   <li>HDFS: a MiniDFSCluster with one NameNode and one DataNode;
 *   <li>YARN with MapReduce: a MiniMRYarnCluster with one NodeManager, whose
 *       tasks run in real containers.
 * </ul>
 *
 * <p>With {@code --secure} it runs them as production clusters do
 * ({@link Secure}): a KDC, HDFS with Kerberos, and a SASL_SSL listener
 * beside Kafka's plain one; YARN is not started (jobs run with the local
 * framework against the Kerberized HDFS).
 *
 * <p>Usage: {@code Services --dir DIR --kafka-classpath FILE [--no-kafka]
 * [--no-hdfs] [--no-yarn] [--secure] [--watch-stdin]}. When everything runs it writes
 * {@code DIR/conf/core-site.xml} (the client configuration, for
 * {@code HADOOP_CONF_DIR}) and then {@code DIR/env}, shell assignments of
 * {@code LOGMR_KAFKA_BROKERS}, {@code LOGMR_HDFS} and {@code HADOOP_CONF_DIR}:
 * {@code DIR/env} appearing means ready. It stops on SIGTERM or SIGINT, or
 * with {@code --watch-stdin} when its standard input closes (its parent
 * ended).
 */
public final class Services {
    /** JVM options for MapReduce containers on Java 17 (Hadoop 3.4 needs them). */
    static final String JAVA17_OPENS = String.join(" ",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/sun.security.x509=ALL-UNNAMED");

    private Process kafka;
    private Secure secure;
    private MiniDFSCluster dfs;
    private MiniMRYarnCluster yarn;

    public static void main(String[] args) throws Exception {
        File dir = null;
        File kafkaClasspath = null;
        boolean withKafka = true, withHdfs = true, withYarn = true, watchStdin = false, secure = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dir" -> dir = new File(args[++i]).getAbsoluteFile();
                case "--kafka-classpath" -> kafkaClasspath = new File(args[++i]);
                case "--no-kafka" -> withKafka = false;
                case "--no-hdfs" -> withHdfs = false;
                case "--no-yarn" -> withYarn = false;
                case "--watch-stdin" -> watchStdin = true;
                case "--secure" -> secure = true;
                default -> {
                    System.err.println("services: unknown argument " + args[i]);
                    System.exit(2);
                }
            }
        }
        if (dir == null || (withKafka && kafkaClasspath == null)) {
            System.err.println("services: --dir DIR and --kafka-classpath FILE are required");
            System.exit(2);
        }
        if (secure) {
            // Secure YARN is beyond these services: the job runs locally.
            withYarn = false;
        }
        if (withYarn && !withHdfs) {
            System.err.println("services: YARN needs HDFS");
            System.exit(2);
        }
        Files.createDirectories(dir.toPath());
        Files.deleteIfExists(dir.toPath().resolve("env"));

        Services services = new Services();
        Runtime.getRuntime().addShutdownHook(new Thread(services::stop, "services-stop"));
        Map<String, String> env = new LinkedHashMap<>();
        try {
            if (secure) {
                services.secure = Secure.start(new File(dir, "secure"));
                env.putAll(services.secure.env());
            }
            if (withKafka) {
                env.put("LOGMR_KAFKA_BROKERS", services.startKafka(dir, kafkaClasspath));
                if (services.secure != null) {
                    env.put("LOGMR_KAFKA_SECURE_BROKERS", services.secure.kafkaAddress());
                }
            }
            if (withHdfs) {
                Configuration conf = services.startHdfs(dir);
                if (services.secure != null) {
                    services.secure.prepareHdfs(services.dfs.getFileSystem());
                }
                env.put("LOGMR_HDFS", conf.get("fs.defaultFS"));
                if (withYarn) {
                    conf = services.startYarn(dir, conf);
                }
                File confDir = new File(dir, "conf");
                Files.createDirectories(confDir.toPath());
                // The same settings in each site file, as a cluster's conf
                // directory has them: hdfs-default.xml (say) is read after
                // core-site.xml and would otherwise win.
                for (String site : new String[] {"core", "hdfs", "yarn", "mapred"}) {
                    try (OutputStream out = new FileOutputStream(new File(confDir, site + "-site.xml"))) {
                        conf.writeXml(out);
                    }
                }
                Files.writeString(confDir.toPath().resolve("log4j.properties"), String.join("\n",
                        "log4j.rootLogger=INFO,console",
                        "log4j.appender.console=org.apache.log4j.ConsoleAppender",
                        "log4j.appender.console.target=System.err",
                        "log4j.appender.console.layout=org.apache.log4j.PatternLayout",
                        "log4j.appender.console.layout.ConversionPattern=%d{HH:mm:ss} %p %c{1}: %m%n",
                        "log4j.logger.org.apache.hadoop.util.NativeCodeLoader=ERROR",
                        "log4j.logger.org.apache.hadoop.conf.Configuration.deprecation=ERROR",
                        ""));
                env.put("HADOOP_CONF_DIR", confDir.getPath());
            }
        } catch (Throwable e) {
            System.err.println("services: could not start: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        writeEnv(dir, env);
        System.err.println("services: ready, " + env);

        if (watchStdin) {
            InputStream in = System.in;
            byte[] buffer = new byte[256];
            while (in.read(buffer) >= 0) {
                // Nothing to read: the parent holds the pipe open while it lives.
            }
            System.err.println("services: standard input closed, stopping");
            System.exit(0);
        }
        Thread.currentThread().join();
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (var walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    static void waitForPort(int port, Process process, File log, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                if (process != null && !process.isAlive()) {
                    throw new IOException("the process exited with " + process.exitValue()
                            + " before listening on " + port + "; see " + log);
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new IOException("nothing listens on " + port + " after "
                            + timeoutMillis / 1000 + " s; see " + log);
                }
                Thread.sleep(100);
            }
        }
    }

    /** Formats a KRaft log directory and starts the broker; returns its address. */
    String startKafka(File dir, File classpathFile) throws Exception {
        File home = new File(dir, "kafka");
        // Every start is a new, empty cluster: a log directory formatted
        // by an earlier run would make the format step fail.
        deleteRecursively(home.toPath());
        Files.createDirectories(home.toPath());
        int port = freePort();
        int controller = freePort();
        String listeners = "PLAINTEXT://127.0.0.1:" + port;
        String protocols = "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT";
        if (secure != null) {
            listeners += ",SASL_SSL://" + secure.kafkaAddress();
            protocols += ",SASL_SSL:SASL_SSL";
        }
        String props = String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controller,
                "listeners=" + listeners + ",CONTROLLER://127.0.0.1:" + controller,
                "advertised.listeners=" + listeners,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=" + protocols,
                "log.dirs=" + new File(home, "data").getPath(),
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                // Tests let a killed consumer's partitions move on after 1 s.
                "group.min.session.timeout.ms=500",
                secure == null ? "" : secure.kafkaBrokerProperties(),
                "");
        File config = new File(home, "server.properties");
        Files.writeString(config.toPath(), props);
        String classpath = Files.readString(classpathFile.toPath()).trim();
        String java = new File(System.getProperty("java.home"), "bin/java").getPath();
        File log = new File(home, "kafka.log");

        byte[] id = new byte[16];
        new SecureRandom().nextBytes(id);
        String clusterId = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
        List<String> formatCommand = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", classpath,
                "kafka.tools.StorageTool",
                // Attached with `=`: a URL-safe base64 id may start with `-`,
                // which the tool would take for an option (1 start in 64).
                "format", "--cluster-id=" + clusterId, "-c", config.getPath()));
        if (secure != null) {
            formatCommand.addAll(secure.scramCredentials());
        }
        Process format = new ProcessBuilder(formatCommand)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
                .start();
        if (format.waitFor() != 0) {
            throw new IOException("kafka-storage format failed; see " + log);
        }
        kafka = new ProcessBuilder(java, "-Xms256m", "-Xmx1g", "-cp", classpath, "kafka.Kafka", config.getPath())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
                .start();
        Files.writeString(new File(home, "pid").toPath(), Long.toString(kafka.pid()));
        waitForPort(port, kafka, log, 120_000);
        System.err.println("services: Apache Kafka at 127.0.0.1:" + port + " (pid " + kafka.pid() + ")");
        return "127.0.0.1:" + port;
    }

    /** Starts a NameNode and a DataNode; returns their client configuration. */
    Configuration startHdfs(File dir) throws Exception {
        Configuration conf = new Configuration();
        if (secure != null) {
            secure.kerberize(conf);
        } else {
            conf.setBoolean("dfs.permissions.enabled", false);
        }
        conf.setInt("dfs.replication", 1);
        conf.set("dfs.blocksize", "16777216");
        File base = new File(dir, "hdfs");
        dfs = new MiniDFSCluster.Builder(conf, base)
                .nameNodePort(freePort())
                .numDataNodes(1)
                .build();
        dfs.waitActive();
        String url = "hdfs://127.0.0.1:" + dfs.getNameNodePort();
        conf.set("fs.defaultFS", url);
        System.err.println("services: HDFS at " + url);
        return conf;
    }

    /** Starts YARN with MapReduce over the given HDFS; returns the merged configuration. */
    Configuration startYarn(File dir, Configuration dfsConf) throws Exception {
        Configuration conf = new Configuration(dfsConf);
        conf.set("yarn.nodemanager.resource.memory-mb", "6144");
        conf.set("yarn.minicluster.yarn.nodemanager.resource.memory-mb", "6144");
        conf.set("yarn.nodemanager.resource.cpu-vcores", "8");
        conf.set("yarn.scheduler.minimum-allocation-mb", "128");
        conf.setBoolean("yarn.nodemanager.pmem-check-enabled", false);
        conf.setBoolean("yarn.nodemanager.vmem-check-enabled", false);
        conf.set("yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", "99.5");
        conf.set("yarn.app.mapreduce.am.resource.mb", "512");
        conf.set("yarn.app.mapreduce.am.command-opts", "-Xmx384m");
        conf.set("yarn.app.mapreduce.am.admin-command-opts", JAVA17_OPENS);
        conf.set("mapreduce.map.memory.mb", "384");
        conf.set("mapreduce.reduce.memory.mb", "384");
        conf.set("mapreduce.map.java.opts", "-Xmx256m");
        conf.set("mapreduce.reduce.java.opts", "-Xmx256m");
        conf.set("mapreduce.admin.map.child.java.opts", JAVA17_OPENS);
        conf.set("mapreduce.admin.reduce.child.java.opts", JAVA17_OPENS);
        conf.set("yarn.app.mapreduce.am.staging-dir", "/tmp/hadoop-yarn/staging");
        yarn = new MiniMRYarnCluster("logmr", 1);
        yarn.init(conf);
        yarn.start();
        Configuration merged = new Configuration(yarn.getConfig());
        System.err.println("services: YARN ResourceManager at " + merged.get("yarn.resourcemanager.address"));
        return merged;
    }

    static void writeEnv(File dir, Map<String, String> env) throws IOException {
        Path tmp = dir.toPath().resolve("env.tmp");
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(tmp, StandardCharsets.UTF_8))) {
            for (Map.Entry<String, String> e : env.entrySet()) {
                out.println(e.getKey() + "='" + e.getValue().replace("'", "'\\''") + "'");
            }
        }
        Files.move(tmp, dir.toPath().resolve("env"), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Runs one step of stopping; a failure is noted and the rest still stop. */
    static void attempt(List<Throwable> errors, Runnable step) {
        try {
            step.run();
        } catch (Throwable e) {
            errors.add(e);
        }
    }

    synchronized void stop() {
        List<Throwable> errors = new ArrayList<>();
        if (yarn != null) {
            attempt(errors, yarn::stop);
            yarn = null;
        }
        if (dfs != null) {
            attempt(errors, dfs::shutdown);
            dfs = null;
        }
        if (secure != null) {
            attempt(errors, secure::stop);
            secure = null;
        }
        if (kafka != null) {
            kafka.destroy();
            try {
                if (!kafka.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    kafka.destroyForcibly();
                }
            } catch (InterruptedException e) {
                kafka.destroyForcibly();
            }
            kafka = null;
        }
        for (Throwable e : errors) {
            System.err.println("services: while stopping: " + e);
        }
        System.err.println("services: stopped");
    }
}
