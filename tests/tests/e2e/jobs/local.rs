//! `logcount-local.sh` and `job-local.sh`: the job on one machine.

use super::*;

#[test]
fn logcount_local_counts_files_directories_and_stdin() {
    let data = workspace_root().join("mr/tests/data");
    let files: Vec<PathBuf> = fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let want = reference(&files);
    let local = |args: &[&str]| {
        let mut cmd = Command::new("bash");
        cmd.arg(jobs().join("logcount-local.sh"))
            .args(args)
            .env("LOGMR_BIN", binary("logmr"));
        cmd
    };

    let out = local(&[data.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), want);

    let mut all = Vec::new();
    for file in &files {
        all.extend(fs::read(file).unwrap());
    }
    let out = run_with_stdin(&mut local(&[]), &all);
    assert!(out.status.success());
    assert_eq!(text(&out.stdout), want);

    let dir = TempDir::new("jobs-local");
    let result = dir.join("out");
    let args = ["--output", result.to_str().unwrap(), data.to_str().unwrap()];
    assert!(local(&args).output().unwrap().status.success());
    assert_eq!(fs::read_to_string(result.join("part-00000")).unwrap(), want);
    let again = local(&args).output().unwrap();
    assert_eq!(
        again.status.code(),
        Some(2),
        "an existing output needs --force"
    );

    let missing = local(&["/no/such/file"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("/no/such/file"));

    // A symbolic link to the directory counts as the directory.
    let link = dir.join("link");
    std::os::unix::fs::symlink(&data, &link).unwrap();
    let out = local(&[link.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), want);

    // An empty directory: an empty result and a warning, not a failure.
    let empty = dir.join("empty");
    fs::create_dir(&empty).unwrap();
    let out = local(&[empty.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("hold no files"));
}

/// `logmr run` and `logcount-local.sh` read a tree the same way: links and
/// FIFOs inside a directory passed over, each file once however many paths
/// reach it. `run` once counted a file per path (3x here) and hung on two
/// link loops.
#[test]
fn the_local_runners_count_each_file_once() {
    use std::os::unix::fs::symlink;
    let dir = TempDir::new("jobs-local-once");
    let logs = dir.join("logs");
    fs::create_dir_all(logs.join("2024-12-10")).unwrap();
    fs::write(logs.join("2024-12-10/a.log"), "[ERROR] a\n[INFO] b\n").unwrap();
    fs::write(logs.join("b.log"), "[WARN] c\n").unwrap();
    fs::hard_link(logs.join("b.log"), logs.join("b-again.log")).unwrap();
    symlink("2024-12-10", logs.join("latest")).unwrap();
    symlink("2024-12-10/a.log", logs.join("current.log")).unwrap();
    symlink(".", logs.join("loop-x")).unwrap();
    symlink(".", logs.join("loop-y")).unwrap();
    logmr_harness::mkfifo(&logs.join("pipe"));
    let logs_arg = logs.to_str().unwrap();
    let current = logs.join("current.log");
    let args = [logs_arg, current.to_str().unwrap()];
    let want = "ERROR\t1\nINFO\t1\nWARN\t1\n";

    let run = Command::new(binary("logmr"))
        .arg("run")
        .args(args)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert_eq!(text(&run.stdout), want);

    let local = Command::new("bash")
        .arg(jobs().join("logcount-local.sh"))
        .args(args)
        .env("LOGMR_BIN", binary("logmr"))
        .output()
        .unwrap();
    assert!(local.status.success(), "{}", text(&local.stderr));
    assert_eq!(text(&local.stdout), want);
    for out in [&run, &local] {
        assert!(
            text(&out.stderr).contains("is the same file as"),
            "{}",
            text(&out.stderr)
        );
    }
}

#[test]
fn logcount_local_never_deletes_input_and_keeps_settings_to_the_tasks() {
    let dir = TempDir::new("jobs-local-safety");
    let input = dir.join("in");
    fs::create_dir_all(input.join("sub")).unwrap();
    fs::write(input.join("a.log"), "[ERROR] a\n[INFO] b\n").unwrap();
    fs::write(input.join("sub/b.log"), "[WARN] c\n").unwrap();
    fs::create_dir(dir.join("elsewhere")).unwrap();
    std::os::unix::fs::symlink(&input, dir.join("link")).unwrap();
    let local_cmd = |args: &[&str]| {
        let mut cmd = Command::new("bash");
        cmd.arg(jobs().join("logcount-local.sh"))
            .args(args)
            .current_dir(dir.path())
            .env("LOGMR_BIN", binary("logmr"));
        cmd
    };
    let local = |args: &[&str]| local_cmd(args).output().unwrap();
    for args in [
        &["--force", "--output", "in", "in"][..],
        &["--force", "--output", "in/sub", "in"],
        &["--force", "--output", ".", "in"],
        &["--force", "--output", "link/out", "in"],
        &["--force", "--output", "elsewhere", "elsewhere/..", "in"],
        &["--force", "--output", "/"],
    ] {
        let out = local(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    assert_eq!(
        fs::read_to_string(input.join("sub/b.log")).unwrap(),
        "[WARN] c\n"
    );
    assert!(input.join("a.log").is_file() && dir.join("elsewhere").is_dir());

    // The same input under another name: a bind mount, and the file that
    // standard input reads. Before, --force deleted them.
    let bind = dir.join("bind");
    fs::create_dir(&bind).unwrap();
    let mounted = Command::new("mount")
        .arg("--bind")
        .arg(&input)
        .arg(&bind)
        .status()
        .unwrap();
    assert!(mounted.success(), "mount --bind (the tests run as root)");
    let out = local(&["--force", "--output", "bind", "in"]);
    let unmounted = Command::new("umount").arg(&bind).status().unwrap();
    assert!(unmounted.success());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("bind mount"),
        "{}",
        text(&out.stderr)
    );
    let out = local_cmd(&["--force", "--output", "in"])
        .stdin(fs::File::open(input.join("a.log")).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("standard input"),
        "{}",
        text(&out.stderr)
    );
    assert!(input.join("a.log").is_file() && input.join("sub/b.log").is_file());

    // A logmr whose path holds a space runs every task.
    let spaced = dir.join("my tools");
    fs::create_dir(&spaced).unwrap();
    fs::copy(binary("logmr"), spaced.join("logmr")).unwrap();
    let out = local_cmd(&["--logmr", spaced.join("logmr").to_str().unwrap(), "in"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "ERROR\t1\nINFO\t1\nWARN\t1\n");

    // Settings reach the tasks only, and only Hadoop-style names: a PATH
    // that would choose the script's own `sort` is refused.
    let evil = dir.join("evil");
    fs::create_dir(&evil).unwrap();
    let marker = dir.join("sort-ran");
    fs::write(
        evil.join("sort"),
        format!(
            "#!/bin/sh\ntouch {}\nexec /usr/bin/sort \"$@\"\n",
            marker.display()
        ),
    )
    .unwrap();
    fs::set_permissions(
        evil.join("sort"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    // LD.PRELOAD passed as a dotted name and reached the tasks as
    // LD_PRELOAD.
    for key in [
        "PATH",
        "LD_PRELOAD",
        "LD.PRELOAD",
        "IFS",
        "a..b",
        "stream.x y",
    ] {
        let define = format!("{key}={}:/usr/bin:/bin", evil.display());
        let out = local(&["-D", &define, "in"]);
        assert_eq!(out.status.code(), Some(2), "{key}: {}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("Hadoop setting")
                || text(&out.stderr).contains("which the system reads"),
            "{}",
            text(&out.stderr)
        );
    }
    assert!(!marker.exists(), "the fake sort ran");

    // A key with a `-`, and a map separator: the tasks see them as Hadoop
    // passes them, and the counts are those of the plain run.
    let plain = local(&["in"]);
    assert!(plain.status.success(), "{}", text(&plain.stderr));
    let out = local(&[
        "-D",
        "yarn.app.mapreduce.am.command-opts=-Xmx1g",
        "-D",
        "stream.map.output.field.separator=:",
        "in",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), text(&plain.stdout));
    assert_eq!(text(&plain.stdout), "ERROR\t1\nINFO\t1\nWARN\t1\n");
}

#[test]
fn the_job_scripts_pass_year_to_the_mapper_and_refuse_what_it_refuses() {
    let dir = TempDir::new("jobs-year");
    let log = dir.join("syslog.log");
    fs::write(&log, "Dec 10 14:33:21 web1 sshd[1]: error: x\n").unwrap();
    let local = |year: &str| {
        Command::new("bash")
            .arg(jobs().join("job-local.sh"))
            .args(["levels-by-hour", "--year", year])
            .arg(&log)
            .env("LOGMR_BIN", binary("logmr"))
            .output()
            .unwrap()
    };
    let out = local("2023");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "ERROR|2023-12-10T14\t1\n");
    let out = local("23");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("four digits"),
        "{}",
        text(&out.stderr)
    );
}
