//! `logmr-gen` as a user runs it: deterministic output whose summary is
//! exactly what the logmr job counts, and Kafka delivery against a real
//! broker: content, per-machine order, topic creation, a broker that is
//! down, one that dies mid-run, and a clean stop on SIGTERM.

use std::collections::BTreeMap;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use logmr_e2e::broker::{Broker, consume};
use logmr_e2e::{TempDir, binary, wait_for_sigterm_handler};

const START: &str = "2024-12-10 14:33:21";

fn gen_cmd(args: &[&str]) -> Command {
    let mut cmd = Command::new(binary("logmr-gen"));
    cmd.args(["--quiet", "--start", START]).args(args);
    cmd
}

/// Without --quiet: the run's last stderr line says what was delivered.
fn gen_reporting(args: &[&str]) -> Command {
    let mut cmd = Command::new(binary("logmr-gen"));
    cmd.args(["--start", START]).args(args);
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().expect("run logmr-gen")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The lines `logmr-gen ARGS` writes to stdout.
fn stdout_lines(args: &[&str]) -> Vec<String> {
    let out = run(&mut gen_cmd(args));
    assert!(out.status.success(), "{}", stderr(&out));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn same_seed_same_bytes_and_the_summary_is_what_logmr_counts() {
    let dir = std::env::temp_dir().join(format!("logmr-gen-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for format in ["seed", "log4j", "json", "logcat", "syslog", "mixed"] {
        let summary = dir.join(format!("{format}.summary"));
        let args = ["-n", "3000", "--seed", "9", "--format", format];
        let a = run(gen_cmd(&args).arg("--summary").arg(&summary));
        let b = run(&mut gen_cmd(&args));
        assert!(a.status.success(), "{}", stderr(&a));
        assert_eq!(a.stdout, b.stdout, "{format}: output differs between runs");
        assert_eq!(a.stdout.iter().filter(|&&c| c == b'\n').count(), 3000);

        let counted = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "set -o pipefail; '{}' map | LC_ALL=C sort | '{}' reduce",
                binary("logmr").display(),
                binary("logmr").display()
            ))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child.stdin.take().unwrap().write_all(&a.stdout)?;
                child.wait_with_output()
            })
            .unwrap();
        assert_eq!(
            String::from_utf8(counted.stdout).unwrap(),
            std::fs::read_to_string(&summary).unwrap(),
            "{format}: logmr's count differs from the generator's summary"
        );
    }
    let other = run(&mut gen_cmd(&["-n", "100", "--seed", "10"]));
    let first = run(&mut gen_cmd(&["-n", "100", "--seed", "9"]));
    assert_ne!(other.stdout, first.stdout);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn gzip_output_and_a_closed_stdout() {
    let dir = std::env::temp_dir().join(format!("logmr-gen-gz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("logs.txt.gz");
    let out = run(gen_cmd(&["-n", "500", "--seed", "1", "-o"]).arg(&file));
    assert!(out.status.success(), "{}", stderr(&out));
    let unzipped = Command::new("gzip").arg("-dc").arg(&file).output().unwrap();
    assert!(unzipped.status.success());
    assert_eq!(
        unzipped.stdout,
        run(&mut gen_cmd(&["-n", "500", "--seed", "1"])).stdout
    );
    std::fs::remove_dir_all(&dir).unwrap();

    let script = format!(
        "'{}' --quiet | head -n 1 > /dev/null; echo ${{PIPESTATUS[0]}}",
        binary("logmr-gen").display()
    );
    let out = Command::new("bash").arg("-c").arg(script).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "0",
        "{}",
        stderr(&out)
    );
}

#[test]
fn quiet_says_nothing_unless_something_is_wrong() {
    let dir = TempDir::new("gen-quiet");
    let file = dir.join("logs.txt");
    let quiet = run(gen_cmd(&["-n", "3", "-o"]).arg(&file));
    assert!(quiet.status.success(), "{}", stderr(&quiet));
    assert_eq!(stderr(&quiet), "");
    let told = run(gen_reporting(&["-n", "3", "-o"]).arg(&file));
    assert!(told.status.success(), "{}", stderr(&told));
    assert!(
        stderr(&told).contains("delivered 3, failed 0"),
        "{}",
        stderr(&told)
    );
}

#[test]
fn bad_arguments_exit_2_with_a_reason() {
    for (args, reason) in [
        (&["--format", "nope"][..], "unknown format"),
        (&["--levels", "INFO=x"], "not a whole number"),
        (
            &["--format", "cbs", "--levels", "DEBUG=1"],
            "format cbs has no level DEBUG",
        ),
        (&["--start", "yesterday"], "--start"),
        (&["-X", "linger.ms=5"], "-X applies to Kafka"),
    ] {
        let out = run(&mut gen_cmd(args));
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(reason), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn lines_reach_kafka_complete_and_in_order_per_machine() {
    let broker = Broker::apache();
    let topic = broker.topic("gen_order");
    broker.create_topic(&topic, 3);
    let args = ["-n", "6000", "--seed", "11", "--machines", "7"];
    let out = run(gen_reporting(&args).args(["--brokers", &broker.address(), "--topic", &topic]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("delivered 6000, failed 0"),
        "{}",
        stderr(&out)
    );

    let records = consume(&broker.address(), &topic, 6000, Duration::from_secs(60));
    let expected = stdout_lines(&args);
    let mut got: Vec<String> = records
        .iter()
        .map(|r| String::from_utf8(r.payload.clone()).unwrap())
        .collect();
    let mut want = expected.clone();
    got.sort();
    want.sort();
    assert_eq!(
        got, want,
        "the topic does not hold exactly the generated lines"
    );

    // Each machine is one key, in one partition, in generation order.
    let mut sorted: Vec<&logmr_e2e::broker::Record> = records.iter().collect();
    sorted.sort_by_key(|r| (r.partition, r.offset));
    let mut per_key: BTreeMap<Vec<u8>, (i32, Vec<String>)> = BTreeMap::new();
    for r in sorted {
        let line = String::from_utf8(r.payload.clone()).unwrap();
        let key = String::from_utf8(r.key.clone()).unwrap();
        assert!(
            line.contains(&format!("{key}:")),
            "key {key} on another machine's line: {line}"
        );
        let entry = per_key
            .entry(r.key.clone())
            .or_insert((r.partition, Vec::new()));
        assert_eq!(entry.0, r.partition, "machine {key} spread over partitions");
        entry.1.push(line);
    }
    assert_eq!(per_key.len(), 7);
    for (key, (_, lines)) in per_key {
        let key = String::from_utf8(key).unwrap();
        let want: Vec<&String> = expected
            .iter()
            .filter(|l| l.contains(&format!(" {key}: ")))
            .collect();
        let got: Vec<&String> = lines.iter().collect();
        assert_eq!(got, want, "order of {key}'s lines");
    }
}

#[test]
fn a_missing_topic_is_created_with_the_partitions_asked_for() {
    // Apache Kafka with its stock defaults: auto.create.topics.enable=true
    // and num.partitions=1. A metadata request naming the topic would create
    // it with one partition before logmr-gen could create it with three.
    let broker = Broker::apache();
    let topic = broker.topic("fresh_topic");
    let out = run(
        gen_cmd(&["-n", "300", "--seed", "2", "--partitions", "3"]).args([
            "--brokers",
            &broker.address(),
            "--topic",
            &topic,
        ]),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    assert_eq!(broker.partitions(&topic), Some(3));
    let records = consume(&broker.address(), &topic, 300, Duration::from_secs(60));
    let partitions: std::collections::BTreeSet<i32> = records.iter().map(|r| r.partition).collect();
    assert!(partitions.iter().all(|&p| p < 3), "{partitions:?}");

    let absent = broker.topic("absent");
    let out = run(gen_cmd(&["-n", "1", "--no-create-topic"]).args([
        "--brokers",
        &broker.address(),
        "--topic",
        &absent,
    ]));
    // A missing topic is the cluster's state, not bad usage: exit 1, as
    // the help says (it was 2).
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("topic {absent} does not exist")),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        broker.partitions(&absent),
        None,
        "the check created the topic"
    );
}

#[test]
fn an_existing_topic_with_other_partitions_is_reported() {
    let broker = Broker::apache();
    let topic = broker.topic("one_partition");
    broker.create_topic(&topic, 1);
    let out = run(gen_cmd(&["-n", "50", "--partitions", "3"]).args([
        "--brokers",
        &broker.address(),
        "--topic",
        &topic,
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("warning: topic {topic} has 1 partition(s), not 3")),
        "{}",
        stderr(&out)
    );
    assert_eq!(broker.partitions(&topic), Some(1));
}

#[test]
fn an_unreachable_broker_fails_within_the_timeout() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = Instant::now();
    let out = run(&mut gen_cmd(&[
        "-n",
        "10",
        "--connect-timeout",
        "3",
        "--brokers",
        &format!("127.0.0.1:{port}"),
    ]));
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot reach the Kafka brokers"),
        "{}",
        stderr(&out)
    );
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[test]
fn a_broker_dying_mid_run_stops_the_run_within_the_message_timeout() {
    let mut broker = Broker::own("dies");
    broker.create_topic("dies", 1);
    // librdkafka's settings as shipped: message.timeout.ms is 30 s.
    let child = Command::new(binary("logmr-gen"))
        .args(["--start", START, "--rate", "2000", "--brokers"])
        .arg(broker.address())
        .args(["--topic", "dies"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    broker.kill();
    let started = Instant::now();
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    // ingest/README.md's promise: generating stops at the first sign, and the run
    // ends within message.timeout.ms (30 s) of it.
    assert!(
        started.elapsed() < Duration::from_secs(36),
        "took {:?}: {err}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("stopping: all brokers are down"), "{err}");
    let produced: u64 = err
        .split("produced ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{err}"));
    // 1.5 s at 2000 lines/s before the kill, and a few seconds at most
    // before the brokers are known to be down; not 30 s more of lines.
    assert!(produced < 2000 * 8, "produced {produced} lines: {err}");
}

#[test]
fn what_would_panic_wrap_or_wait_is_bad_usage() {
    let dir = TempDir::new("gen-edges");
    let lines = dir.join("lines.txt");
    for (args, reason) in [
        (
            &["--duration", "99999999999999999999999s"][..],
            "not a duration",
        ),
        (&["-n", "20000000000G"], "too large a count"),
        (&["--interval-ms", "99999999999"], "--interval-ms"),
        (&["-n", "1G", "--interval-ms", "86400000"], "year 9999"),
        (
            &["--topic", "../evil", "--brokers", "127.0.0.1:1"],
            "not a Kafka topic name",
        ),
        (
            &["--topic", "a/b", "--brokers", "127.0.0.1:1"],
            "not a Kafka topic name",
        ),
        (
            &["--brokers", "127.0.0.1:1", "-X", "linger.ms=abc"],
            "Invalid value for configuration property",
        ),
        (&["--connect-timeout", "0"], "--connect-timeout"),
    ] {
        let out = run(&mut gen_cmd(args));
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(reason), "{args:?}: {}", stderr(&out));
    }

    // An unwritable summary fails before any line is made.
    let out = run(&mut gen_cmd(&[
        "-n",
        "10",
        "--output",
        lines.to_str().unwrap(),
        "--summary",
        "/nonexistent/dir/summary.tsv",
    ]));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("/nonexistent/dir/summary.tsv"));
    assert!(!lines.exists(), "lines were made before the summary failed");

    // A slow rate neither outlives --duration nor holds up a SIGTERM.
    let started = Instant::now();
    let out = run(&mut gen_cmd(&["--rate", "0.1", "--duration", "1s"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    let child = gen_cmd(&["--rate", "1e-300"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (out, took) = logmr_e2e::signal_and_wait(child, "TERM");
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn timestamps_never_go_backwards_at_the_end_of_time() {
    // Unbounded by count, the clock stops at the last millisecond of year
    // 9999 rather than wrapping around.
    let out = Command::new(binary("logmr-gen"))
        .args([
            "--quiet",
            "--start",
            "9999-12-31 23:59:58",
            "--interval-ms",
            "86400000",
        ])
        .args(["--duration", "200ms", "--format", "log4j"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let stamps: Vec<&str> = text.lines().map(|l| &l[..23]).collect();
    assert!(stamps.len() > 2, "{}", stamps.len());
    let backwards = stamps.windows(2).find(|w| w[0] > w[1]);
    assert_eq!(backwards, None, "a timestamp goes backwards");
    assert_eq!(stamps.last(), Some(&"9999-12-31 23:59:59,999"));
}

#[test]
fn sigterm_flushes_and_reports() {
    let broker = Broker::apache();
    let topic = broker.topic("stopped");
    broker.create_topic(&topic, 3);
    let child = gen_reporting(&[
        "--rate",
        "3000",
        "--seed",
        "4",
        "--brokers",
        &broker.address(),
        "--topic",
        &topic,
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    wait_for_sigterm_handler(child.id());
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("stopped by signal"), "{err}");
    let produced: usize = err
        .split("produced ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {err}"));
    assert!(produced > 1000, "{err}");
    assert!(
        err.contains(&format!("delivered {produced}, failed 0")),
        "{err}"
    );
    assert_eq!(
        consume(&broker.address(), &topic, produced, Duration::from_secs(60)).len(),
        produced
    );
}

#[test]
fn a_full_local_queue_slows_the_generator_and_loses_nothing() {
    let broker = Broker::apache();
    let topic = broker.topic("tiny_queue");
    broker.create_topic(&topic, 2);
    // A queue of 50 messages fills at once: every further send meets
    // QueueFull and must wait for deliveries instead of dropping lines.
    let args = ["-n", "20000", "--seed", "6"];
    let out = run(gen_reporting(&args)
        .args(["--brokers", &broker.address(), "--topic", &topic])
        .args(["-X", "queue.buffering.max.messages=50", "-X", "linger.ms=1"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("delivered 20000, failed 0"),
        "{}",
        stderr(&out)
    );
    let mut got: Vec<Vec<u8>> = consume(&broker.address(), &topic, 20000, Duration::from_secs(60))
        .into_iter()
        .map(|r| r.payload)
        .collect();
    let mut want: Vec<Vec<u8>> = stdout_lines(&args)
        .into_iter()
        .map(String::into_bytes)
        .collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn run_learns_one_template_per_message_from_every_format_mixed() {
    let dir = TempDir::new("gen-templates");
    let file = dir.join("mixed.log");
    let out = run(gen_cmd(&["--format", "mixed", "-n", "20000", "--seed", "3", "-o"]).arg(&file));
    assert!(out.status.success(), "{}", stderr(&out));
    let out = Command::new(binary("logmr"))
        .args(["run", "--by", "template"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let learned: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| line.split(['|', '\t']).nth(1).unwrap().to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut want: Vec<String> = ingest::format::MESSAGES
        .iter()
        .map(|m| {
            let mut masked = Vec::new();
            logmr::keys::template::write(m.replace("{n}", "7").as_bytes(), &mut masked);
            String::from_utf8(masked).unwrap()
        })
        .collect();
    want.sort();
    assert_eq!(learned, want);
}

#[test]
fn a_broker_that_is_down_is_said_once_per_kind_then_with_a_count() {
    let out = run(&mut gen_cmd(&[
        "--brokers",
        "127.0.0.1:1",
        "-n",
        "1",
        "--connect-timeout",
        "12",
    ]));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    // librdkafka reports a down broker hundreds of times in these 12 s.
    assert!(err.lines().count() <= 8, "{err}");
    assert!(
        err.contains("more since the last warning of this kind"),
        "{err}"
    );
    let last = err.lines().last().unwrap();
    assert!(
        last.starts_with("logmr-gen: error: cannot reach the Kafka brokers"),
        "{err}"
    );
}
