package logmr.services;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.minikdc.MiniKdc;

/**
 * What the secure mode adds to the services, made at each start: a KDC
 * (Hadoop's MiniKdc) with principals and keytabs for HDFS's NameNode and
 * DataNode ({@code hdfs/localhost}), a user ({@code logmr}) and a user
 * without write permission on the store ({@code reader}); the settings of a
 * Kerberized HDFS (RPC and data transfer with privacy); a certificate
 * authority, the broker's certificate signed by it, another authority that
 * signed nothing of the broker's, and a SCRAM-SHA-512 user with a random
 * password for Kafka's SASL_SSL listener.
 *
 * <p>Files, in {@code DIR/secure}: {@code krb5.conf}, {@code logmr.keytab},
 * {@code reader.keytab}, {@code tls/ca.pem}, {@code tls/other-ca.pem} and
 * {@code kafka.properties} (the client properties of the SASL_SSL listener,
 * password included, mode 0600).
 */
final class Secure {
    /** The store's parent, owned by the user, 0755: the reader may only read it. */
    static final String USER_HOME = "/user/logmr";

    private final File dir;
    private final MiniKdc kdc;
    private final String kafkaAddress;
    private final String storePassword;
    private final String scramPassword;

    private Secure(File dir, MiniKdc kdc, String kafkaAddress, String storePassword, String scramPassword) {
        this.dir = dir;
        this.kdc = kdc;
        this.kafkaAddress = kafkaAddress;
        this.storePassword = storePassword;
        this.scramPassword = scramPassword;
    }

    static String randomSecret() {
        byte[] bytes = new byte[12];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Starts the KDC, makes the principals, the keytabs and the certificates. */
    static Secure start(File dir) throws Exception {
        Services.deleteRecursively(dir.toPath());
        Files.createDirectories(dir.toPath());
        Files.setPosixFilePermissions(dir.toPath(), PosixFilePermissions.fromString("rwx------"));
        var kdcConf = MiniKdc.createConf();
        // Tickets as short as a test asks for (kinit -l 5s): an expired
        // ticket is one of the failures the tests meet.
        kdcConf.setProperty(MiniKdc.MIN_TICKET_LIFETIME, "1000");
        MiniKdc kdc = new MiniKdc(kdcConf, new File(dir, "kdc"));
        // TCP: Kerby polls a UDP socket in a busy loop, a core lost for as
        // long as the KDC runs.
        kdc.setTransport("TCP");
        kdc.start();
        for (String[] p : new String[][] {{"hdfs", "hdfs/localhost"}, {"logmr", "logmr"}, {"reader", "reader"}}) {
            File keytab = new File(dir, p[0] + ".keytab");
            kdc.createPrincipal(keytab, p[1]);
            Files.setPosixFilePermissions(keytab.toPath(), PosixFilePermissions.fromString("rw-------"));
        }
        Files.copy(kdc.getKrb5conf().toPath(), dir.toPath().resolve("krb5.conf"));

        Secure secure = new Secure(dir, kdc, "127.0.0.1:" + Services.freePort(), randomSecret(), randomSecret());
        secure.makeCertificates();
        secure.writeClientProperties();
        System.err.println("services: KDC of realm " + kdc.getRealm() + " at " + kdc.getHost() + ":" + kdc.getPort());
        return secure;
    }

    String realm() {
        return kdc.getRealm();
    }

    String kafkaAddress() {
        return kafkaAddress;
    }

    private File file(String name) {
        return new File(dir, name);
    }

    /** The environment a client of the secure services needs. */
    Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KRB5_CONFIG", file("krb5.conf").getPath());
        env.put("LOGMR_PRINCIPAL", "logmr@" + realm());
        env.put("LOGMR_KEYTAB", file("logmr.keytab").getPath());
        env.put("LOGMR_READER_PRINCIPAL", "reader@" + realm());
        env.put("LOGMR_READER_KEYTAB", file("reader.keytab").getPath());
        env.put("LOGMR_SECURE_HOME", USER_HOME);
        env.put("LOGMR_KAFKA_SECURE_CONFIG", file("kafka.properties").getPath());
        env.put("LOGMR_OTHER_CA", file("tls/other-ca.pem").getPath());
        return env;
    }

    /** Runs the JDK's keytool; fails with its output. */
    private void keytool(String... args) throws Exception {
        String keytool = new File(System.getProperty("java.home"), "bin/keytool").getPath();
        List<String> command = new java.util.ArrayList<>(List.of(keytool));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(file("tls")).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("keytool " + args[0] + " failed: " + out);
        }
    }

    /**
     * A CA, the broker's key and certificate (for 127.0.0.1 and localhost)
     * signed by it in {@code broker.p12}, and another CA's certificate.
     */
    private void makeCertificates() throws Exception {
        Files.createDirectories(file("tls").toPath());
        String pass = storePassword;
        for (String ca : new String[] {"ca", "other-ca"}) {
            keytool("-genkeypair", "-alias", ca, "-dname", "CN=logmr test " + ca, "-ext", "bc:c",
                    "-keyalg", "RSA", "-keysize", "2048", "-validity", "7",
                    "-keystore", ca + ".p12", "-storetype", "PKCS12", "-storepass", pass);
            keytool("-exportcert", "-rfc", "-alias", ca, "-keystore", ca + ".p12", "-storepass", pass,
                    "-file", ca + ".pem");
        }
        keytool("-genkeypair", "-alias", "broker", "-dname", "CN=localhost", "-keyalg", "RSA",
                "-keysize", "2048", "-validity", "7", "-keystore", "broker.p12", "-storetype", "PKCS12",
                "-storepass", pass);
        keytool("-certreq", "-alias", "broker", "-keystore", "broker.p12", "-storepass", pass,
                "-file", "broker.csr");
        keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-storepass", pass,
                "-infile", "broker.csr", "-outfile", "broker.pem", "-validity", "7",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem",
                "-keystore", "broker.p12", "-storepass", pass);
        keytool("-importcert", "-alias", "broker", "-file", "broker.pem",
                "-keystore", "broker.p12", "-storepass", pass);
    }

    /** librdkafka's properties for the SASL_SSL listener, private to the user. */
    private void writeClientProperties() throws IOException {
        Path path = file("kafka.properties").toPath();
        Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(path, String.join("\n",
                "# librdkafka properties of the services' SASL_SSL listener",
                "security.protocol=SASL_SSL",
                "sasl.mechanisms=SCRAM-SHA-512",
                "sasl.username=logmr",
                "sasl.password=" + scramPassword,
                "ssl.ca.location=" + file("tls/ca.pem").getPath(),
                ""));
    }

    /** The broker's settings for its SASL_SSL listener. */
    String kafkaBrokerProperties() {
        return String.join("\n",
                "sasl.enabled.mechanisms=SCRAM-SHA-512",
                "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config="
                        + "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                "ssl.keystore.type=PKCS12",
                "ssl.keystore.location=" + file("tls/broker.p12").getPath(),
                "ssl.keystore.password=" + storePassword,
                "ssl.key.password=" + storePassword);
    }

    /** kafka-storage format's arguments that create the SCRAM user. */
    List<String> scramCredentials() {
        return List.of("--add-scram", "SCRAM-SHA-512=[name=logmr,password=" + scramPassword + "]");
    }

    /** A Kerberized HDFS: every RPC and every block transfer authenticated and encrypted. */
    void kerberize(Configuration conf) {
        String hdfsPrincipal = "hdfs/localhost@" + realm();
        String keytab = file("hdfs.keytab").getPath();
        conf.set("hadoop.security.authentication", "kerberos");
        conf.setBoolean("hadoop.security.authorization", true);
        conf.set("hadoop.rpc.protection", "privacy");
        conf.set("dfs.data.transfer.protection", "privacy");
        conf.setBoolean("dfs.block.access.token.enable", true);
        conf.set("dfs.namenode.kerberos.principal", hdfsPrincipal);
        conf.set("dfs.namenode.keytab.file", keytab);
        conf.set("dfs.datanode.kerberos.principal", hdfsPrincipal);
        conf.set("dfs.datanode.keytab.file", keytab);
        // A DataNode on unprivileged ports relies on the SASL protection above.
        conf.setBoolean("ignore.secure.ports.for.testing", true);
        conf.setBoolean("dfs.permissions.enabled", true);
        // A stricter umask than Hadoop's 022, as secure clusters often
        // have: clients must apply the configured one.
        conf.set("fs.permissions.umask-mode", "027");
        // Jobs run in the client with the user's ticket; the delegation
        // tokens it asks for name a renewer.
        conf.set("mapreduce.framework.name", "local");
        conf.set("yarn.resourcemanager.principal", hdfsPrincipal);
    }

    /** The user's home, and a /tmp for the local job runner's staging. */
    void prepareHdfs(FileSystem fs) throws IOException {
        // Explicit permissions: the umask of the configuration is stricter.
        org.apache.hadoop.fs.Path home = new org.apache.hadoop.fs.Path(USER_HOME);
        fs.mkdirs(home);
        fs.setPermission(home.getParent(), new FsPermission((short) 0755));
        fs.setOwner(home, "logmr", "logmr");
        fs.setPermission(home, new FsPermission((short) 0755));
        org.apache.hadoop.fs.Path tmp = new org.apache.hadoop.fs.Path("/tmp");
        fs.mkdirs(tmp);
        fs.setPermission(tmp, new FsPermission((short) 01777));
    }

    void stop() {
        kdc.stop();
    }
}
