//! The Hadoop Streaming contract: separators, counters, the combiner, exit
//! codes, a full disk and a closed stdout.

use crate::util::*;

#[test]
fn separators_come_from_hadoop_environment_and_flags() {
    let seed = data("seed.log");
    let seed = seed.to_str().unwrap();
    let out = run_cmd(
        logmr()
            .args(["map", seed])
            .env("stream_map_output_field_separator", ","),
        b"",
    );
    assert_eq!(stdout(&out), "DEBUG,1\nERROR,2\nINFO,3\nWARN,2\n");
    let out = run(&["map", "-s", "\\t", seed], b"");
    assert_eq!(stdout(&out), counts("DEBUG 1, ERROR 2, INFO 3, WARN 2"));
    // A job setting is literal, as Hadoop takes it: `\t` there is a
    // backslash and a t, which Hadoop splits on, not a TAB.
    let out = run_cmd(
        logmr()
            .args(["map", seed])
            .env("stream_map_output_field_separator", "\\t"),
        b"",
    );
    assert_eq!(stdout(&out), "DEBUG\\t1\nERROR\\t2\nINFO\\t3\nWARN\\t2\n");
    let out = run_cmd(
        logmr()
            .arg("reduce")
            .env("stream_reduce_input_field_separator", "\\t")
            .env("stream_reduce_output_field_separator", "\\t"),
        b"INFO\\t1\nINFO\\t2\n",
    );
    assert_eq!(stdout(&out), "INFO\\t3\n");
    // The flag still wins over the job setting.
    let out = run_cmd(
        logmr()
            .args(["map", "-s", ";", seed])
            .env("stream_map_output_field_separator", ","),
        b"",
    );
    assert_eq!(stdout(&out), "DEBUG;1\nERROR;2\nINFO;3\nWARN;2\n");
    // `|` joins the parts of a composite key: as a separator Hadoop would
    // split the key there (the general rule: hadoop_splits_every_key_...).
    let out = run_cmd(
        logmr()
            .args(["map", "--by", "level,hour", seed])
            .env("stream_map_output_field_separator", "|"),
        b"",
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("can occur inside keys"),
        "{}",
        stderr(&out)
    );
    assert!(
        run(&["map", "--by", "source", "-s", "|", seed], b"")
            .status
            .success(),
        "one part: no `|` in the keys"
    );
    let out = run_cmd(
        logmr()
            .arg("reduce")
            .env("stream_reduce_input_field_separator", "::")
            .env("stream_reduce_output_field_separator", "|"),
        b"a::1\na::2\n",
    );
    assert_eq!(stdout(&out), "a|3\n");
    let out = run(
        &[
            "reduce",
            "--input-separator",
            ",",
            "--output-separator",
            "=",
        ],
        b"a,1\n",
    );
    assert_eq!(stdout(&out), "a=1\n");
    // A digit in a separator would be found inside the counts.
    for (args, env) in [
        (&["map", "-s", "1", seed][..], None),
        (
            &["map", seed],
            Some(("stream_map_output_field_separator", "1")),
        ),
        (&["reduce", "--input-separator", "x9"], None),
        (
            &["reduce"],
            Some(("stream_reduce_output_field_separator", "0")),
        ),
    ] {
        let mut cmd = logmr();
        cmd.args(args);
        if let Some((key, value)) = env {
            cmd.env(key, value);
        }
        let out = run_cmd(&mut cmd, b"INFO\t13\n");
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?} {env:?}: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).contains("must not contain a digit"),
            "{}",
            stderr(&out)
        );
    }
}

/// Every sample layout in one input.
fn all_samples() -> Vec<u8> {
    let mut names: Vec<_> = std::fs::read_dir(data(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    names.sort();
    names
        .iter()
        .flat_map(|p| std::fs::read(p).unwrap())
        .collect()
}

#[test]
fn hadoop_splits_every_key_at_the_separator_or_the_separator_is_refused() {
    // Hadoop cuts a map output line at the first occurrence of the
    // separator. For each key spec and separator, logmr map either refuses
    // it (exit 2) or writes lines that, cut as Hadoop cuts them, give the
    // keys and counts of a TAB-separated run: no line is lost.
    let dir = TempDir::new("cli");
    let input = dir.write("all.log", &all_samples());
    let input = input.to_str().unwrap();
    let (mut refused, mut accepted) = (0, 0);
    for spec in [
        "level",
        "level,hour",
        "minute,level",
        "day",
        "source",
        "template",
        "level,source",
    ] {
        let tab = run(&["map", "--by", spec, input], b"");
        assert!(tab.status.success(), "{spec}: {}", stderr(&tab));
        for sep in [
            ":", "-", " ", ",", "|", "::", "T:", "\t", "A", "x", "\x01", "=>", "I", "/",
        ] {
            let out = run(&["map", "--by", spec, "-s", sep, input], b"");
            if out.status.code() == Some(2) {
                assert!(
                    stderr(&out).contains("can occur inside keys"),
                    "{spec} {sep}: {}",
                    stderr(&out)
                );
                refused += 1;
                continue;
            }
            assert!(out.status.success(), "{spec} {sep}: {}", stderr(&out));
            accepted += 1;
            let sep = logmr::streaming::parse_separator(sep).unwrap();
            let cut: Vec<u8> = out
                .stdout
                .split_inclusive(|&b| b == b'\n')
                .flat_map(|line| {
                    let at = line
                        .windows(sep.len())
                        .position(|w| w == sep.as_slice())
                        .unwrap();
                    [&line[..at], b"\t", &line[at + sep.len()..]].concat()
                })
                .collect();
            assert_eq!(
                String::from_utf8_lossy(&cut),
                String::from_utf8_lossy(&tab.stdout),
                "{spec} with separator {sep:?}"
            );
        }
    }
    assert!(
        refused > 10 && accepted > 10,
        "refused {refused}, accepted {accepted}"
    );
}

#[test]
fn counters_appear_inside_a_hadoop_task_only() {
    let seed = data("seed.log");
    let local = run(&["map", seed.to_str().unwrap()], b"");
    assert!(!stderr(&local).contains("reporter:"), "{}", stderr(&local));
    let task = run_cmd(
        logmr()
            .args(["map", seed.to_str().unwrap()])
            .env("mapreduce_task_attempt_id", "attempt_1_0001_m_000000_0"),
        b"",
    );
    let err = stderr(&task);
    let size = std::fs::metadata(&seed).unwrap().len();
    for want in [
        "reporter:counter:logmr,map_lines,8\n".to_string(),
        format!("reporter:counter:logmr,map_bytes,{size}\n"),
        "reporter:counter:logmr,map_unknown_level_lines,0\n".to_string(),
        "reporter:counter:logmr,map_long_lines,0\n".to_string(),
    ] {
        assert!(err.contains(&want), "missing {want:?} in {err}");
    }
    // The last status line says the task is done, with its final figures.
    let last_status = err.lines().rfind(|l| l.starts_with("reporter:status:"));
    assert_eq!(
        last_status,
        Some(format!("reporter:status:logmr map: done, 8 lines, {size} B").as_str()),
        "{err}"
    );
    assert_eq!(stdout(&task), stdout(&local));
}

#[test]
fn the_combiner_counts_apart_from_the_reducer() {
    let input = b"INFO\t1\nINFO\t2\n";
    let reducer = run_cmd(
        logmr()
            .arg("reduce")
            .env("mapreduce_task_attempt_id", "attempt_1_0001_r_000000_0")
            .env("mapreduce_task_ismap", "false"),
        input,
    );
    assert!(
        stderr(&reducer).contains("reporter:counter:logmr,reduce_lines,2\n"),
        "{}",
        stderr(&reducer)
    );
    let combiner = run_cmd(
        logmr()
            .arg("reduce")
            .env("mapreduce_task_attempt_id", "attempt_1_0001_m_000000_0")
            .env("mapreduce_task_ismap", "true"),
        input,
    );
    let err = stderr(&combiner);
    assert!(
        err.contains("reporter:counter:logmr,combine_lines,2\n"),
        "{err}"
    );
    assert!(!err.contains("reduce_lines"), "{err}");
    assert_eq!(stdout(&combiner), stdout(&reducer));
}

#[test]
fn exit_codes() {
    let out = run(&["map", "/nonexistent/input.log"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot read /nonexistent/input.log"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());

    assert_eq!(run(&["map", "--no-such-flag"], b"").status.code(), Some(2));
    assert_eq!(run(&["map", "--levels", "a1"], b"").status.code(), Some(2));
    assert_eq!(run(&["map", "--field", "0"], b"").status.code(), Some(2));
    assert_eq!(run(&["map", "-s", ""], b"").status.code(), Some(2));
    assert_eq!(run(&["--help"], b"").status.code(), Some(0));

    // A directory is read for its files; an empty one is said to be.
    let dir = TempDir::new("cli");
    let out = run(&["reduce", dir.path().to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no files to read"),
        "{}",
        stderr(&out)
    );
    dir.write("part-00000", b"INFO\t2\n");
    let out = run(&["reduce", dir.path().to_str().unwrap()], b"");
    assert_eq!(stdout(&out), "INFO\t2\n");
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_an_error() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    for args in [&["map"][..], &["map", "--emit-each"], &["reduce"]] {
        let out = logmr()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(full.try_clone().unwrap())
            .stderr(Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                child.stdin.take().unwrap().write_all(b"INFO\t1\n")?;
                child.wait_with_output()
            })
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&out).contains("cannot write output"),
            "{}",
            stderr(&out)
        );
    }
}

#[cfg(target_os = "linux")]
#[test]
fn output_that_cannot_be_written_is_an_error_not_a_silent_loss() {
    let seed = data("seed.log");
    // stdout closed (`>&-`), and help to a full disk.
    for redirect in [">&-", ">/dev/full"] {
        for args in ["map SEED", "--help", "levels"] {
            let script = format!(
                "\"$0\" {} {redirect}; echo \"status=$?\" >&2",
                args.replace("SEED", "\"$1\"")
            );
            let out = Command::new("bash")
                .arg("-c")
                .arg(&script)
                .arg(env!("CARGO_BIN_EXE_logmr"))
                .arg(&seed)
                .output()
                .unwrap();
            let err = stderr(&out);
            assert!(err.ends_with("status=1\n"), "{args} {redirect}: {err}");
            assert!(err.contains("logmr: error:"), "{args} {redirect}: {err}");
        }
    }
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let dir = TempDir::new("cli");
    let big = dir.write("big.log", &b"[INFO] line\n".repeat(500_000));
    let script = format!(
        "{} map --emit-each {} | head -n 1; echo \"status=${{PIPESTATUS[0]}}\"",
        env!("CARGO_BIN_EXE_logmr"),
        big.display()
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "INFO\t1\nstatus=0\n");
    assert_eq!(stderr(&out), "");
}
