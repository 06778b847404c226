//! The job scripts in hadoop-jobs/: every job run by real Hadoop Streaming
//! on the services' YARN, equal to the local run; `logcount-local.sh`; the
//! whole pipeline against a real broker; and the PowerShell twins' options
//! and defaults.
//!
//! Here: what the groups share (the sample logs on HDFS, the reference
//! counts, counters); the tests are in the modules below.

mod guard;
mod local;
mod pipeline;
mod spark;
mod twins;
mod yarn;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ingest::hdfs::HdfsStore;
use ingest::store::Store;
use logmr_e2e::services::{services, unique};
use logmr_e2e::{TempDir, binary, workspace_root};
use logmr_harness::{run_with_stdin, text};

fn jobs() -> PathBuf {
    workspace_root().join("hadoop-jobs")
}

/// The level counts `logmr` gives for these files in one process: the
/// reference every played job must equal.
fn reference(files: &[PathBuf]) -> String {
    let map = Command::new(binary("logmr"))
        .arg("map")
        .args(files)
        .output()
        .unwrap();
    assert!(map.status.success());
    let mut reduce = Command::new(binary("logmr"));
    reduce.arg("reduce");
    text(&run_with_stdin(&mut reduce, &map.stdout).stdout)
}

fn sorted_lines(s: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = s.lines().collect();
    lines.sort_unstable();
    lines
}

/// A directory of the services' HDFS holding the sample logs under
/// `logs`, and the environment that points the job scripts at the real
/// YARN: the mini cluster's `hadoop` first on PATH, its configuration and
/// streaming jar.
struct Cluster {
    /// `/e2e/jobs-LABEL-PID` in HDFS.
    base: String,
    /// The local sample files uploaded to `logs`.
    inputs: Vec<PathBuf>,
}

impl Cluster {
    fn new(label: &str) -> Cluster {
        let base = format!("/e2e/{}", unique(&format!("jobs-{label}")));
        let logs = HdfsStore::open(&services().hdfs_url(&format!("{base}/logs"))).unwrap();
        let mut inputs = Vec::new();
        for entry in fs::read_dir(workspace_root().join("mr/tests/data")).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            write_file(&logs, &name, &fs::read(&path).unwrap());
            inputs.push(path);
        }
        // What Hadoop's input listing skips: a sink's temporary file and a
        // hidden file. Counting them would change the result.
        write_file(&logs, "_logs_machine+0.tmp", b"[ERROR] half-written\n");
        write_file(&logs, ".hidden.log", b"[ERROR] hidden\n");
        Cluster { base, inputs }
    }

    fn input(&self) -> String {
        format!("{}/logs", self.base)
    }

    /// An output directory of this cluster's.
    fn out(&self, name: &str) -> String {
        format!("{}/{name}", self.base)
    }

    /// `bash hadoop-jobs/SCRIPT ARGS` against the services.
    fn run(&self, script: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new("bash");
        cmd.arg(jobs().join(script)).args(args);
        services()
            .hadoop_env(&mut cmd)
            .env("HADOOP_STREAMING_JAR", services().streaming_jar())
            .env_remove("HADOOP_HOME")
            .env("LOGMR_BIN", binary("logmr"));
        for (key, value) in env {
            cmd.env(key, value);
        }
        cmd.output().unwrap()
    }

    /// `spark-job.sh NAME --input INPUT...` in local mode.
    fn spark(&self, name: &str, inputs: &[&str]) -> Output {
        let mut args = vec![name];
        for input in inputs {
            args.extend(["--input", input]);
        }
        self.run("spark-job.sh", &args, &[])
    }

    /// `logcount.sh --input LOGS --output OUT EXTRA`, OUT the output
    /// directory `name` of this cluster.
    fn logcount(&self, name: &str, extra: &[&str]) -> Output {
        let (input, output) = (self.input(), self.out(name));
        let mut args = vec!["--input", &input[..], "--output", &output];
        args.extend(extra);
        self.run("logcount.sh", &args, &[])
    }

    /// The part files of an output directory.
    fn parts(&self, name: &str) -> Vec<String> {
        let store = HdfsStore::open(&services().hdfs_url(&self.out(name))).unwrap();
        let mut parts: Vec<String> = store
            .list()
            .unwrap()
            .into_iter()
            .map(|e| e.path)
            .filter(|p| p.starts_with("part-"))
            .collect();
        parts.sort();
        parts
    }
}

fn write_file(store: &HdfsStore, name: &str, data: &[u8]) {
    let mut w = store.create(name).unwrap();
    w.write(data).unwrap();
    w.close().unwrap();
}

/// The value of counter `name` in the counters `hadoop jar` printed.
fn counter(stderr: &str, name: &str) -> Option<u64> {
    stderr.lines().find_map(|l| {
        l.trim()
            .strip_prefix(name)
            .and_then(|rest| rest.strip_prefix('='))
            .and_then(|v| v.trim().parse().ok())
    })
}
