//! `logmr-sink` against Apache Kafka, into a local directory and into HDFS
//! (the services' NameNode): the whole pipeline's count equals the
//! generator's summary; SIGKILL at arbitrary moments, twenty times, loses no
//! record and writes none twice; restarts with missing or stale group
//! offsets skip what the store already holds.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ingest::commit::{parse_final, recover};
use ingest::hdfs::HdfsStore;
use ingest::store::{LocalStore, Store};
use logmr_e2e::broker::Broker;
use logmr_e2e::services::{secure_services, services, unique};
use logmr_e2e::{TempDir, binary, wait_for_sigterm_handler};

const START: &str = "2024-12-10 00:00:00";

/// Sink settings that let a restarted or surviving sink take over a killed
/// member's partitions in about a second (the services' broker allows
/// sessions this short).
const FAST_TAKEOVER: [&str; 4] = [
    "-X",
    "session.timeout.ms=1000",
    "-X",
    "heartbeat.interval.ms=250",
];

/// Where a sink stores: a local directory, a directory in HDFS, or one in
/// the Kerberized HDFS of the secure services, which this process reads
/// through Hadoop's own client (`hadoop fs -get` of the committed files
/// into `copy`) with the ticket in `ccache`.
pub(crate) enum Target {
    Local(PathBuf),
    Hdfs(String),
    Kerberized {
        url: String,
        copy: PathBuf,
        ccache: PathBuf,
    },
}

impl Target {
    /// The `--store` argument.
    fn arg(&self) -> OsString {
        match self {
            Target::Local(path) => path.clone().into(),
            Target::Hdfs(url) | Target::Kerberized { url, .. } => url.into(),
        }
    }

    pub(crate) fn open(&self) -> Box<dyn Store> {
        match self {
            Target::Local(path) => Box::new(LocalStore::open(path).unwrap()),
            Target::Hdfs(url) => Box::new(HdfsStore::open(url).unwrap()),
            Target::Kerberized { url, copy, ccache } => {
                let _ = std::fs::remove_dir_all(copy);
                std::fs::create_dir_all(copy).unwrap();
                // Committed files only: a killed sink's temporary file
                // (`_tmp.…`) may still be open for writing.
                let out = secure_services()
                    .hadoop(ccache)
                    .args(["fs", "-get"])
                    .arg(format!("{url}/[!_]*"))
                    .arg(copy)
                    .output()
                    .unwrap();
                let err = String::from_utf8_lossy(&out.stderr);
                assert!(
                    out.status.success() || err.contains("No such file or directory"),
                    "hadoop fs -get {url}: {err}"
                );
                Box::new(LocalStore::open(copy).unwrap())
            }
        }
    }

    /// How long a test waits for the store to fill: a Kerberized HDFS with
    /// privacy commits several times slower, and more so on a busy machine.
    fn patience(&self) -> Duration {
        match self {
            Target::Kerberized { .. } => Duration::from_secs(360),
            _ => Duration::from_secs(120),
        }
    }

    /// Sets on a sink's command what its store needs: the Kerberos ticket
    /// and the Hadoop configuration of the secure services.
    fn env<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        match self {
            Target::Kerberized { ccache, .. } => secure_services().client_env(cmd, ccache),
            _ => cmd,
        }
    }
}

/// `logmr-gen ARGS` producing to `topic`.
pub(crate) fn gen_to(broker: &Broker, topic: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(binary("logmr-gen"));
    cmd.args([
        "--quiet",
        "--start",
        START,
        "--brokers",
        &broker.address(),
        "--topic",
        topic,
    ])
    .args(broker.client_args())
    .args(args);
    cmd
}

/// `logmr-gen ARGS` producing to `topic` in the background.
fn producer(broker: &Broker, topic: &str, args: &[&str]) -> Child {
    gen_to(broker, topic, args)
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn generate(broker: &Broker, topic: &str, args: &[&str]) {
    let out = gen_to(broker, topic, args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub(crate) fn expected_lines(args: &[&str]) -> Vec<String> {
    let out = Command::new(binary("logmr-gen"))
        .args(["--quiet", "--start", START])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

/// The `--max-records` of every sink these tests start: small, so that a
/// topic makes many files.
const MAX_RECORDS: i64 = 300;

/// A sink of `group` on `topic`. The group id sent to Kafka is `group`
/// and the topic's name: tests share one broker, and members of one group
/// on different topics would rebalance each other's sinks.
pub(crate) fn sink(broker: &Broker, topic: &str, group: &str, store: &Target) -> Command {
    let mut cmd = Command::new(binary("logmr-sink"));
    store.env(&mut cmd);
    cmd.args([
        "--quiet",
        "--brokers",
        &broker.address(),
        "--topic",
        topic,
        "--group",
        &format!("{group}-{topic}"),
    ])
    .args(broker.client_args())
    .arg("--store")
    .arg(store.arg())
    .args([
        "--interval",
        "0.2",
        "--max-records",
        &MAX_RECORDS.to_string(),
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    cmd
}

/// A committed file's records, unzipped when it is gzip.
fn records_of(store: &dyn Store, path: &str) -> String {
    let bytes = store.read(path).unwrap();
    if path.ends_with(".gz") {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut text)
            .unwrap();
        text
    } else {
        String::from_utf8(bytes).unwrap()
    }
}

/// Every committed record in the store, checked for contiguity per
/// partition from offset 0 and for files of at most `MAX_RECORDS`.
pub(crate) fn committed_lines(store: &Target, topic: &str) -> Vec<String> {
    let s = store.open();
    let recovery = recover(s.as_ref(), topic, &[]).expect("no overlapping files");
    assert!(recovery.gaps.is_empty(), "{:?}", recovery.gaps);
    let mut by_partition: BTreeMap<i32, Vec<_>> = BTreeMap::new();
    for entry in s.list().unwrap() {
        if let Some(c) = parse_final(&entry.path, topic) {
            by_partition.entry(c.partition).or_default().push(c);
        }
    }
    let mut lines = Vec::new();
    for files in by_partition.values_mut() {
        files.sort_by_key(|c| c.first);
        assert_eq!(files[0].first, 0, "partition starts at offset 0");
        for c in files.iter() {
            let text = records_of(s.as_ref(), &c.path);
            let n = text.lines().count() as i64;
            assert_eq!(n, c.last - c.first + 1, "{} holds {n} records", c.path);
            assert!(n <= MAX_RECORDS, "{} holds {n} records", c.path);
            lines.extend(text.lines().map(String::from));
        }
    }
    lines
}

/// `logmr map | sort | logmr reduce` over every committed record.
fn level_counts(store: &Target, topic: &str) -> String {
    let mut text = committed_lines(store, topic).join("\n");
    text.push('\n');
    let script = format!(
        "set -o pipefail; '{l}' map | LC_ALL=C sort | '{l}' reduce",
        l = binary("logmr").display()
    );
    let mut child = Command::new("bash")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || std::io::Write::write_all(&mut stdin, text.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// Stops a sink with SIGTERM, once its handler is installed; requires a
/// clean exit and returns its stderr.
pub(crate) fn terminate(child: Child) -> String {
    wait_for_sigterm_handler(child.id());
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{}: {err}", out.status);
    err
}

/// (committed files, records in them) of `topic` in the store.
fn stored(store: &dyn Store, topic: &str) -> (usize, usize) {
    let files: Vec<_> = store
        .list()
        .unwrap()
        .iter()
        .filter_map(|e| parse_final(&e.path, topic))
        .collect();
    let records = files.iter().map(|c| (c.last - c.first + 1) as usize).sum();
    (files.len(), records)
}

/// Waits until the store holds `count` records.
pub(crate) fn wait_for(store: &Target, topic: &str, count: usize) {
    let deadline = Instant::now() + store.patience();
    let mut s = store.open();
    loop {
        let (_, have) = stored(s.as_ref(), topic);
        if have >= count {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the store holds {have} of {count} records"
        );
        std::thread::sleep(Duration::from_millis(100));
        if let Target::Kerberized { .. } = store {
            // A copy: take a new one.
            s = store.open();
        }
    }
}

/// What a sink test runs against: the shared Apache Kafka with a topic of
/// its own, a scratch directory, and the store.
pub(crate) struct Setup {
    pub(crate) broker: Broker,
    pub(crate) topic: String,
    pub(crate) dir: TempDir,
    pub(crate) store: Target,
}

/// `base` over `partitions`, stored in a local directory or, with `hdfs`,
/// in a directory of the services' HDFS.
fn setup(base: &str, partitions: u32, hdfs: bool) -> Setup {
    let base = if hdfs {
        format!("{base}-hdfs")
    } else {
        base.to_string()
    };
    let broker = Broker::apache();
    let topic = broker.topic(&base);
    broker.create_topic(&topic, partitions);
    let dir = TempDir::new(&format!("sink-{base}"));
    let store = if hdfs {
        Target::Hdfs(services().hdfs_url(&format!("/e2e/{}/logs", unique(&base))))
    } else {
        Target::Local(dir.join("logs"))
    };
    Setup {
        broker,
        topic,
        dir,
        store,
    }
}

/// The same lines, in any order.
pub(crate) fn assert_same_lines(mut got: Vec<String>, mut want: Vec<String>) {
    got.sort();
    want.sort();
    assert_eq!(got, want);
}

fn generator_broker_sink_and_count_agree(hdfs: bool) {
    let t = setup("pipeline", 3, hdfs);
    let summary = t.dir.join("truth.tsv");
    let args = [
        "-n",
        "20000",
        "--seed",
        "8",
        "--format",
        "mixed",
        "--summary",
        summary.to_str().unwrap(),
    ];
    generate(&t.broker, &t.topic, &args);
    let child = sink(&t.broker, &t.topic, "g", &t.store).spawn().unwrap();
    wait_for(&t.store, &t.topic, 20000);
    terminate(child);
    assert_eq!(
        level_counts(&t.store, &t.topic),
        std::fs::read_to_string(&summary).unwrap()
    );
}

#[test]
fn generator_broker_sink_and_the_count_agree_with_the_summary() {
    generator_broker_sink_and_count_agree(false);
}

#[test]
fn generator_broker_sink_into_hdfs_and_the_count_agree_with_the_summary() {
    generator_broker_sink_and_count_agree(true);
}

fn twenty_sigkills(hdfs: bool) {
    kill_and_restart(&setup("crash", 3, hdfs), hdfs);
}

/// Twenty SIGKILLs of sinks while the generator produces, then a sink that
/// finishes: every record is stored exactly once. `slow` sinks (into HDFS)
/// are given longer between kills.
pub(crate) fn kill_and_restart(t: &Setup, slow: bool) {
    let args = ["-n", "30000", "--seed", "21", "--rate", "1000"];
    let producer = producer(&t.broker, &t.topic, &args);
    // Kill the sink at pseudo-random moments while the generator produces.
    // A killed member stays in the group until its session times out; with
    // FAST_TAKEOVER the next sink takes over in about a second, so that most
    // rounds consume and commit before they are killed. A start into HDFS
    // costs more (a client, a NameNode listing), so its rounds live longer.
    let (least, spread) = if slow { (1500, 2400) } else { (700, 1800) };
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for round in 0..20 {
        let mut child = sink(&t.broker, &t.topic, "crashers", &t.store)
            .args(FAST_TAKEOVER)
            .spawn()
            .unwrap();
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        std::thread::sleep(Duration::from_millis(least + state % spread));
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert!(
            !status.success(),
            "round {round}: the sink should have been killed"
        );
    }
    let producer = producer.wait_with_output().unwrap();
    assert!(producer.status.success());
    // The kills must land while sinks commit: most rounds commit a file
    // before their kill (a start costs more into HDFS, and more on a busy
    // machine, so not every round does).
    let (during, _) = stored(t.store.open().as_ref(), &t.topic);
    assert!(
        during >= 10,
        "only {during} files were committed between the 20 kills"
    );
    let child = sink(&t.broker, &t.topic, "crashers", &t.store)
        .args(FAST_TAKEOVER)
        .spawn()
        .unwrap();
    wait_for(&t.store, &t.topic, 30000);
    // The earlier sinks may have committed everything already, so this one
    // can be stopped moments after it starts; `terminate` waits for its
    // SIGTERM handler, which is installed before it connects.
    terminate(child);

    let got = committed_lines(&t.store, &t.topic);
    assert_eq!(got.len(), 30000, "every record exactly once");
    assert_same_lines(got, expected_lines(&["-n", "30000", "--seed", "21"]));
}

#[test]
fn twenty_sigkills_lose_nothing_and_duplicate_nothing() {
    twenty_sigkills(false);
}

#[test]
fn twenty_sigkills_into_hdfs_lose_nothing_and_duplicate_nothing() {
    twenty_sigkills(true);
}

#[test]
fn restarts_with_missing_or_stale_group_offsets_skip_what_is_stored() {
    let t = setup("restart", 2, false);

    generate(&t.broker, &t.topic, &["-n", "4000", "--seed", "31"]);
    let child = sink(&t.broker, &t.topic, "first", &t.store)
        .spawn()
        .unwrap();
    wait_for(&t.store, &t.topic, 4000);
    terminate(child);

    // More records, stored by another group: "first" is now behind the store.
    generate(&t.broker, &t.topic, &["-n", "3000", "--seed", "32"]);
    let child = sink(&t.broker, &t.topic, "second", &t.store)
        .spawn()
        .unwrap();
    wait_for(&t.store, &t.topic, 7000);
    let err = terminate(child);
    // The assignment starts where the store ends, so the stored 4000 are
    // not even read again: exactly the 3000 new records are committed.
    assert!(
        err.contains("committed 3000 records"),
        "missing offsets: {err}"
    );

    let child = sink(&t.broker, &t.topic, "first", &t.store)
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(3));
    let err = terminate(child);
    assert!(err.contains("committed 0 records"), "stale offsets: {err}");

    let mut want = expected_lines(&["-n", "4000", "--seed", "31"]);
    want.extend(expected_lines(&["-n", "3000", "--seed", "32"]));
    assert_same_lines(committed_lines(&t.store, &t.topic), want);
}

#[test]
fn gzip_files_under_date_directories_hold_the_same_records() {
    let t = setup("dated", 2, true);
    let summary = t.dir.join("truth.tsv");
    let args = [
        "-n",
        "5000",
        "--seed",
        "12",
        "--summary",
        summary.to_str().unwrap(),
    ];
    generate(&t.broker, &t.topic, &args);
    let child = sink(&t.broker, &t.topic, "g", &t.store)
        .args(["--gzip", "--date-partition"])
        .spawn()
        .unwrap();
    wait_for(&t.store, &t.topic, 5000);
    terminate(child);

    let files = t.store.open().list().unwrap();
    assert!(!files.is_empty());
    for f in &files {
        let (dir, name) = f
            .path
            .split_once('/')
            .expect("files sit in a date directory");
        assert!(dir.len() == 13 && dir.starts_with("dt=20"), "{dir}");
        assert!(name.ends_with(".log.gz"), "{name}");
    }
    assert_eq!(
        level_counts(&t.store, &t.topic),
        std::fs::read_to_string(&summary).unwrap()
    );
}

#[test]
fn inspect_prints_every_message_with_partition_and_offset() {
    let broker = Broker::apache();
    let topic = broker.topic("look");
    broker.create_topic(&topic, 3);
    generate(&broker, &topic, &["-n", "600", "--seed", "40"]);
    let out = Command::new(binary("logmr-inspect"))
        .args([
            "--brokers",
            &broker.address(),
            "--topic",
            &topic,
            "--from-beginning",
            "-n",
            "600",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    let mut values = Vec::new();
    for line in text.lines() {
        let mut fields = line.splitn(4, '\t');
        let (p, o, key, value) = (
            fields.next().unwrap(),
            fields.next().unwrap(),
            fields.next().unwrap(),
            fields.next().unwrap(),
        );
        assert!(
            seen.insert((p.parse::<i32>().unwrap(), o.parse::<i64>().unwrap())),
            "{line}"
        );
        assert!(value.contains(&format!("{key}: ")), "{line}");
        values.push(value.to_string());
    }
    assert_same_lines(values, expected_lines(&["-n", "600", "--seed", "40"]));
}

/// The lines of the single file, or none while it does not exist.
fn single_file_lines(store: &Target, name: &str) -> Vec<String> {
    let s = store.open();
    if !s.list().unwrap().iter().any(|e| e.path == name) {
        return Vec::new();
    }
    String::from_utf8(s.read(name).unwrap())
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

fn single_file_appends(hdfs: bool) {
    let t = setup("single", 2, hdfs);
    let name = "logs_machine.txt";
    generate(&t.broker, &t.topic, &["-n", "1500", "--seed", "50"]);
    let child = sink(&t.broker, &t.topic, "g", &t.store)
        .args(["--single-file", name])
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while single_file_lines(&t.store, name).len() < 1500 {
        assert!(Instant::now() < deadline, "the single file did not fill");
        std::thread::sleep(Duration::from_millis(100));
    }
    terminate(child);
    // A clean restart resumes from the committed group offsets: nothing new.
    generate(&t.broker, &t.topic, &["-n", "500", "--seed", "51"]);
    let child = sink(&t.broker, &t.topic, "g", &t.store)
        .args(["--single-file", name])
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while single_file_lines(&t.store, name).len() < 2000 {
        assert!(Instant::now() < deadline, "the single file did not grow");
        std::thread::sleep(Duration::from_millis(100));
    }
    terminate(child);
    let mut want = expected_lines(&["-n", "1500", "--seed", "50"]);
    want.extend(expected_lines(&["-n", "500", "--seed", "51"]));
    assert_same_lines(single_file_lines(&t.store, name), want);
}

#[test]
fn single_file_mode_appends_like_the_original() {
    single_file_appends(false);
}

#[test]
fn single_file_mode_creates_and_appends_to_one_hdfs_file() {
    single_file_appends(true);
}

#[test]
fn sinks_sharing_a_group_survive_rebalances_and_a_kill_exactly_once() {
    let t = setup("shared", 4, false);
    let args = ["-n", "12000", "--seed", "60", "--rate", "2000"];
    let producer = producer(&t.broker, &t.topic, &args);
    // Two owners share the partitions; the second joining rebalances them.
    let first = sink(&t.broker, &t.topic, "pair", &t.store)
        .args(FAST_TAKEOVER)
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let mut second = sink(&t.broker, &t.topic, "pair", &t.store)
        .args(FAST_TAKEOVER)
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    // One owner dies mid-stream: its partitions go back to the survivor when
    // its session expires. A third joins and rebalances them again.
    second.kill().unwrap();
    second.wait().unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    let third = sink(&t.broker, &t.topic, "pair", &t.store)
        .args(FAST_TAKEOVER)
        .spawn()
        .unwrap();
    assert!(producer.wait_with_output().unwrap().status.success());
    wait_for(&t.store, &t.topic, 12000);
    terminate(first);
    terminate(third);

    let got = committed_lines(&t.store, &t.topic);
    assert_eq!(got.len(), 12000, "every record exactly once");
    assert_same_lines(got, expected_lines(&["-n", "12000", "--seed", "60"]));
}

/// Lines of a child's stderr as they come.
fn stderr_lines(child: &mut Child) -> std::sync::mpsc::Receiver<String> {
    let stderr = child.stderr.take().unwrap();
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufRead::lines(std::io::BufReader::new(stderr)) {
            let Ok(line) = line else { break };
            if send.send(line).is_err() {
                break;
            }
        }
    });
    receive
}

/// Waits (up to 60 s) for a line that `wanted` accepts; returns it.
fn wait_line(lines: &std::sync::mpsc::Receiver<String>, wanted: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match lines.recv_timeout(left) {
            Ok(line) if wanted(&line) => return line,
            Ok(line) => seen.push(line),
            Err(_) => break,
        }
    }
    panic!("no such line within 60 s; saw:\n{}", seen.join("\n"));
}

#[test]
fn progress_counts_records_read_and_a_dead_broker_makes_the_lag_unknown() {
    let mut broker = Broker::own("lag");
    broker.create_topic("lag", 2);
    generate(&broker, "lag", &["-n", "5000", "--seed", "70"]);
    let dir = TempDir::new("sink-lag");
    // Batches that never fill: nothing is committed while the sink runs.
    let mut child = Command::new(binary("logmr-sink"))
        .args([
            "--brokers",
            &broker.address(),
            "--topic",
            "lag",
            "--group",
            "g",
        ])
        .args(["--interval", "3600", "--progress-every", "0.3"])
        .arg("--store")
        .arg(dir.join("logs"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = stderr_lines(&mut child);
    // Before the first commit the progress line counts what was read. Its
    // lag comes from the consumer's statistics, at most one interval old:
    // a line drawn just after the drain may still show the one before.
    let drained = wait_line(&lines, |l| {
        l.starts_with("logmr-sink: 5000 lines") && l.contains("lag 0")
    });
    assert!(drained.contains("0 committed in 0 files"), "{drained}");
    // With the broker gone the lag cannot be known, and says so.
    broker.kill();
    wait_line(&lines, |l| l.contains(", lag unknown ("));
    child.kill().unwrap();
    child.wait().unwrap();
}

/// A sink of `group` that drains `topic` into `store` and exits once idle.
fn drain(t: &Setup, group: &str) -> Command {
    let mut cmd = sink(&t.broker, &t.topic, group, &t.store);
    cmd.args(["--exit-when-idle", "3"]);
    cmd
}

/// Drains the setup's topic with group `g`, which must succeed.
fn drain_ok(t: &Setup) {
    let out = drain(t, "g").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn write_file(store: &dyn Store, path: &str, data: &[u8]) {
    let mut w = store.create("_e2e.tmp").unwrap();
    w.write(data).unwrap();
    w.close().unwrap();
    store.rename("_e2e.tmp", path).unwrap();
}

fn store_ahead_of_the_topic_is_refused(hdfs: bool) {
    let t = setup("ahead", 1, hdfs);
    generate(&t.broker, &t.topic, &["-n", "500", "--seed", "41"]);
    let s = t.store.open();
    // What a topic deleted and created again leaves: the store holds more
    // of the partition (2000 records) than the new topic has (500).
    let old = ingest::commit::final_name(&t.topic, 0, 0, 1999);
    write_file(s.as_ref(), &old, "[INFO] old\n".repeat(2000).as_bytes());
    // A foreign or corrupt name, and one at the end of the offsets.
    let cases = [
        old.clone(),
        ingest::commit::final_name(&t.topic, 0, 11018, 999_999_999_999),
        format!("{}+0+2000+{}.log", t.topic, i64::MAX),
    ];
    for (i, name) in cases.iter().enumerate() {
        if i > 0 {
            write_file(s.as_ref(), name, b"[INFO] foreign\n");
        }
        let out = drain(&t, "g").stderr(Stdio::piped()).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(4), "{name}: {err}");
        assert!(err.contains(name.as_str()), "the error names {name}: {err}");
        let (files, _) = stored(s.as_ref(), &t.topic);
        assert_eq!(files, 1, "nothing was written: {err}");
        s.delete(name).unwrap();
    }
    // With the store in line with the topic again, the sink stores it all.
    let out = drain(&t, "g").stderr(Stdio::piped()).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_same_lines(
        committed_lines(&t.store, &t.topic),
        expected_lines(&["-n", "500", "--seed", "41"]),
    );
}

#[test]
fn a_store_ahead_of_the_topic_is_refused_with_exit_4() {
    store_ahead_of_the_topic_is_refused(false);
}

#[test]
fn a_store_in_hdfs_ahead_of_the_topic_is_refused_with_exit_4() {
    store_ahead_of_the_topic_is_refused(true);
}

fn topic_recreated_longer_is_refused(hdfs: bool) {
    // Before: a store of 10 records, the topic deleted and made again with
    // 20: the sink went on at offset 10, exit 0, and never stored the new
    // topic's records 0..9.
    let t = setup("recreated", 1, hdfs);
    generate(&t.broker, &t.topic, &["-n", "10", "--seed", "5"]);
    drain_ok(&t);
    let s = t.store.open();
    assert_eq!(stored(s.as_ref(), &t.topic), (1, 10));
    t.broker.delete_topic(&t.topic);
    t.broker.create_topic(&t.topic, 1);
    generate(&t.broker, &t.topic, &["-n", "20", "--seed", "6"]);
    let out = drain(&t, "g").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(
        err.contains("does not belong to this topic") && err.contains("offset 9"),
        "{err}"
    );
    assert_eq!(
        stored(s.as_ref(), &t.topic),
        (1, 10),
        "nothing written: {err}"
    );
}

#[test]
fn a_topic_recreated_longer_than_the_store_is_refused_with_exit_4() {
    topic_recreated_longer_is_refused(false);
}

#[test]
fn a_topic_recreated_longer_than_the_hdfs_store_is_refused_with_exit_4() {
    topic_recreated_longer_is_refused(true);
}

fn gaps_are_refused_unless_the_topic_has_none_there(hdfs: bool) {
    let t = setup("gaps", 1, hdfs);
    let args = ["-n", "20", "--seed", "7"];
    generate(&t.broker, &t.topic, &args);
    let lines = expected_lines(&args);
    let batch = |first: usize, last: usize| {
        let mut text = lines[first..=last].join("\n");
        text.push('\n');
        text
    };
    let s = t.store.open();
    let ours = ingest::commit::final_name(&t.topic, 0, 0, 9);
    write_file(s.as_ref(), &ours, batch(0, 9).as_bytes());
    // Before: a file that this sink did not write, after a gap, made the
    // sink resume after it (exit 0) and offsets 10..14 were never stored.
    let foreign = ingest::commit::final_name(&t.topic, 0, 15, 16);
    write_file(s.as_ref(), &foreign, batch(15, 16).as_bytes());
    write_file(s.as_ref(), "notes.txt", b"not a batch\n");
    let out = drain(&t, "g").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(
        err.contains("lacks offsets 10..14") && err.contains(&foreign),
        "{err}"
    );
    assert!(
        err.contains("notes.txt") && err.contains("not"),
        "names the foreign file: {err}"
    );
    assert_eq!(
        stored(s.as_ref(), &t.topic),
        (2, 12),
        "nothing written: {err}"
    );
    // Without it, the sink stores the rest, each record once.
    s.delete(&foreign).unwrap();
    s.delete("notes.txt").unwrap();
    drain_ok(&t);
    assert_same_lines(committed_lines(&t.store, &t.topic), lines.clone());

    // A gap where the topic holds no record any more (retention deleted
    // them) is the topic's own: the sink goes on.
    let t = setup("retained", 1, hdfs);
    generate(&t.broker, &t.topic, &args);
    let s = t.store.open();
    write_file(
        s.as_ref(),
        &ingest::commit::final_name(&t.topic, 0, 0, 4),
        batch(0, 4).as_bytes(),
    );
    write_file(
        s.as_ref(),
        &ingest::commit::final_name(&t.topic, 0, 10, 14),
        batch(10, 14).as_bytes(),
    );
    let out = drain(&t, "g").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(4),
        "the topic still holds 5..9: {err}"
    );
    t.broker.delete_records_before(&t.topic, 0, 10);
    drain_ok(&t);
    assert_eq!(stored(s.as_ref(), &t.topic), (3, 15));
}

#[test]
fn a_gap_the_topic_can_fill_is_refused_with_exit_4() {
    gaps_are_refused_unless_the_topic_has_none_there(false);
}

#[test]
fn a_gap_the_topic_can_fill_in_hdfs_is_refused_with_exit_4() {
    gaps_are_refused_unless_the_topic_has_none_there(true);
}

#[test]
fn a_topic_that_does_not_exist_is_exit_1_and_said_by_the_sink_and_inspect() {
    // Before: the sink warned of UnknownTopicOrPartition, then ended
    // "committed 0 records" with exit 0; logmr-inspect said exit 2.
    let broker = Broker::apache();
    let absent = broker.topic("absent-sink");
    let dir = TempDir::new("absent");
    let store = Target::Local(dir.join("logs"));
    let out = sink(&broker, &absent, "g", &store)
        .args(["--exit-when-idle", "2"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("topic {absent} does not exist")),
        "{err}"
    );
    let out = Command::new(binary("logmr-inspect"))
        .args([
            "--brokers",
            &broker.address(),
            "--topic",
            &absent,
            "-n",
            "1",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("topic {absent} does not exist")),
        "{err}"
    );
    assert_eq!(
        broker.partitions(&absent),
        None,
        "nothing created the topic"
    );
}

#[test]
fn two_groups_writing_one_store_never_store_a_record_twice() {
    let t = setup("two-groups", 1, false);
    generate(&t.broker, &t.topic, &["-n", "6000", "--seed", "42"]);
    let children: Vec<Child> = ["a", "b"]
        .iter()
        .map(|group| drain(&t, group).stderr(Stdio::piped()).spawn().unwrap())
        .collect();
    let outs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let codes: Vec<_> = outs.iter().map(|o| o.status.code()).collect();
    let errs: Vec<_> = outs
        .iter()
        .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
        .collect();
    // One of them meets the other's files and stops before publishing.
    assert!(
        codes.contains(&Some(4)) || errs.iter().any(|e| e.contains("committed 0 records")),
        "{codes:?}: {errs:?}"
    );
    assert!(
        codes.iter().all(|c| matches!(c, Some(0 | 4))),
        "{codes:?}: {errs:?}"
    );
    if let Some(i) = codes.iter().position(|c| *c == Some(4)) {
        assert!(errs[i].contains("another writer"), "{}", errs[i]);
    }
    // Every record once: no overlapping files, nothing twice.
    let got = committed_lines(&t.store, &t.topic);
    assert_eq!(got.len(), 6000, "{codes:?}: {errs:?}");
    assert_same_lines(got, expected_lines(&["-n", "6000", "--seed", "42"]));
}

#[test]
fn bad_names_and_numbers_are_bad_usage_and_touch_nothing() {
    let dir = TempDir::new("sink-usage");
    let store = dir.join("store");
    for (args, reason) in [
        (&["--topic", "../evil"][..], "not a Kafka topic name"),
        (&["--topic", "a/b"], "not a Kafka topic name"),
        (&["--topic", "^logs.*"], "subscription pattern"),
        (&["--interval", "1e300"], "--interval"),
        (&["--exit-when-idle", "inf"], "--exit-when-idle"),
        (&["--progress-every", "0"], "--progress-every"),
        (
            &["-X", "fetch.queue.backoff.ms=abc"],
            "check -F, LOGMR_X_* and -X",
        ),
        (&["-X", "group.id="], "must not be empty"),
        (&["--group", ""], "must not be empty"),
    ] {
        let out = Command::new(binary("logmr-sink"))
            .args(["--brokers", "127.0.0.1:1", "--connect-timeout", "1"])
            .arg("--store")
            .arg(&store)
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(reason), "{args:?}: {err}");
    }
    assert!(!dir.join("evil").exists() && !store.join("a").exists());
    let out = Command::new(binary("logmr-inspect"))
        .args(["--brokers", "127.0.0.1:1", "--idle", "inf"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_hdfs_namenode_that_does_not_answer_is_named_within_the_timeout() {
    // Accepts connections and never answers, as a hung NameNode does.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("hdfs://{}/logs", silent.local_addr().unwrap());
    let started = Instant::now();
    let out = Command::new(binary("logmr-sink"))
        .args(["--brokers", "127.0.0.1:1", "--connect-timeout", "2"])
        .args(["--store", &url])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("cannot reach the HDFS NameNode"), "{err}");
    assert!(err.contains(&url), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );

    // And the first SIGINT stops the wait.
    let child = Command::new(binary("logmr-sink"))
        .args(["--brokers", "127.0.0.1:1", "--connect-timeout", "600"])
        .args(["--store", &url])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (out, took) = logmr_e2e::signal_and_wait(child, "INT");
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(silent);
}

/// Every file and directory under `root` with its permission bits.
fn modes(root: &std::path::Path) -> Vec<(String, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(path) = stack.pop() {
        let meta = std::fs::metadata(&path).unwrap();
        if meta.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        }
        out.push((
            path.display().to_string(),
            meta.permissions().mode() & 0o777,
        ));
    }
    out
}

/// `bash -c 'umask MASK; exec PROGRAM ARGS'`.
fn with_umask(mask: &str, program: &std::path::Path) -> Command {
    let mut cmd = Command::new("bash");
    cmd.args(["-c", &format!("umask {mask}; exec \"$@\""), "umask"])
        .arg(program);
    cmd
}

#[test]
fn files_made_here_follow_the_users_umask() {
    let t = setup("umask", 1, false);
    generate(&t.broker, &t.topic, &["-n", "500", "--seed", "4"]);
    let store = t.dir.join("store");
    let out = with_umask("027", &binary("logmr-sink"))
        .args([
            "--quiet",
            "--brokers",
            &t.broker.address(),
            "--topic",
            &t.topic,
        ])
        .args([
            "--group",
            &format!("umask-{}", t.topic),
            "--exit-when-idle",
            "2",
        ])
        .arg("--store")
        .arg(&store)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = t.dir.join("gen.log");
    let out = with_umask("027", &binary("logmr-gen"))
        .args(["-n", "100", "-o"])
        .arg(&lines)
        .output()
        .unwrap();
    assert!(out.status.success());
    let chart = t.dir.join("chart.html");
    let counts = t.dir.join("counts.tsv");
    std::fs::write(&counts, "ERROR\t2\nINFO\t5\n").unwrap();
    let out = with_umask("027", &binary("logmr"))
        .args(["report", "--html"])
        .arg(&chart)
        .arg(&counts)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut all = modes(&store);
    all.push(modes(&lines).remove(0));
    all.push(modes(&chart).remove(0));
    assert!(all.len() >= 4, "{all:?}");
    for (path, mode) in all {
        let dir = std::path::Path::new(&path).is_dir();
        assert_eq!(mode, if dir { 0o750 } else { 0o640 }, "{path}");
    }
}
