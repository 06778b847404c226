//! What the job scripts refuse or pass on before a job runs: an existing
//! or overlapping output, job names, setup errors, `-D` settings, an old
//! portable build, and the descriptors' paths.

use super::*;

/// The listing of an HDFS directory of the services, as paths.
fn listing(path: &str) -> Vec<String> {
    let store = HdfsStore::open(&services().hdfs_url(path)).unwrap();
    store.list().unwrap().into_iter().map(|e| e.path).collect()
}

#[test]
fn an_existing_output_needs_force() {
    let cluster = Cluster::new("force");
    let old = HdfsStore::open(&services().hdfs_url(&cluster.out("logs_out"))).unwrap();
    write_file(&old, "part-00000", b"OLD\t1\n");
    let out = cluster.logcount("logs_out", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("already exists; pass --force"));
    assert!(
        !text(&out.stderr).contains("running"),
        "no job was submitted: {}",
        text(&out.stderr)
    );

    let out = cluster.logcount("logs_out", &["--force"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stdout).contains("OLD"));
    // The old output goes to the trash when the cluster keeps one: no
    // -skipTrash unless asked for.
    let replacing = text(&out.stderr);
    let replacing = replacing
        .lines()
        .find(|l| l.contains("replacing the existing output"))
        .unwrap_or_else(|| panic!("{replacing}"));
    assert!(
        replacing.ends_with(&format!("fs -rm -r {}", cluster.out("logs_out"))),
        "{replacing}"
    );
    assert_eq!(
        sorted_lines(&text(&out.stdout)),
        sorted_lines(&reference(&cluster.inputs))
    );
}

#[test]
fn an_output_that_overlaps_an_input_is_refused_even_with_force() {
    let cluster = Cluster::new("overlap");
    let before = listing(&cluster.input());
    assert!(!before.is_empty());
    let input = cluster.input();
    let inside = format!("{input}/out");
    let glob = format!("{}/lo*", cluster.base);
    let relative_home = format!("/user/e2e-user/{}", cluster.base.trim_start_matches('/'));
    let comma_list = format!("{}/other,{input}", cluster.base);
    let hdfs_scheme = format!("hdfs:{input}");
    for (inputs, output) in [
        (vec![&input[..]], &input[..]),
        (vec![&input[..]], &cluster.base[..]),
        (vec![&input[..]], &inside[..]),
        (vec![&input[..]], "/"),
        (vec![&input[..]], "hdfs://elsewhere:8020/"),
        (vec![&glob[..]], &inside[..]),
        (
            vec![&input[..]],
            &format!(
                "{}/../{}/logs/.",
                cluster.base,
                cluster.base.rsplit('/').next().unwrap()
            )[..],
        ),
        (vec![&input[..]], &format!("{}/logs*", cluster.base)[..]),
        // Relative paths are under /user/NAME, as hadoop fs resolves them.
        (
            vec![&relative_home[..]],
            cluster.base.trim_start_matches('/'),
        ),
        // Before: a comma list, and a scheme with no authority (on either
        // side), slipped past the guard and the input was deleted.
        (vec![&comma_list[..]], &input[..]),
        (vec![&input[..]], &hdfs_scheme[..]),
        (vec![&hdfs_scheme[..]], &inside[..]),
        // The home directory itself (`fs -rm -r .`).
        (vec![&input[..]], "."),
    ] {
        let mut args = vec!["--force", "--output", output];
        for input in &inputs {
            args.extend(["--input", input]);
        }
        let out = cluster.run("logcount.sh", &args, &[("HADOOP_USER_NAME", "e2e-user")]);
        let stderr = text(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{inputs:?} -> {output}: {stderr}"
        );
        assert!(
            stderr.contains("overlaps the input")
                || stderr.contains("is the root directory")
                || stderr.contains("home directory")
                || stderr.contains("glob characters"),
            "{stderr}"
        );
        assert!(
            !stderr.contains("running"),
            "no job was submitted: {stderr}"
        );
    }
    // -D settings: more input, and a variable the system reads.
    let counted = cluster.out("counted-d");
    for (setting, output, why) in [
        (
            format!("mapreduce.input.fileinputformat.inputdir={input}"),
            &inside[..],
            "overlaps the input",
        ),
        ("LD.PRELOAD=/x.so".to_string(), &counted[..], "LD_PRELOAD"),
    ] {
        let args = [
            "--force", "--input", &input, "--output", output, "-D", &setting,
        ];
        let out = cluster.run("logcount.sh", &args, &[]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{setting}: {stderr}");
        assert!(
            stderr.contains(why) && !stderr.contains("running"),
            "{stderr}"
        );
    }
    assert_eq!(listing(&cluster.input()), before, "the input is intact");

    // A glob that cannot match the output does not stop the job.
    let other = format!("{}/nothing-*", cluster.base);
    let out = cluster.run(
        "logcount.sh",
        &[
            "--input",
            &input,
            "--input",
            &other,
            "--output",
            &cluster.out("counted"),
        ],
        &[],
    );
    assert!(
        !text(&out.stderr).contains("overlaps"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn job_names_are_names_in_jobs_not_paths() {
    // A well-formed descriptor outside jobs/, reached with `..`.
    let dir = TempDir::new("jobs-outside");
    fs::write(
        dir.join("evil.job"),
        "mapper=logmr map\nreducer=logmr reduce\ninput=/in\noutput=/user\n",
    )
    .unwrap();
    let outside = format!("{}{}", "../".repeat(30), dir.join("evil").display());
    for (script, name) in [
        ("job.sh", "../../x"),
        ("job.sh", "*"),
        ("job.sh", &outside[..]),
        ("job-local.sh", &outside[..]),
    ] {
        let out = Command::new("bash")
            .arg(jobs().join(script))
            .arg(name)
            .env("LOGMR_BIN", binary("logmr"))
            .output()
            .unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{script} {name}: {stderr}");
        assert!(
            stderr.contains(
                "the jobs are: levels-by-hour levels-by-minute logcount sources templates"
            ),
            "{stderr}"
        );
    }
}

#[test]
fn setup_errors_are_named() {
    let cluster = Cluster::new("setup");
    let out = cluster.run(
        "logcount.sh",
        &[],
        &[
            ("HADOOP_STREAMING_JAR", ""),
            ("HADOOP_HOME", "/nonexistent"),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("no streaming jar"));

    let out = cluster.run(
        "logcount.sh",
        &[],
        &[("HADOOP_STREAMING_JAR", "/nonexistent/hadoop-streaming.jar")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("does not exist"));

    for bad in [
        &["--reducers", "0"][..],
        &["-D", "novalue"],
        &["--bogus"],
        &["--output"],
    ] {
        let out = cluster.run("logcount.sh", bad, &[]);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", text(&out.stderr));
        assert!(!text(&out.stderr).contains("running"), "{bad:?}");
    }

    let help = cluster.run("logcount.sh", &["--help"], &[]);
    assert!(help.status.success());
    assert!(text(&help.stdout).contains("[default: /user/kafka/logs]"));
}

/// `bash hadoop-jobs/SCRIPT ARGS` with a stand-in `hadoop` on PATH that
/// records each call (its `fs -test` says the output exists); the output
/// and the calls, one a line.
fn with_recording_hadoop(label: &str, script: &str, args: &[&str]) -> (Output, String) {
    let dir = TempDir::new(label);
    let bin = dir.join("bin");
    fs::create_dir(&bin).unwrap();
    let calls = dir.join("calls");
    fs::write(
        bin.join("hadoop"),
        format!("#!/bin/sh\necho \"$*\" >> '{}'\nexit 0\n", calls.display()),
    )
    .unwrap();
    fs::set_permissions(
        bin.join("hadoop"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let jar = dir.join("streaming.jar");
    fs::write(&jar, "").unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let out = Command::new("bash")
        .arg(jobs().join(script))
        .args(args)
        .env("PATH", path)
        .env("HADOOP_STREAMING_JAR", &jar)
        .env_remove("HADOOP_HOME")
        .env("LOGMR_BIN", binary("logmr"))
        .output()
        .unwrap();
    (out, fs::read_to_string(&calls).unwrap_or_default())
}

#[test]
fn every_hadoop_call_of_a_job_gets_its_d_settings() {
    // Before: -D reached `hadoop jar` only, so with -D fs.defaultFS the
    // output was tested, deleted and read on another cluster than the
    // job's.
    let (out, calls) = with_recording_hadoop(
        "jobs-generic",
        "logcount.sh",
        &[
            "--input",
            "/in",
            "--output",
            "/out",
            "--force",
            "-D",
            "fs.defaultFS=hdfs://other:8020",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<&str> = calls.lines().collect();
    // fs -test, fs -rm (the output "exists"), jar, fs -cat.
    assert_eq!(lines.len(), 4, "{calls}");
    for line in lines {
        assert!(line.contains("-D fs.defaultFS=hdfs://other:8020"), "{line}");
    }
}

#[test]
fn a_setting_a_task_would_refuse_stops_the_job_before_it_is_submitted() {
    // Before: the templates job with a `:` map separator ran on YARN and
    // failed there (35 s, every map task), the reason in the task logs.
    let (out, calls) = with_recording_hadoop(
        "jobs-refused",
        "job.sh",
        &[
            "templates",
            "--input",
            "/in",
            "--output",
            "/out",
            "-D",
            "stream.map.output.field.separator=:",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("can occur inside keys"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(calls, "", "nothing reached hadoop");
    let (out, _) = with_recording_hadoop(
        "jobs-accepted",
        "job.sh",
        &[
            "logcount",
            "--input",
            "/in",
            "--output",
            "/out",
            "--force",
            "-D",
            "stream.map.output.field.separator=:",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn a_portable_build_older_than_the_sources_is_not_shipped() {
    // Before: the scripts shipped the portable build whenever it existed,
    // even one built before the sources changed (old code on the nodes).
    let dir = TempDir::new("jobs-stale-portable");
    let copy = |from: &Path, to: &Path| {
        let status = Command::new("cp")
            .arg("-r")
            .arg(from)
            .arg(to)
            .status()
            .unwrap();
        assert!(status.success());
    };
    copy(&jobs(), &dir.join("hadoop-jobs"));
    fs::create_dir_all(dir.join("mr/src")).unwrap();
    fs::write(dir.join("mr/src/lib.rs"), "").unwrap();
    fs::write(dir.join("mr/Cargo.toml"), "").unwrap();
    fs::write(dir.join("Cargo.lock"), "").unwrap();
    let portable = dir.join("target/x86_64-unknown-linux-gnu/release");
    fs::create_dir_all(&portable).unwrap();
    copy(&binary("logmr"), &portable.join("logmr"));
    fs::write(dir.join("in.log"), "[INFO] a\n").unwrap();
    let touch = |when: &str, path: &Path| {
        let status = Command::new("touch")
            .args(["-d", when])
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success());
    };
    let local = || {
        Command::new("bash")
            .arg(dir.join("hadoop-jobs/logcount-local.sh"))
            .arg(dir.join("in.log"))
            .env_remove("LOGMR_BIN")
            .output()
            .unwrap()
    };
    touch("2020-01-01", &portable.join("logmr"));
    let out = local();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("older than the sources"),
        "{}",
        text(&out.stderr)
    );
    touch("now", &portable.join("logmr"));
    let out = local();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "INFO\t1\n");
}

/// Every descriptor's paths are valid HDFS paths, and the job scripts'
/// README names each job's output.
#[test]
fn every_descriptor_has_valid_paths_that_the_readme_names() {
    let readme = fs::read_to_string(jobs().join("README.md")).unwrap();
    for entry in fs::read_dir(jobs().join("jobs")).unwrap() {
        let path = entry.unwrap().path();
        let text = fs::read_to_string(&path).unwrap();
        for key in ["input=", "output="] {
            let value = text
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .unwrap_or_else(|| panic!("{}: no {key}", path.display()));
            assert!(
                value.starts_with('/')
                    && value.len() > 1
                    && !value.contains("//")
                    && value.split('/').skip(1).all(|c| !c.is_empty()
                        && c.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b))),
                "{}: {key}{value} is not a plain absolute path",
                path.display()
            );
            if key == "output=" {
                assert!(
                    readme.contains(value),
                    "hadoop-jobs/README.md does not name {value} ({})",
                    path.display()
                );
            }
        }
    }
}
