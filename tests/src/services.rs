//! The real services the end-to-end tests run against: Apache Kafka, HDFS
//! and YARN with MapReduce, started by `tests/services/services.sh`.
//!
//! One set serves every test of a process. `tests/run.sh` starts it once and
//! names its directory in `LOGMR_SERVICES_DIR`; without that variable the
//! first test that needs a service starts a set, which stops when the test
//! process exits (its standard input closes). A service that cannot start
//! fails the test: it is never skipped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::workspace_root;

/// Addresses of the running services.
#[derive(Debug)]
pub struct Services {
    /// `host:port` of the Apache Kafka broker.
    pub kafka: String,
    /// `hdfs://host:port` of the NameNode.
    pub hdfs: String,
    /// The Hadoop client configuration (`HADOOP_CONF_DIR`).
    pub conf_dir: PathBuf,
}

impl Services {
    /// A `hdfs://` URL of `path` (absolute) on the NameNode.
    pub fn hdfs_url(&self, path: &str) -> String {
        format!("{}{path}", self.hdfs)
    }

    /// Sets the environment a Hadoop client needs on `cmd`: the
    /// configuration, and the `hadoop` command for the mini cluster first
    /// on `PATH`.
    pub fn hadoop_env<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs = vec![hadoop_bin_dir()];
        dirs.extend(std::env::split_paths(&path));
        cmd.env("HADOOP_CONF_DIR", &self.conf_dir)
            .env("PATH", std::env::join_paths(dirs).unwrap())
    }

    /// `hadoop ARGS` against the mini cluster.
    pub fn hadoop(&self) -> Command {
        let mut cmd = Command::new(hadoop_bin_dir().join("hadoop"));
        self.hadoop_env(&mut cmd);
        cmd
    }

    /// The hadoop-streaming jar of the services' Hadoop.
    pub fn streaming_jar(&self) -> PathBuf {
        let classpath = std::fs::read_to_string(services_dir().join("target/hadoop.classpath"))
            .expect("the services' class path (built by services.sh)");
        classpath
            .trim()
            .split(':')
            .find(|p| p.contains("hadoop-streaming-"))
            .map(PathBuf::from)
            .expect("hadoop-streaming on the services' class path")
    }
}

/// `tests/services`.
pub fn services_dir() -> PathBuf {
    workspace_root().join("tests/services")
}

/// The directory of the mini cluster's `hadoop` command.
pub fn hadoop_bin_dir() -> PathBuf {
    services_dir().join("bin")
}

/// Parses the `KEY='value'` lines of a services directory's `env` file.
fn read_env(dir: &Path) -> Option<Services> {
    let text = std::fs::read_to_string(dir.join("env")).ok()?;
    let mut kafka = None;
    let mut hdfs = None;
    let mut conf = None;
    for line in text.lines() {
        let (key, value) = line.split_once('=')?;
        let value = value.trim_matches('\'').to_string();
        match key {
            "LOGMR_KAFKA_BROKERS" => kafka = Some(value),
            "LOGMR_HDFS" => hdfs = Some(value),
            "HADOOP_CONF_DIR" => conf = Some(PathBuf::from(value)),
            _ => {}
        }
    }
    Some(Services {
        kafka: kafka?,
        hdfs: hdfs?,
        conf_dir: conf?,
    })
}

/// The launcher this process started, kept so that its standard input
/// stays open while the process lives.
static LAUNCHER: Mutex<Option<Child>> = Mutex::new(None);

/// The services, started on first use.
pub fn services() -> &'static Services {
    static SERVICES: OnceLock<Services> = OnceLock::new();
    SERVICES.get_or_init(|| {
        if let Some(dir) = std::env::var_os("LOGMR_SERVICES_DIR") {
            let dir = PathBuf::from(dir);
            return read_env(&dir).unwrap_or_else(|| {
                panic!(
                    "LOGMR_SERVICES_DIR={} holds no env file naming Kafka, HDFS and YARN \
                     (start all three with `bash tests/services/services.sh start DIR`, \
                     without --no-* flags)",
                    dir.display()
                )
            });
        }
        start()
    })
}

fn start() -> Services {
    let dir = std::env::temp_dir().join(format!("logmr-services-{}", std::process::id()));
    let child = launch(&dir, &[]);
    *LAUNCHER.lock().unwrap() = Some(child);
    wait_ready(&dir, &LAUNCHER, read_env)
}

/// Starts `services.sh run DIR --watch-stdin FLAGS` in a fresh `dir`, its
/// output in `dir/services.log`.
fn launch(dir: &Path, flags: &[&str]) -> Child {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("create the services directory");
    let log = std::fs::File::create(dir.join("services.log")).expect("create the services log");
    Command::new("bash")
        .arg(services_dir().join("services.sh"))
        .arg("run")
        .arg(dir)
        .arg("--watch-stdin")
        .args(flags)
        .stdin(Stdio::piped())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("run bash tests/services/services.sh")
}

/// Waits until `read` finds the launcher's env file in `dir`; fails when
/// the launcher exits first or after 600 s.
fn wait_ready<T>(dir: &Path, launcher: &Mutex<Option<Child>>, read: fn(&Path) -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        if let Some(ready) = read(dir) {
            return ready;
        }
        let exited = launcher
            .lock()
            .unwrap()
            .as_mut()
            .and_then(|c| c.try_wait().ok().flatten());
        let log = dir.join("services.log");
        if let Some(status) = exited {
            panic!(
                "the services could not start ({status}): they need Java 17 and Maven, and \
                 reach Maven Central on first use. Log {}:\n{}",
                log.display(),
                tail(&log, 40)
            );
        }
        assert!(
            Instant::now() < deadline,
            "the services were not ready within 600 s; log {}:\n{}",
            log.display(),
            tail(&log, 40)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The secure services (`services.sh --secure`): a KDC, HDFS with
/// Kerberos, and Apache Kafka with a SASL_SSL listener beside its plain
/// one. No YARN: a Kerberized MapReduce job needs Hadoop's native library,
/// which Maven Central does not carry; the Spark job reads the store.
#[derive(Debug)]
pub struct SecureServices {
    /// `host:port` of the plain listener (for tests that set up topics).
    pub kafka: String,
    /// `host:port` of the SASL_SSL listener.
    pub kafka_secure: String,
    /// librdkafka properties of the SASL_SSL listener (`-F FILE`).
    pub kafka_config: PathBuf,
    /// A CA certificate that signed nothing of the broker's.
    pub other_ca: PathBuf,
    /// `hdfs://host:port` of the Kerberized NameNode.
    pub hdfs: String,
    pub conf_dir: PathBuf,
    pub krb5_config: PathBuf,
    /// The user who owns `home`, and its keytab.
    pub principal: String,
    pub keytab: PathBuf,
    /// A user without write permission on `home`, and its keytab.
    pub reader: String,
    pub reader_keytab: PathBuf,
    /// The user's directory in HDFS.
    pub home: String,
}

impl SecureServices {
    /// Sets what a client of the secure services needs on `cmd`: the
    /// Hadoop and Kerberos configuration, the ticket cache `ccache`, and
    /// the `hadoop` command for the mini cluster first on `PATH`.
    pub fn client_env<'c>(&self, cmd: &'c mut Command, ccache: &Path) -> &'c mut Command {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs = vec![hadoop_bin_dir()];
        dirs.extend(std::env::split_paths(&path));
        cmd.env("HADOOP_CONF_DIR", &self.conf_dir)
            .env("KRB5_CONFIG", &self.krb5_config)
            .env("KRB5CCNAME", format!("FILE:{}", ccache.display()))
            .env("PATH", std::env::join_paths(dirs).unwrap())
    }

    /// `kinit` of `principal` from `keytab` into the ticket cache `ccache`,
    /// with `-l LIFETIME` when given.
    pub fn kinit(&self, ccache: &Path, principal: &str, keytab: &Path, lifetime: Option<&str>) {
        let mut cmd = Command::new("kinit");
        self.client_env(&mut cmd, ccache);
        if let Some(l) = lifetime {
            cmd.args(["-l", l]);
        }
        let out = cmd
            .arg("-kt")
            .arg(keytab)
            .arg(principal)
            .output()
            .expect("run kinit (Debian: apt-get install krb5-user)");
        assert!(
            out.status.success(),
            "kinit {principal}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `hadoop ARGS` against the Kerberized HDFS, with the ticket in `ccache`.
    pub fn hadoop(&self, ccache: &Path) -> Command {
        let mut cmd = Command::new(hadoop_bin_dir().join("hadoop"));
        self.client_env(&mut cmd, ccache);
        cmd
    }

    /// The SASL_SSL password, read from the properties file.
    pub fn kafka_password(&self) -> String {
        read_properties(&self.kafka_config)
            .into_iter()
            .find(|(k, _)| k == "sasl.password")
            .map(|(_, v)| v)
            .expect("sasl.password in the secure properties")
    }
}

/// The `KEY=VALUE` lines of a librdkafka properties file.
pub fn read_properties(path: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.to_string()))
        .collect()
}

fn read_secure_env(dir: &Path) -> Option<SecureServices> {
    let text = std::fs::read_to_string(dir.join("env")).ok()?;
    let env: std::collections::HashMap<&str, String> = text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k, v.trim_matches('\'').to_string()))
        .collect();
    let get = |k: &str| env.get(k).cloned();
    Some(SecureServices {
        kafka: get("LOGMR_KAFKA_BROKERS")?,
        kafka_secure: get("LOGMR_KAFKA_SECURE_BROKERS")?,
        kafka_config: get("LOGMR_KAFKA_SECURE_CONFIG")?.into(),
        other_ca: get("LOGMR_OTHER_CA")?.into(),
        hdfs: get("LOGMR_HDFS")?,
        conf_dir: get("HADOOP_CONF_DIR")?.into(),
        krb5_config: get("KRB5_CONFIG")?.into(),
        principal: get("LOGMR_PRINCIPAL")?,
        keytab: get("LOGMR_KEYTAB")?.into(),
        reader: get("LOGMR_READER_PRINCIPAL")?,
        reader_keytab: get("LOGMR_READER_KEYTAB")?.into(),
        home: get("LOGMR_SECURE_HOME")?,
    })
}

static SECURE_LAUNCHER: Mutex<Option<Child>> = Mutex::new(None);

/// The secure services: `LOGMR_SECURE_SERVICES_DIR`'s (tests/run.sh starts
/// them), else started on first use and stopped when the test process exits.
pub fn secure_services() -> &'static SecureServices {
    static SERVICES: OnceLock<SecureServices> = OnceLock::new();
    SERVICES.get_or_init(|| {
        if let Some(dir) = std::env::var_os("LOGMR_SECURE_SERVICES_DIR") {
            let dir = PathBuf::from(dir);
            return read_secure_env(&dir).unwrap_or_else(|| {
                panic!(
                    "LOGMR_SECURE_SERVICES_DIR={} holds no env file of the secure services \
                     (bash tests/services/services.sh start DIR --secure)",
                    dir.display()
                )
            });
        }
        let dir = std::env::temp_dir().join(format!("logmr-secure-{}", std::process::id()));
        *SECURE_LAUNCHER.lock().unwrap() = Some(launch(&dir, &["--secure"]));
        wait_ready(&dir, &SECURE_LAUNCHER, read_secure_env)
    })
}

/// An Apache Kafka broker of a test's own, for tests that stop it: the
/// shared one must stay up. Stopped on drop.
pub struct OwnKafka {
    dir: PathBuf,
    launcher: Mutex<Option<Child>>,
    /// `host:port` for clients.
    pub address: String,
}

impl OwnKafka {
    pub fn start(label: &str) -> OwnKafka {
        let dir = std::env::temp_dir().join(format!("logmr-kafka-{label}-{}", std::process::id()));
        let launcher = Mutex::new(Some(launch(&dir, &["--no-hdfs", "--no-yarn"])));
        let address = wait_ready(&dir, &launcher, |dir| {
            let text = std::fs::read_to_string(dir.join("env")).ok()?;
            text.lines()
                .find_map(|l| l.strip_prefix("LOGMR_KAFKA_BROKERS="))
                .map(|v| v.trim_matches('\'').to_string())
        });
        OwnKafka {
            dir,
            launcher,
            address,
        }
    }

    /// Kills the broker at once (SIGKILL), as a crash would.
    pub fn kill(&self) {
        if let Ok(pid) = std::fs::read_to_string(self.dir.join("kafka/pid")) {
            let _ = Command::new("kill").args(["-KILL", pid.trim()]).status();
        }
        if let Some(mut child) = self.launcher.lock().unwrap().take() {
            // Closing its standard input stops the launcher.
            drop(child.stdin.take());
            let _ = child.wait();
        }
    }
}

impl Drop for OwnKafka {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// A name unique to this test process, for topics and HDFS paths on the
/// shared services: `base-PID`.
pub fn unique(base: &str) -> String {
    format!("{base}-{}", std::process::id())
}
