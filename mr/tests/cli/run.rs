//! `logmr run`: equal to the pipeline, and its runs past the memory bound.

use crate::util::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// The real binary on random logs, random task sizes and thread counts,
    /// with and without group-by keys, prints what the pipeline prints.
    #[test]
    fn run_equals_the_pipeline(text in log_text(), chunk in 1usize..300, jobs in 1u16..5, keyed in any::<bool>()) {
        let dir = TempDir::new("cli");
        let half = text.len() / 2;
        let a = dir.write("a.log", &text[..half]);
        let b = dir.write("b.log", &text[half..]);
        let flags: &[&str] = if keyed { &["--by", "level,minute,source", "--year", "2024"] } else { &[] };
        let want = pipeline_result(flags, &[a.clone(), b.clone()]);
        let out = run_cmd(
            logmr()
                .arg("run")
                .args(flags)
                .args(["--chunk-size", &chunk.to_string(), "--jobs", &jobs.to_string()])
                .args([&a, &b]),
            b"",
        );
        prop_assert!(out.status.success(), "{}", stderr(&out));
        prop_assert_eq!(out.stdout, want);
    }
}

/// `run --by` past its memory bound writes sorted runs to temporary files
/// and merges them: the output is the one table's, the files are gone,
/// and a temporary directory that cannot be written is a clear error.
/// 300,000 lines of 200,000 keys, which `run --by level,template
/// --memory 1M` writes as tens of runs; a scratch directory and an empty
/// `tmp` inside it for TMPDIR.
fn many_keys() -> (TempDir, PathBuf, String) {
    let input = (0..300_000)
        .map(|i| format!("[INFO] user {}\n", word(i % 200_000)))
        .collect();
    let dir = TempDir::new("cli");
    let tmp = dir.join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    (dir, tmp, input)
}

#[test]
fn the_merge_of_many_runs_holds_no_file_open_per_run() {
    // Before: the merge opened the run file once per run, and 28 runs
    // under `ulimit -n 16` ended in "Too many open files".
    let (dir, tmp, input) = many_keys();
    let file = dir.write("app.log", input.as_bytes());
    let whole = run(
        &["run", "--by", "level,template", file.to_str().unwrap()],
        b"",
    );
    let limited = Command::new("bash")
        .arg("-c")
        .arg("ulimit -n 16 && exec \"$0\" run -j 1 --by level,template --memory 1M \"$1\"")
        .arg(env!("CARGO_BIN_EXE_logmr"))
        .arg(&file)
        .env("TMPDIR", &tmp)
        .output()
        .unwrap();
    let err = stderr(&limited);
    assert!(limited.status.success(), "{err}");
    let runs: u32 = err
        .split(" sorted run(s)")
        .next()
        .and_then(|head| head.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of runs: {err}"));
    assert!(runs > 16, "{runs} runs: too few to pass the limit");
    assert_eq!(limited.stdout, whole.stdout);
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0);
}

#[test]
fn run_files_are_left_nowhere_when_the_run_is_stopped() {
    // Before: SIGTERM in the middle of a run left its run files (0644) in
    // TMPDIR. Now they leave the directory as they are made.
    let (_dir, tmp, input) = many_keys();
    let mut child = logmr()
        .args([
            "run",
            "-j",
            "1",
            "--by",
            "level,template",
            "--memory",
            "1M",
            "-",
        ])
        .env("TMPDIR", &tmp)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The input stays open: the run is still reading when it is stopped.
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    drop(stdin);
    assert!(!out.status.success(), "stopped by SIGTERM");
    let left: Vec<_> = std::fs::read_dir(&tmp)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn run_by_merges_runs_written_past_the_memory_bound() {
    let input: String = (0..60_000)
        .map(|i| {
            let level = if i % 3 == 0 { "WARN" } else { "INFO" };
            format!("[{level}] user {}\n", word(i % 40_000))
        })
        .collect();
    let dir = TempDir::new("cli");
    let file = dir.write("app.log", input.as_bytes());
    let tmp = dir.join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let file = file.to_str().unwrap();
    let whole = run(&["run", "--by", "level,template", file], b"");
    assert!(whole.stdout.split(|&b| b == b'\n').count() > 40_000);
    for jobs in ["1", "2"] {
        let spilled = run_cmd(
            logmr()
                .args([
                    "run",
                    "-j",
                    jobs,
                    "--by",
                    "level,template",
                    "--memory",
                    "1M",
                ])
                .args(["--chunk-size", "256K", file])
                .env("TMPDIR", &tmp),
            b"",
        );
        assert!(spilled.status.success(), "{}", stderr(&spilled));
        assert!(
            stderr(&spilled).contains("sorted run(s)"),
            "{}",
            stderr(&spilled)
        );
        assert_eq!(spilled.stdout, whole.stdout, "-j {jobs}");
        assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0);
    }
    let missing = run_cmd(
        logmr()
            .args(["run", "--by", "level,template", "--memory", "1M", file])
            .env("TMPDIR", dir.join("missing")),
        b"",
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("cannot write ")
            && stderr(&missing).contains("missing/logmr-run-"),
        "{}",
        stderr(&missing)
    );
}
