//! The pipeline on secure services (`services.sh --secure`): logmr-gen and
//! logmr-sink over Kafka's SASL_SSL listener (SCRAM-SHA-512, a CA made at
//! start), the store in HDFS with Kerberos (privacy on RPC and on block
//! transfers) after `kinit` with the user's keytab, the Spark logcount job
//! reading it. The refusals a user meets end at once with exit 5, a
//! message that says what to do, and nothing written; no secret is shown.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use logmr_e2e::broker::{Broker, partition_count};
use logmr_e2e::services::{SecureServices, secure_services, unique};
use logmr_e2e::{TempDir, binary, workspace_root};

use crate::sink::{Setup, Target, gen_to, kill_and_restart, sink};

/// A topic on the SASL_SSL listener and a store under the user's HDFS
/// home, with a ticket of the user's in the setup's own cache.
fn secure_setup(base: &str, partitions: u32) -> Setup {
    let s = secure_services();
    let broker = Broker::secure();
    let topic = broker.topic(base);
    broker.create_topic(&topic, partitions);
    let dir = TempDir::new(&format!("secure-{base}"));
    let ccache = dir.join("krb5cc");
    s.kinit(&ccache, &s.principal, &s.keytab, None);
    let store = Target::Kerberized {
        url: format!("{}{}/{}/logs", s.hdfs, s.home, unique(base)),
        copy: dir.join("copy"),
        ccache,
    };
    Setup {
        broker,
        topic,
        dir,
        store,
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Fails when `output` shows any of `secrets`.
fn assert_hidden(output: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!output.contains(secret), "a secret was shown:\n{output}");
    }
}

/// The permissions column of each entry `hadoop fs -ls -d PATH` lists.
fn permissions(s: &SecureServices, ccache: &Path, paths: &[String]) -> Vec<String> {
    let out = s
        .hadoop(ccache)
        .args(["fs", "-ls", "-d"])
        .args(paths)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|p| p.len() == 10)
        .map(String::from)
        .collect()
}

#[test]
fn over_sasl_ssl_into_kerberized_hdfs_the_spark_job_counts_every_line_once() {
    let s = secure_services();
    let t = secure_setup("secure-pipeline", 3);
    let Target::Kerberized { url, ccache, .. } = &t.store else {
        unreachable!()
    };
    let summary = t.dir.join("truth.tsv");
    // Not quiet: its progress and report lines are searched for the secret.
    let generated = Command::new(binary("logmr-gen"))
        .args(["--brokers", &t.broker.address(), "--topic", &t.topic])
        .args(t.broker.client_args())
        .args(["-n", "20000", "--seed", "29", "--format", "mixed"])
        .arg("--summary")
        .arg(&summary)
        .output()
        .unwrap();
    assert!(generated.status.success(), "{}", text(&generated));

    let stored = sink(&t.broker, &t.topic, "secure", &t.store)
        .args(["--exit-when-idle", "3"])
        .output()
        .unwrap();
    assert!(stored.status.success(), "{}", text(&stored));

    let mut job = Command::new("bash");
    s.client_env(&mut job, ccache);
    let counted = job
        .arg(workspace_root().join("hadoop-jobs/spark-job.sh"))
        .args(["logcount", "--input", url])
        .env("LOGMR_BIN", binary("logmr"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(counted.status.success(), "{}", text(&counted));
    assert_eq!(
        String::from_utf8_lossy(&counted.stdout),
        std::fs::read_to_string(&summary).unwrap()
    );

    // The store's files and directories get the permissions Hadoop's own
    // client gives, under the same configuration.
    let local = t.dir.join("put.log");
    std::fs::write(&local, "x\n").unwrap();
    let put = format!("{url}/../put.log");
    let made = format!("{url}/../made");
    for args in [
        vec!["fs", "-put", local.to_str().unwrap(), &put],
        vec!["fs", "-mkdir", &made],
    ] {
        let out = s.hadoop(ccache).args(&args).output().unwrap();
        assert!(out.status.success(), "{}", text(&out));
    }
    let batch = format!("{url}/{}+0+*", t.topic);
    let mut ours = permissions(s, ccache, &[batch, url.clone()]);
    ours.dedup();
    assert_eq!(ours, permissions(s, ccache, &[put, made]));
    // The services' umask is not Hadoop's default: this can fail.
    assert_eq!(ours, ["-rw-r-----", "drwxr-x---"]);

    let password = s.kafka_password();
    for out in [&generated, &stored, &counted] {
        assert_hidden(&text(out), &[&password]);
    }
}

#[test]
fn twenty_sigkills_over_sasl_ssl_into_kerberized_hdfs_lose_nothing_and_duplicate_nothing() {
    kill_and_restart(&secure_setup("secure-crash", 3), true);
}

/// Runs `cmd`, which must be refused: exit 5, within `limit`, with a
/// message holding `says`.
fn refused(cmd: &mut Command, says: &str, limit: Duration) -> String {
    let started = Instant::now();
    let out = cmd.stdin(Stdio::null()).output().unwrap();
    let took = started.elapsed();
    let all = text(&out);
    assert_eq!(out.status.code(), Some(5), "{all}");
    assert!(all.contains(says), "expected {says:?} in:\n{all}");
    assert!(took < limit, "took {took:?}:\n{all}");
    all
}

#[test]
fn refusals_end_at_once_with_exit_5_say_what_to_do_and_write_nothing() {
    let s = secure_services();
    let t = secure_setup("secure-refusals", 1);
    let Target::Kerberized { ccache, .. } = &t.store else {
        unreachable!()
    };
    let gen_ok = gen_to(&t.broker, &t.topic, &["-n", "100"])
        .output()
        .unwrap();
    assert!(gen_ok.status.success(), "{}", text(&gen_ok));
    let timeout = ["--connect-timeout", "20"];
    let limit = Duration::from_secs(20);
    let base = format!("{}{}/{}", s.hdfs, s.home, unique("secure-refusals"));
    let store = |name: &str, ccache: &Path| Target::Kerberized {
        url: format!("{base}/{name}"),
        copy: t.dir.join(format!("copy-{name}")),
        ccache: ccache.to_path_buf(),
    };
    let mut shown = Vec::new();

    // No ticket: a cache that kinit never filled (as after kdestroy).
    let none = store("no-ticket", &t.dir.join("no-such-cache"));
    shown.push(refused(
        sink(&t.broker, &t.topic, "refused", &none).args(timeout),
        "no Kerberos ticket: run kinit",
        limit,
    ));

    // An expired ticket.
    let short = t.dir.join("krb5cc-short");
    s.kinit(&short, &s.principal, &s.keytab, Some("3s"));
    std::thread::sleep(Duration::from_secs(5));
    let expired = store("expired", &short);
    shown.push(refused(
        sink(&t.broker, &t.topic, "refused", &expired).args(timeout),
        "the Kerberos ticket has expired",
        limit,
    ));

    // A principal without write permission on the store, which its owner
    // made: the records are read, and no batch can be written.
    let reader_cache = t.dir.join("krb5cc-reader");
    s.kinit(&reader_cache, &s.reader, &s.reader_keytab, None);
    let owned = store("owned", ccache);
    let Target::Kerberized { url: owned_url, .. } = &owned else {
        unreachable!()
    };
    let made = s
        .hadoop(ccache)
        .args(["fs", "-mkdir", "-p", owned_url])
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", text(&made));
    let as_reader = store("owned", &reader_cache);
    shown.push(refused(
        sink(&t.broker, &t.topic, "refused", &as_reader).args(timeout),
        "Permission denied: user=reader",
        limit,
    ));

    // A wrong SCRAM password, from the environment (it wins over -F).
    let local = Target::Local(t.dir.join("local-store"));
    shown.push(refused(
        sink(&t.broker, &t.topic, "refused", &local)
            .args(timeout)
            .env("LOGMR_X_SASL_PASSWORD", "wrongS3cretXYZ"),
        "check sasl.username and sasl.password",
        limit,
    ));

    // A certificate no CA in ssl.ca.location signed: nothing produced.
    let other = t.broker.topic("secure-other-ca");
    let ca = format!("ssl.ca.location={}", s.other_ca.display());
    shown.push(refused(
        gen_to(&t.broker, &other, &["-n", "10", "-X", &ca]).args(timeout),
        "certificate verify failed",
        limit,
    ));
    assert_eq!(partition_count(&s.kafka, &other), None, "a topic was made");

    // A mistyped secret's key: bad usage, and the value is not shown.
    let typo = gen_to(
        &t.broker,
        &other,
        &["-n", "1", "-X", "sasl.passwordd=s3cr3tXYZ"],
    )
    .output()
    .unwrap();
    assert_eq!(typo.status.code(), Some(2), "{}", text(&typo));
    shown.push(text(&typo));

    // Nothing was written: no file under the stores, none in the local one.
    let listed = s
        .hadoop(ccache)
        .args(["fs", "-ls", "-R", &base])
        .output()
        .unwrap();
    let files: Vec<String> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .filter(|l| l.starts_with('-'))
        .map(String::from)
        .collect();
    assert!(files.is_empty(), "written: {files:?}");
    let local_files = std::fs::read_dir(t.dir.join("local-store"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(local_files, 0, "the local store holds files");
    assert_hidden(
        &shown.join("\n"),
        &[&s.kafka_password(), "wrongS3cretXYZ", "s3cr3tXYZ"],
    );
}
