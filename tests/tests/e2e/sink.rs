//! `logmr-sink` against a real broker: the whole pipeline's count equals
//! the generator's summary; SIGKILL at arbitrary moments, twenty times,
//! loses no record and writes none twice; restarts with missing or stale
//! group offsets skip what the store already holds.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ingest::commit::{parse_final, recover};
use ingest::store::{LocalStore, Store};
use logmr_e2e::broker::Broker;
use logmr_e2e::{TempDir, binary, wait_for_sigterm_handler};

const START: &str = "2024-12-10 00:00:00";

/// tansu answers a fetch that starts inside a record batch with the batch
/// after it, skipping the rest of the containing batch (Kafka returns the
/// containing batch and the client skips forward). A sink resuming at a
/// committed offset would then wait for records tansu never sends. One
/// record per batch makes every offset a batch boundary; against Kafka the
/// producer's batching is irrelevant to the sink.
const ONE_RECORD_PER_BATCH: [&str; 2] = ["-X", "batch.num.messages=1"];

/// Sink settings that let a restarted or surviving sink take over a killed
/// member's partitions in about a second.
const FAST_TAKEOVER: [&str; 4] = [
    "-X",
    "session.timeout.ms=1000",
    "-X",
    "heartbeat.interval.ms=250",
];

/// `logmr-gen ARGS` producing to `topic`, one record per batch.
fn gen_to(broker: &Broker, topic: &str, args: &[&str]) -> Command {
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
    .args(ONE_RECORD_PER_BATCH)
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

fn expected_lines(args: &[&str]) -> Vec<String> {
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

fn sink(broker: &Broker, topic: &str, group: &str, store: &Path) -> Command {
    let mut cmd = Command::new(binary("logmr-sink"));
    cmd.args([
        "--quiet",
        "--brokers",
        &broker.address(),
        "--topic",
        topic,
        "--group",
        group,
    ])
    .arg("--store")
    .arg(store)
    .args(["--interval", "0.2", "--max-records", "300"])
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    cmd
}

/// Every committed record in the store, checked for contiguity per
/// partition from offset 0.
fn committed_lines(store: &Path, topic: &str) -> Vec<String> {
    let s = LocalStore::open(store).unwrap();
    let recovery = recover(&s, topic, &[]).expect("no overlapping files");
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
            let text = String::from_utf8(s.read(&c.path).unwrap()).unwrap();
            let n = text.lines().count() as i64;
            assert_eq!(n, c.last - c.first + 1, "{} holds {n} records", c.path);
            lines.extend(text.lines().map(String::from));
        }
    }
    lines
}

/// Stops a sink with SIGTERM, once its handler is installed; requires a
/// clean exit and returns its stderr.
fn terminate(child: Child) -> String {
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
fn stored(store: &Path, topic: &str) -> (usize, usize) {
    let files: Vec<_> = LocalStore::open(store)
        .unwrap()
        .list()
        .unwrap()
        .iter()
        .filter_map(|e| parse_final(&e.path, topic))
        .collect();
    let records = files.iter().map(|c| (c.last - c.first + 1) as usize).sum();
    (files.len(), records)
}

/// Waits until the store holds `count` records.
fn wait_for(store: &Path, topic: &str, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let (_, have) = stored(store, topic);
        if have >= count {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the store holds {have} of {count} records"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A broker with `topic` created over `partitions`, and a temporary
/// directory whose `logs` is the sink's store.
fn broker_and_store(topic: &str, partitions: u32) -> (Broker, TempDir, PathBuf) {
    let broker = Broker::start();
    broker.create_topic(topic, partitions);
    let dir = TempDir::new(&format!("sink-{topic}"));
    let store = dir.join("logs");
    (broker, dir, store)
}

/// The same lines, in any order.
fn assert_same_lines(mut got: Vec<String>, mut want: Vec<String>) {
    got.sort();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn generator_broker_sink_and_the_job_agree_with_the_summary() {
    let (broker, dir, store) = broker_and_store("pipeline", 3);
    let summary = dir.join("truth.tsv");
    let summary_arg = summary.to_str().unwrap();
    let args = [
        "-n",
        "20000",
        "--seed",
        "8",
        "--format",
        "mixed",
        "--summary",
        summary_arg,
    ];
    generate(&broker, "pipeline", &args);
    let child = sink(&broker, "pipeline", "g", &store).spawn().unwrap();
    wait_for(&store, "pipeline", 20000);
    terminate(child);

    let script = format!(
        "set -o pipefail; cat '{s}'/*.log | '{l}' map | LC_ALL=C sort | '{l}' reduce",
        s = store.display(),
        l = binary("logmr").display()
    );
    let counted = Command::new("bash").arg("-c").arg(script).output().unwrap();
    assert!(counted.status.success());
    assert_eq!(
        String::from_utf8(counted.stdout).unwrap(),
        std::fs::read_to_string(&summary).unwrap()
    );
}

#[test]
fn twenty_sigkills_lose_nothing_and_duplicate_nothing() {
    let (broker, _dir, store) = broker_and_store("crash", 3);
    let args = ["-n", "30000", "--seed", "21", "--rate", "1000"];
    let producer = producer(&broker, "crash", &args);
    // Kill the sink at pseudo-random moments while the generator produces.
    // A killed member stays in the group until its session times out; with
    // FAST_TAKEOVER the next sink takes over in about a second, so that most
    // rounds consume and commit before they are killed.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for round in 0..20 {
        let mut child = sink(&broker, "crash", "crashers", &store)
            .args(FAST_TAKEOVER)
            .spawn()
            .unwrap();
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        std::thread::sleep(Duration::from_millis(700 + state % 1800));
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert!(
            !status.success(),
            "round {round}: the sink should have been killed"
        );
    }
    let producer = producer.wait_with_output().unwrap();
    assert!(producer.status.success());
    let (during, _) = stored(&store, "crash");
    assert!(
        during >= 20,
        "only {during} files were committed between the kills"
    );
    // tansu expires a dead member only when another joins, and then keeps
    // rebalancing to the members it still believes in. Apache Kafka would
    // reassign on session expiry alone; here the last sink joins after the
    // killed ones' sessions (1 s) have run out.
    std::thread::sleep(Duration::from_millis(2500));
    let child = sink(&broker, "crash", "crashers", &store)
        .args(FAST_TAKEOVER)
        .spawn()
        .unwrap();
    wait_for(&store, "crash", 30000);
    // The earlier sinks may have committed everything already, so this one
    // can be stopped moments after it starts; `terminate` waits for its
    // SIGTERM handler, which is installed before it connects.
    terminate(child);

    let got = committed_lines(&store, "crash");
    assert_eq!(got.len(), 30000, "every record exactly once");
    assert_same_lines(got, expected_lines(&["-n", "30000", "--seed", "21"]));
}

#[test]
fn restarts_with_missing_or_stale_group_offsets_skip_what_is_stored() {
    let (broker, _dir, store) = broker_and_store("restart", 2);

    generate(&broker, "restart", &["-n", "4000", "--seed", "31"]);
    let child = sink(&broker, "restart", "first", &store).spawn().unwrap();
    wait_for(&store, "restart", 4000);
    terminate(child);

    // More records, stored by another group: "first" is now behind the store.
    generate(&broker, "restart", &["-n", "3000", "--seed", "32"]);
    let child = sink(&broker, "restart", "second", &store).spawn().unwrap();
    wait_for(&store, "restart", 7000);
    let err = terminate(child);
    // The assignment starts where the store ends, so the stored 4000 are
    // not even read again: exactly the 3000 new records are committed.
    assert!(
        err.contains("committed 3000 records"),
        "missing offsets: {err}"
    );

    let child = sink(&broker, "restart", "first", &store).spawn().unwrap();
    std::thread::sleep(Duration::from_secs(3));
    let err = terminate(child);
    assert!(err.contains("committed 0 records"), "stale offsets: {err}");

    let mut want = expected_lines(&["-n", "4000", "--seed", "31"]);
    want.extend(expected_lines(&["-n", "3000", "--seed", "32"]));
    assert_same_lines(committed_lines(&store, "restart"), want);
}

#[test]
fn gzip_files_under_date_directories_hold_the_same_records() {
    let (broker, dir, store) = broker_and_store("dated", 2);
    let summary = dir.join("truth.tsv");
    let args = [
        "-n",
        "5000",
        "--seed",
        "12",
        "--summary",
        summary.to_str().unwrap(),
    ];
    generate(&broker, "dated", &args);
    let child = sink(&broker, "dated", "g", &store)
        .args(["--gzip", "--date-partition"])
        .spawn()
        .unwrap();
    wait_for(&store, "dated", 5000);
    terminate(child);

    let files = LocalStore::open(&store).unwrap().list().unwrap();
    assert!(!files.is_empty());
    for f in &files {
        let (dir, name) = f
            .path
            .split_once('/')
            .expect("files sit in a date directory");
        assert!(dir.len() == 13 && dir.starts_with("dt=20"), "{dir}");
        assert!(name.ends_with(".log.gz"), "{name}");
    }
    let script = format!(
        "set -o pipefail; zcat '{s}'/dt=*/*.log.gz | '{l}' map | LC_ALL=C sort | '{l}' reduce",
        s = store.display(),
        l = binary("logmr").display()
    );
    let counted = Command::new("bash").arg("-c").arg(script).output().unwrap();
    assert!(
        counted.status.success(),
        "{}",
        String::from_utf8_lossy(&counted.stderr)
    );
    assert_eq!(
        String::from_utf8(counted.stdout).unwrap(),
        std::fs::read_to_string(&summary).unwrap()
    );
}

#[test]
fn inspect_prints_every_message_with_partition_and_offset() {
    let broker = Broker::start();
    broker.create_topic("look", 3);
    generate(&broker, "look", &["-n", "600", "--seed", "40"]);
    let out = Command::new(binary("logmr-inspect"))
        .args([
            "--brokers",
            &broker.address(),
            "--topic",
            "look",
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

#[test]
fn single_file_mode_appends_like_the_original() {
    let (broker, _dir, store) = broker_and_store("single", 2);
    generate(&broker, "single", &["-n", "1500", "--seed", "50"]);
    let child = sink(&broker, "single", "g", &store)
        .args(["--single-file", "logs_machine.txt"])
        .spawn()
        .unwrap();
    let file = store.join("logs_machine.txt");
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::read_to_string(&file).map_or(0, |t| t.lines().count()) < 1500 {
        assert!(Instant::now() < deadline, "the single file did not fill");
        std::thread::sleep(Duration::from_millis(100));
    }
    terminate(child);
    // A clean restart resumes from the committed group offsets: nothing new.
    generate(&broker, "single", &["-n", "500", "--seed", "51"]);
    let child = sink(&broker, "single", "g", &store)
        .args(["--single-file", "logs_machine.txt"])
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::read_to_string(&file).map_or(0, |t| t.lines().count()) < 2000 {
        assert!(Instant::now() < deadline, "the single file did not grow");
        std::thread::sleep(Duration::from_millis(100));
    }
    terminate(child);
    let text = std::fs::read_to_string(&file).unwrap();
    let mut want = expected_lines(&["-n", "1500", "--seed", "50"]);
    want.extend(expected_lines(&["-n", "500", "--seed", "51"]));
    assert_same_lines(text.lines().map(String::from).collect(), want);
}

#[test]
fn sinks_sharing_a_group_survive_rebalances_and_a_kill_exactly_once() {
    let (broker, _dir, store) = broker_and_store("shared", 4);
    let args = ["-n", "12000", "--seed", "60", "--rate", "2000"];
    let producer = producer(&broker, "shared", &args);
    // Two owners share the partitions; the second joining rebalances them.
    let first = sink(&broker, "shared", "pair", &store)
        .args(FAST_TAKEOVER)
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let mut second = sink(&broker, "shared", "pair", &store)
        .args(FAST_TAKEOVER)
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    // One owner dies mid-stream. A third joins: with Apache Kafka the
    // survivor would also be rebalanced when the dead member's session
    // expires; tansu only rebalances when a member joins or leaves.
    second.kill().unwrap();
    second.wait().unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    let third = sink(&broker, "shared", "pair", &store)
        .args(FAST_TAKEOVER)
        .spawn()
        .unwrap();
    assert!(producer.wait_with_output().unwrap().status.success());
    wait_for(&store, "shared", 12000);
    terminate(first);
    terminate(third);

    let got = committed_lines(&store, "shared");
    assert_eq!(got.len(), 12000, "every record exactly once");
    assert_same_lines(got, expected_lines(&["-n", "12000", "--seed", "60"]));
}
