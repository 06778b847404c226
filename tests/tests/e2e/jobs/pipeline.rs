//! `pipeline.sh`: the whole pipeline, on a broker it starts and on the
//! services' HDFS and YARN.

use super::*;

fn pipeline(args: &[&str]) -> Output {
    let bins = binary("logmr").parent().unwrap().to_path_buf();
    Command::new("bash")
        .arg(jobs().join("pipeline.sh"))
        .args(args)
        .env("LOGMR_BIN_DIR", bins)
        .output()
        .unwrap()
}

#[test]
fn the_whole_pipeline_starts_apache_kafka_and_checks_itself() {
    let dir = TempDir::new("jobs-pipeline");
    let store = dir.join("user/kafka/logs");
    let out = pipeline(&[
        "--count",
        "20000",
        "--format",
        "mixed",
        "--store",
        store.to_str().unwrap(),
    ]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("starting an Apache Kafka broker"),
        "{stderr}"
    );
    assert!(stderr.contains("2/3 logmr-sink"), "{stderr}");
    assert!(
        stdout.contains("check: equal to the generator's summary"),
        "{stdout}"
    );
    let total = stdout.lines().find(|l| l.trim_start().starts_with("total"));
    assert_eq!(
        total.map(|l| l.split_whitespace().collect::<Vec<_>>()),
        Some(vec!["total", "20000"]),
        "{stdout}"
    );

    // The store holds the sink's committed files, and the check saw them.
    let committed: Vec<_> = fs::read_dir(&store)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        !committed.is_empty()
            && committed
                .iter()
                .all(|n| n.starts_with("logs_machine+") && n.ends_with(".log")),
        "{committed:?}"
    );

    // A store that is not empty is refused: the check would be wrong. And
    // --force replaces the output only: the store is never deleted.
    let unrelated = store.join("dt=2024-12-10/kept.log");
    fs::create_dir_all(unrelated.parent().unwrap()).unwrap();
    fs::write(&unrelated, "[INFO] keep me\n").unwrap();
    for force in [&[][..], &["--force"]] {
        let mut args = vec!["--count", "10", "--store", store.to_str().unwrap()];
        args.extend(force);
        let again = pipeline(&args);
        assert_eq!(again.status.code(), Some(2), "{force:?}");
        assert!(text(&again.stderr).contains("is not empty"));
    }
    assert!(unrelated.is_file());
    let after: Vec<_> = fs::read_dir(&store)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("logs_machine+"))
        .collect();
    assert_eq!(after.len(), committed.len());
}

#[test]
fn the_pipeline_into_hdfs_counts_with_a_yarn_job() {
    let base = format!("/e2e/{}", unique("pipeline-hdfs"));
    let store = services().hdfs_url(&format!("{base}/logs"));
    let output = format!("{base}/logs_out");
    let mut cmd = Command::new("bash");
    cmd.arg(jobs().join("pipeline.sh"))
        .args(["--count", "5000", "--brokers", &services().kafka])
        .args(["--topic", &unique("pipeline_hdfs")])
        .args(["--store", &store, "--output", &output])
        .env("LOGMR_BIN_DIR", binary("logmr").parent().unwrap())
        .env("HADOOP_STREAMING_JAR", services().streaming_jar());
    services().hadoop_env(&mut cmd);
    let out = cmd.output().unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("3/3 logcount.sh: the Hadoop job"),
        "{stderr}"
    );
    assert!(
        stdout.contains("check: equal to the generator's summary"),
        "{stdout}"
    );
}

#[test]
fn pipeline_cluster_refuses_a_broker_or_store_of_its_own() {
    let out = pipeline(&["--cluster", "--brokers", "127.0.0.1:1"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("drop --brokers and --store"));
}

#[test]
fn services_refuse_an_unknown_flag_with_exit_2() {
    let dir = TempDir::new("services-flags");
    for command in ["start", "run"] {
        let out = Command::new("bash")
            .arg(workspace_root().join("tests/services/services.sh"))
            .arg(command)
            .arg(dir.path())
            .args(["--no-yarn", "--no-such-flag"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("unknown flag --no-such-flag"),
            "{}",
            text(&out.stderr)
        );
    }
}
