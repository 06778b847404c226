//! `spark-job.sh`: the jobs on Spark, read as the YARN job reads them.

use super::*;

/// The Spark job reads what the Streaming job reads: plain, gzip and
/// bzip2 files of a directory and its subdirectories, not its `_` and `.`
/// files; on YARN (one reducer), on Spark and with `logmr run` the result
/// is the same bytes.
#[test]
fn the_spark_job_reads_compressed_files_and_directories_as_the_yarn_job_does() {
    use std::io::Write;
    let cluster = Cluster::new("spark-inputs");
    let local = TempDir::new("jobs-spark-inputs");
    let logs = HdfsStore::open(&services().hdfs_url(&cluster.out("mixed"))).unwrap();
    let data = workspace_root().join("mr/tests/data");
    let plain = fs::read(data.join("seed.log")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&fs::read(data.join("log4j.log")).unwrap())
        .unwrap();
    let gz = gz.finish().unwrap();
    let bz2 = Command::new("bzip2")
        .arg("-c")
        .arg(data.join("syslog.log"))
        .output()
        .unwrap();
    assert!(bz2.status.success(), "bzip2: {}", text(&bz2.stderr));
    for (name, bytes) in [
        ("seed.log", &plain[..]),
        ("log4j.log.gz", &gz[..]),
        ("syslog.log.bz2", &bz2.stdout[..]),
    ] {
        write_file(&logs, name, bytes);
        fs::write(local.join(name), bytes).unwrap();
    }
    write_file(&logs, "_logs_machine+0.tmp", b"[ERROR] half-written\n");
    write_file(&logs, ".hidden.log", b"[ERROR] hidden\n");
    // A day of a --date-partition store, read whole (CombineTextInputFormat
    // alone passes a subdirectory over), and a hidden one, not read.
    let python = fs::read(data.join("python.log")).unwrap();
    for (dir, visible) in [("dt=2024-12-10", true), ("_temporary", false)] {
        let day = HdfsStore::open(&services().hdfs_url(&format!("{}/{dir}", cluster.out("mixed"))))
            .unwrap();
        write_file(&day, "python.log", &python);
        if visible {
            fs::create_dir(local.join(dir)).unwrap();
            fs::write(local.join(dir).join("python.log"), &python).unwrap();
        }
    }
    let input = cluster.out("mixed");
    let output = cluster.out("mixed-out");
    let yarn = cluster.run(
        "job.sh",
        &["templates", "--input", &input, "--output", &output],
        &[],
    );
    assert!(yarn.status.success(), "{}", text(&yarn.stderr));
    // With --output, the result is also written there, as Spark writes text.
    let spark_output = services().hdfs_url(&cluster.out("spark-out"));
    let spark = cluster.run(
        "spark-job.sh",
        &[
            "templates",
            "--input",
            &services().hdfs_url(&input),
            "--output",
            &spark_output,
        ],
        &[],
    );
    assert!(spark.status.success(), "{}", text(&spark.stderr));
    let written = services()
        .hadoop()
        .args(["fs", "-cat", &format!("{spark_output}/part-*")])
        .output()
        .unwrap();
    assert!(written.status.success(), "{}", text(&written.stderr));
    // The output holds the job's table of pre-templates; what is printed is
    // the table the step after the job (logmr templates) learns from it.
    let learned = run_with_stdin(
        Command::new(binary("logmr")).args(["templates", "--by", "level,template"]),
        &written.stdout,
    );
    assert!(learned.status.success(), "{}", text(&learned.stderr));
    assert_eq!(
        text(&learned.stdout),
        text(&spark.stdout),
        "--output, learned, and stdout"
    );
    let run = Command::new(binary("logmr"))
        .args(["run", "--by", "level,template"])
        .arg(local.path())
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert!(text(&run.stdout).contains("INFO|"), "{}", text(&run.stdout));
    assert_eq!(text(&yarn.stdout), text(&run.stdout), "YARN and logmr run");
    assert_eq!(
        text(&spark.stdout),
        text(&run.stdout),
        "Spark and logmr run"
    );
}

/// A task whose logmr fails fails the Spark job (exit 1), with the task's
/// reason; an unknown job is named with the list of jobs (exit 2).
#[test]
fn a_failing_mapper_fails_the_spark_job_with_its_reason() {
    let cluster = Cluster::new("spark-fails");
    let dir = TempDir::new("jobs-spark-fails");
    let failing = dir.join("logmr");
    fs::write(
        &failing,
        "#!/bin/sh\necho 'logmr: the disk is on fire' >&2\nexit 3\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&failing, fs::Permissions::from_mode(0o755)).unwrap();
    let input = services().hdfs_url(&cluster.input());
    let out = cluster.run(
        "spark-job.sh",
        &[
            "logcount",
            "--input",
            &input,
            "--logmr",
            failing.to_str().unwrap(),
        ],
        &[],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("exited with code 3: logmr: the disk is on fire"),
        "{stderr}"
    );
    assert!(stderr.contains("the Spark job failed"), "{stderr}");
    assert!(out.stdout.is_empty());

    let unknown = cluster.run("spark-job.sh", &["nosuchjob"], &[]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        text(&unknown.stderr).contains("the jobs are:"),
        "{}",
        text(&unknown.stderr)
    );
}
