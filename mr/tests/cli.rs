//! Runs the built `logmr` binary: table-driven layout samples, the Hadoop
//! Streaming contract (separators, counters, exit codes), and properties
//! that feed the real binary random data.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use logmr::level::Detector;
use proptest::prelude::*;

/// A scratch directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("logmr-cli-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn logmr() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_logmr"));
    // Tests must not inherit a Hadoop task's settings from the environment.
    for var in [
        "stream_map_output_field_separator",
        "stream_reduce_input_field_separator",
        "stream_reduce_output_field_separator",
        "mapreduce_task_attempt_id",
        "mapreduce_task_id",
        "mapred_task_id",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// Runs `logmr ARGS` with `stdin` and returns its output.
fn run(args: &[&str], stdin: &[u8]) -> Output {
    run_cmd(logmr().args(args), stdin)
}

fn run_cmd(cmd: &mut Command, stdin: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn logmr");
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// `"A 1, B 2"` → `"A\t1\nB\t2\n"`.
fn counts(spec: &str) -> String {
    spec.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once(' ').unwrap();
            format!("{k}\t{v}\n")
        })
        .collect()
}

#[test]
fn layouts_table() {
    // (sample file, extra flags, expected counts). The samples live in
    // tests/data; each carries traps such as a level word later in the line.
    let table: &[(&str, &[&str], &str)] = &[
        ("seed.log", &[], "DEBUG 1, ERROR 2, INFO 3, WARN 2"),
        (
            "log4j.log",
            &[],
            "DEBUG 1, ERROR 3, FATAL 1, INFO 7, TRACE 1, WARN 3",
        ),
        (
            "python.log",
            &[],
            "CRITICAL 2, DEBUG 1, ERROR 2, INFO 2, UNKNOWN 1, WARN 2",
        ),
        (
            "openstack.log",
            &[],
            "CRITICAL 1, DEBUG 1, ERROR 1, INFO 2, WARN 1",
        ),
        (
            "apache-error.log",
            &[],
            "ALERT 1, CRITICAL 1, DEBUG 1, EMERG 1, ERROR 3, NOTICE 3, WARN 1",
        ),
        ("windows-cbs.log", &[], "ERROR 1, INFO 3, WARN 1"),
        ("bgl.log", &[], "ERROR 1, FATAL 2, INFO 2, SEVERE 1, WARN 1"),
        (
            "bgl.log",
            &["--field", "9"],
            "ERROR 1, FATAL 2, INFO 2, SEVERE 1, WARN 1",
        ),
        (
            "logcat.log",
            &[],
            "DEBUG 2, ERROR 1, FATAL 1, INFO 2, TRACE 1, WARN 1",
        ),
        (
            "logcat.log",
            &["--field", "5"],
            "DEBUG 2, ERROR 1, FATAL 1, INFO 1, TRACE 1, UNKNOWN 1, WARN 1",
        ),
        (
            "syslog.log",
            &[],
            "CRITICAL 1, ERROR 1, NOTICE 2, UNKNOWN 3, WARN 1",
        ),
        (
            "json.log",
            &[],
            "DEBUG 1, ERROR 2, FATAL 2, INFO 3, UNKNOWN 1, WARN 1",
        ),
        ("logfmt.log", &[], "DEBUG 1, ERROR 2, INFO 1, WARN 1"),
        (
            "seed.log",
            &["--levels", "info,error=BAD"],
            "BAD 3, INFO 3, UNKNOWN 2",
        ),
    ];
    for (file, flags, want) in table {
        let path = data(file);
        let mut args = vec!["map"];
        args.extend_from_slice(flags);
        args.push(path.to_str().unwrap());
        let out = run(&args, b"");
        assert!(out.status.success(), "{file} {flags:?}: {}", stderr(&out));
        assert_eq!(stdout(&out), counts(want), "{file} {flags:?}");

        // The same file through stdin, and through the emit-each pipeline.
        let bytes = std::fs::read(&path).unwrap();
        let mut stdin_args = vec!["map"];
        stdin_args.extend_from_slice(flags);
        assert_eq!(
            stdout(&run(&stdin_args, &bytes)),
            counts(want),
            "{file} via stdin"
        );
        stdin_args.push("--emit-each");
        let each = run(&stdin_args, &bytes);
        let reduced = run(&["reduce"], &each.stdout);
        assert_eq!(stdout(&reduced), counts(want), "{file} emit-each | reduce");
    }
}

#[test]
fn line_ending_and_byte_edge_cases() {
    let table: &[(&[u8], &str)] = &[
        (b"", ""),
        (b"\n", "UNKNOWN 1"),
        (b"[INFO] no final newline", "INFO 1"),
        (b"[INFO] a\r\n[WARN] b\r\n", "INFO 1, WARN 1"),
        (b"[INFO] a\r\n\r\n[WARN] b", "INFO 1, UNKNOWN 1, WARN 1"),
        (
            b"\xc0\xfe\x00 [error] \xc3\x28\n\x80 debug",
            "DEBUG 1, ERROR 1",
        ),
        // UTF-16 with a byte order mark, as Windows PowerShell 5 writes.
        (
            b"\xff\xfe[\x00I\x00N\x00F\x00O\x00]\x00\r\x00\n\x00x\x00",
            "INFO 1, UNKNOWN 1",
        ),
        (b"\n\n\n", "UNKNOWN 3"),
        (b"[INFO] a\rstill the same line\n", "INFO 1"),
    ];
    for (input, want) in table {
        let out = run(&["map"], input);
        assert!(out.status.success());
        assert_eq!(
            stdout(&out),
            counts(want),
            "{:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn huge_lines_are_counted_once_with_a_warning() {
    let mut input = b"[WARN] short\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 100_000));
    input.extend(b" [ERROR] level after the limit\n[INFO] after\n");
    input.extend(b"[DEBUG] level inside the head ");
    input.extend(std::iter::repeat_n(b'y', 100_000));
    let out = run(&["map", "--max-line", "4096"], &input);
    assert!(out.status.success());
    assert_eq!(stdout(&out), counts("DEBUG 1, INFO 1, UNKNOWN 1, WARN 1"));
    assert!(
        stderr(&out).contains(
            "2 line(s) longer than 4.0 KiB were counted by the level in their first 4.0 KiB"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn reduce_sums_unsorted_input_and_its_own_output() {
    let out = run(&["reduce"], b"b\t2\na\t1\nb\t3\r\na\t4");
    assert_eq!(stdout(&out), "a\t5\nb\t5\n");
    let again = run(&["reduce"], &[out.stdout.clone(), out.stdout].concat());
    assert_eq!(stdout(&again), "a\t10\nb\t10\n");
    // Keys may contain the separator: the count follows the last one.
    assert_eq!(
        stdout(&run(&["reduce"], b"x\ty\t1\nx\ty\t2\n")),
        "x\ty\t3\n"
    );
    // Byte order, as Hadoop sorts: upper case before lower case.
    assert_eq!(
        stdout(&run(&["reduce"], b"b\t1\nB\t1\n_\t1\n")),
        "B\t1\n_\t1\nb\t1\n"
    );
}

#[test]
fn reduce_reports_and_skips_malformed_lines() {
    let input = b"INFO\t3\nno separator\nWARN\t-1\nWARN\tx\nINFO\t18446744073709551615\nINFO\t2\n";
    let out = run(&["reduce", "--counters", "always"], input);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "INFO\t5\n");
    let err = stderr(&out);
    for line in [
        "<stdin>:2: skipped, no separator",
        "<stdin>:3: skipped",
        "<stdin>:4: skipped",
        "<stdin>:5: skipped, the key's total would overflow",
    ] {
        assert!(err.contains(line), "missing {line:?} in {err}");
    }
    assert!(
        err.contains("reporter:counter:logmr,reduce_malformed_lines,4\n"),
        "{err}"
    );
    assert!(
        err.contains("reporter:counter:logmr,reduce_lines,6\n"),
        "{err}"
    );
}

#[test]
fn reduce_strict_fails_on_the_first_malformed_line() {
    let out = run(&["reduce", "--strict"], b"INFO\t1\nWARN 2\n");
    assert_eq!(out.status.code(), Some(3));
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).contains("<stdin>:2: no separator between key and count"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn many_malformed_lines_are_summarised() {
    let input = "bad\n".repeat(25) + "INFO\t1\n";
    let out = run(&["reduce"], input.as_bytes());
    let err = stderr(&out);
    assert_eq!(err.matches("skipped, no separator").count(), 10, "{err}");
    assert!(err.contains("skipped 25 malformed line(s) in all"), "{err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(stdout(&out), "INFO\t1\n");
}

#[test]
fn input_whose_every_line_is_malformed_fails_instead_of_writing_nothing() {
    // What a reduce task sees when the map side wrote another separator.
    let out = run_cmd(
        logmr()
            .arg("reduce")
            .env("stream_reduce_input_field_separator", ":"),
        b"INFO\t3\nWARN\t1\n",
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).contains("every one of the 2 line(s) is malformed"),
        "{}",
        stderr(&out)
    );
    // Empty input is not malformed.
    assert_eq!(run(&["reduce"], b"").status.code(), Some(0));
}

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
    let dir = TempDir::new();
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
    let dir = TempDir::new();
    let out = run(&["reduce", dir.0.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no files to read"),
        "{}",
        stderr(&out)
    );
    dir.write("part-00000", b"INFO\t2\n");
    let out = run(&["reduce", dir.0.to_str().unwrap()], b"");
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

#[cfg(target_os = "linux")]
#[test]
fn run_reads_pipes_and_process_substitutions_whole() {
    let script = format!(
        "'{}' run <(printf '[INFO] a\\n[WARN] b\\n') /dev/stdin < <(printf '[ERROR] c\\n')",
        env!("CARGO_BIN_EXE_logmr")
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), counts("ERROR 1, INFO 1, WARN 1"));
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let dir = TempDir::new();
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

#[test]
fn several_inputs_and_dash_for_stdin() {
    let dir = TempDir::new();
    let a = dir.write("a.log", b"[INFO] a\n[INFO] b");
    let b = dir.write("b.log", b"[INFO] c\n");
    let out = run(
        &["map", a.to_str().unwrap(), "-", b.to_str().unwrap()],
        b"[WARN] c\n",
    );
    assert_eq!(stdout(&out), counts("INFO 3, WARN 1"));
    // A file named twice is read once, and said so.
    let out = run(&["map", a.to_str().unwrap(), a.to_str().unwrap()], b"");
    assert_eq!(stdout(&out), counts("INFO 2"));
    assert!(
        stderr(&out).contains("is the same file as"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn standard_input_named_twice_is_read_once() {
    // Two workers reading one pipe split its lines between them, cutting
    // one line in two; a file behind stdin named again was counted twice.
    let text: String = (0..20_000)
        .map(|i| format!("[INFO] line {i} of a long enough run of text to cross buffers\n"))
        .collect();
    for args in [
        &["run", "-j", "2", "-", "-"][..],
        &["run", "-j", "2", "-", "/dev/stdin"],
        &["map", "-", "/dev/stdin", "-"],
    ] {
        let out = run(args, text.as_bytes());
        assert_eq!(stdout(&out), counts("INFO 20000"), "{args:?}");
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("standard input (-)") && stderr(&out).contains("read once"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let dir = TempDir::new();
    let file = dir.write("a.log", text.as_bytes());
    let out = logmr()
        .args(["run", "-j", "2", "-", "/dev/stdin", file.to_str().unwrap()])
        .stdin(std::fs::File::open(&file).unwrap())
        .output()
        .unwrap();
    assert_eq!(stdout(&out), counts("INFO 20000"), "{}", stderr(&out));
}

#[test]
fn levels_lists_the_table() {
    let out = run(&["levels"], b"");
    let text = stdout(&out);
    assert!(text.contains("warning\tWARN\n"), "{text}");
    assert!(text.contains("err\tERROR\n"), "{text}");
    assert!(text.ends_with("(no level)\tUNKNOWN\n"), "{text}");
}

#[test]
fn the_guide_states_the_exit_codes_of_the_help() {
    let guide =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../GUIDE.md")).unwrap();
    let help = stdout(&run(&["--help"], b""));
    let codes: Vec<&str> = help
        .lines()
        .skip_while(|l| *l != "Exit codes:")
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .collect();
    assert_eq!(codes.len(), 4, "{help}");
    for line in codes {
        let (code, meaning) = line.trim_start().split_once("  ").unwrap();
        let row = format!("| {code} | {} |", meaning.replace('|', "\\|"));
        assert!(guide.contains(&row), "GUIDE.md lacks the row {row}");
    }
}

#[test]
fn the_guide_documents_the_level_table() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../GUIDE.md")).unwrap();
    let out = run(&["levels"], b"");
    for line in stdout(&out).lines() {
        let (word, key) = line.split_once('\t').unwrap();
        if word.starts_with('(') {
            continue;
        }
        let row = readme
            .lines()
            .find(|l| l.starts_with(&format!("| `{key}` ")))
            .unwrap_or_else(|| panic!("GUIDE.md level table has no row for {key}"));
        assert!(
            row.contains(&format!("`{word}`")),
            "GUIDE.md row for {key} lacks {word}: {row}"
        );
    }
}

/// Log-like lines: level words in assorted cases and wrappings, noise,
/// random bytes, CRs.
fn log_line() -> impl Strategy<Value = Vec<u8>> {
    let word = prop_oneof![
        Just("info"),
        Just("WARN"),
        Just("Warning"),
        Just("error"),
        Just("ERR"),
        Just("debug"),
        Just("fatal"),
        Just("crit"),
        Just("notice"),
        Just("machine"),
        Just("errors"),
        Just("x"),
    ];
    let wrap = prop_oneof![
        Just(("[", "]")),
        Just(("", ":")),
        Just(("level=", "")),
        Just(("\"", "\"")),
        Just(("", ""))
    ];
    let piece = prop_oneof![
        (wrap, word).prop_map(|((a, b), w)| format!("{a}{w}{b}").into_bytes()),
        proptest::collection::vec(any::<u8>().prop_filter("no newline", |b| *b != b'\n'), 0..6),
        Just(b" ".to_vec()),
        Just(b"2024-12-10 14:33:21".to_vec()),
    ];
    proptest::collection::vec(piece, 0..8).prop_map(|pieces| pieces.join(&b' '))
}

fn log_text() -> impl Strategy<Value = Vec<u8>> {
    (proptest::collection::vec(log_line(), 0..40), any::<bool>()).prop_map(|(lines, final_nl)| {
        let mut text = lines.join(&b'\n');
        if final_nl && !text.is_empty() {
            text.push(b'\n');
        }
        text
    })
}

/// Per-key counts computed the slow, obvious way.
fn naive_counts(input: &[u8]) -> String {
    let detector = Detector::default();
    let mut lines: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
    if input.is_empty() || input.ends_with(b"\n") {
        lines.pop();
    }
    let mut counts = std::collections::BTreeMap::<Vec<u8>, u64>::new();
    for line in lines {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        *counts
            .entry(detector.table().key(detector.detect(line)).to_vec())
            .or_default() += 1;
    }
    counts
        .into_iter()
        .map(|(k, v)| format!("{}\t{v}\n", String::from_utf8(k).unwrap()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn the_binary_pipeline_matches_a_naive_count(input in log_text()) {
        let want = naive_counts(&input);
        let mapped = run(&["map"], &input);
        prop_assert!(mapped.status.success());
        prop_assert_eq!(stdout(&mapped), want.clone());

        let each = run(&["map", "--emit-each"], &input);
        let mut lines: Vec<&[u8]> = each.stdout.split_inclusive(|&b| b == b'\n').collect();
        lines.sort();
        let reduced = run(&["reduce", "--strict"], &lines.concat());
        prop_assert!(reduced.status.success(), "{}", stderr(&reduced));
        prop_assert_eq!(stdout(&reduced), want);
    }

    #[test]
    fn the_binary_never_crashes_on_arbitrary_bytes(input in proptest::collection::vec(any::<u8>(), 0..2000)) {
        for args in [&["map"][..], &["map", "--field", "2"], &["reduce"]] {
            let out = run(args, &input);
            // reduce refuses input with no well-formed line at all (exit 3,
            // nothing written); anything else succeeds.
            let refused = args == ["reduce"] && out.status.code() == Some(3) && out.stdout.is_empty();
            prop_assert!(out.status.success() || refused, "{:?}: {}", args, stderr(&out));
        }
    }
}

/// `logmr map --by` over sample lines, table-driven: (flags, input lines,
/// expected output).
#[test]
fn group_by_keys_table() {
    let seed = "2024-12-10 14:33:21 [INFO] machine-07: disk usage at 91%\n\
                2024-12-10 14:59:02 [ERROR] machine-02: failed to write block 17\n\
                2024-12-10 15:00:00 [ERROR] machine-03: failed to write block 9\n\
                no level and no time\n";
    let table: &[(&[&str], &str, &str)] = &[
        (
            &["--by", "level,hour"],
            seed,
            "ERROR|2024-12-10T14\t1\nERROR|2024-12-10T15\t1\nINFO|2024-12-10T14\t1\nUNKNOWN|-\t1\n",
        ),
        (&["--by", "day"], seed, "-\t1\n2024-12-10\t3\n"),
        (
            &["--by", "minute"],
            "Jun 14 15:16:01 combo sshd[1]: x\n",
            "2019-06-14T15:16\t1\n",
        ),
        (
            &["--by", "source"],
            seed,
            "-\t1\nmachine-02\t1\nmachine-03\t1\nmachine-07\t1\n",
        ),
        (
            &["--by", "level,template"],
            seed,
            "ERROR|failed to write block <NUM>\t2\nINFO|disk usage at <NUM>%\t1\nUNKNOWN|no level and no time\t1\n",
        ),
        (
            &["--by", "level,hour", "--emit-each"],
            "2024-12-10 14:33:21 [INFO] x\n",
            "INFO|2024-12-10T14\t1\n",
        ),
        (
            &["--by", "level", "-s", ":"],
            seed,
            "ERROR:2\nINFO:1\nUNKNOWN:1\n",
        ),
    ];
    for (flags, input, want) in table {
        let mut args = vec!["map", "--year", "2019"];
        args.extend(*flags);
        let out = run(&args, input.as_bytes());
        assert!(out.status.success(), "{flags:?}: {}", stderr(&out));
        assert_eq!(stdout(&out), *want, "{flags:?}");
    }
    for bad in ["levels", "hour,day", "level,level", ""] {
        let out = run(&["map", "--by", bad], b"");
        assert_eq!(out.status.code(), Some(2), "--by {bad:?}");
    }
}

#[test]
fn group_by_keys_reduce_like_levels() {
    // Every sample line is counted once under each key spec, and the keyed
    // output goes through `logmr reduce` unchanged.
    let files: Vec<PathBuf> = std::fs::read_dir(data(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let lines: u64 = stdout(&run_cmd(logmr().arg("map").args(&files), b""))
        .lines()
        .map(|l| l.rsplit('\t').next().unwrap().parse::<u64>().unwrap())
        .sum();
    for spec in [
        "level,minute",
        "source",
        "level,template",
        "day,source,level",
    ] {
        let mapped = run_cmd(logmr().args(["map", "--by", spec]).args(&files), b"");
        assert!(mapped.status.success());
        let reduced = run(&["reduce", "--strict"], &mapped.stdout);
        assert!(reduced.status.success(), "{spec}: {}", stderr(&reduced));
        assert_eq!(
            reduced.stdout, mapped.stdout,
            "{spec}: map output is already reduced"
        );
        let total: u64 = stdout(&reduced)
            .lines()
            .map(|l| l.rsplit('\t').next().unwrap().parse::<u64>().unwrap())
            .sum();
        assert_eq!(total, lines, "{spec}");
    }
}

#[test]
fn top_prints_the_largest_totals() {
    let table: &[(&[&str], &str, &str)] = &[
        (&["-n", "2"], "a\t1\nb\t5\na\t7\nc\t5\n", "a\t8\nb\t5\n"),
        (&["-n", "3"], "b\t5\nc\t5\na\t5\n", "a\t5\nb\t5\nc\t5\n"),
        (&["-n", "9"], "x\t1\n", "x\t1\n"),
        (&["-n", "0"], "x\t1\n", ""),
        (&["-n", "1", "-s", ":"], "k:a:1\nk:b:2\n", "k:b:2\n"),
        (&[], "", ""),
    ];
    for (flags, input, want) in table {
        let mut args = vec!["top"];
        args.extend(*flags);
        let out = run(&args, input.as_bytes());
        assert!(out.status.success(), "{flags:?}: {}", stderr(&out));
        assert_eq!(stdout(&out), *want, "{flags:?} on {input:?}");
    }
    let strict = run(&["top", "--strict"], b"a\tx\n");
    assert_eq!(strict.status.code(), Some(3));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn top_is_the_head_of_a_full_sort(pairs in proptest::collection::vec((0u8..20, 0u64..50), 0..60), n in 0usize..25) {
        let input: String = pairs.iter().map(|(k, c)| format!("k{k}\t{c}\n")).collect();
        let mut totals = std::collections::BTreeMap::<String, u64>::new();
        for (k, c) in &pairs {
            *totals.entry(format!("k{k}")).or_default() += c;
        }
        let mut all: Vec<(String, u64)> = totals.into_iter().collect();
        all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let want: String = all.iter().take(n).map(|(k, c)| format!("{k}\t{c}\n")).collect();
        let out = run(&["top", "-n", &n.to_string()], input.as_bytes());
        prop_assert!(out.status.success());
        prop_assert_eq!(stdout(&out), want);
    }
}

/// `logmr map FILES | sort | logmr reduce`, the Hadoop-style pipeline.
fn pipeline_result(map_flags: &[&str], files: &[PathBuf]) -> Vec<u8> {
    let mapped = run_cmd(logmr().arg("map").args(map_flags).args(files), b"");
    assert!(mapped.status.success(), "{}", stderr(&mapped));
    let reduced = run(&["reduce"], &mapped.stdout);
    assert!(reduced.status.success());
    reduced.stdout
}

#[test]
fn run_takes_directories_globs_and_gzip() {
    use flate2::write::GzEncoder;
    let dir = TempDir::new();
    let samples: Vec<PathBuf> = std::fs::read_dir(data(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let logs = dir.0.join("logs");
    std::fs::create_dir_all(logs.join("dt=2024-12-10")).unwrap();
    for (i, sample) in samples.iter().enumerate() {
        let bytes = std::fs::read(sample).unwrap();
        if i % 2 == 0 {
            let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(&bytes).unwrap();
            let name = format!("dt=2024-12-10/part-{i}.log.gz");
            std::fs::write(logs.join(name), gz.finish().unwrap()).unwrap();
        } else {
            std::fs::write(logs.join(format!("part-{i}.log")), bytes).unwrap();
        }
    }
    // What Hadoop skips, run skips: a temporary file and a hidden one.
    std::fs::write(logs.join("_tmp.log"), "[ERROR] half-written\n").unwrap();
    std::fs::write(logs.join(".hidden.log"), "[ERROR] hidden\n").unwrap();
    let want = pipeline_result(&[], &samples);

    let logs_arg = logs.to_str().unwrap();
    let out = run(&["run", logs_arg], b"");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), String::from_utf8(want.clone()).unwrap());

    // A glob the shell did not expand, and a file list.
    let glob = format!("{}/dt=*/part-*.gz", logs.display());
    let plain = format!("{}/part-?.log", logs.display());
    let gz_out = run(&["run", &glob, &plain], b"");
    assert!(gz_out.status.success(), "{}", stderr(&gz_out));
    assert_eq!(gz_out.stdout, want);

    let none = run(&["run", &format!("{}/*.nothing", logs.display())], b"");
    assert_eq!(none.status.code(), Some(2));
    assert!(stderr(&none).contains("matches no file"));
    let missing = run(&["run", "/no/such/file.log"], b"");
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("/no/such/file.log"));

    // stdin when no input is given.
    let all: Vec<u8> = samples
        .iter()
        .flat_map(|f| std::fs::read(f).unwrap())
        .collect();
    let from_stdin = run(&["run"], &all);
    assert_eq!(from_stdin.stdout, want);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// The real binary on random logs, random task sizes and thread counts,
    /// with and without group-by keys, prints what the pipeline prints.
    #[test]
    fn run_equals_the_pipeline(text in log_text(), chunk in 1usize..300, jobs in 1u16..5, keyed in any::<bool>()) {
        let dir = TempDir::new();
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

/// Attribute `name` of an SVG element's text.
fn attr<'a>(element: &'a str, name: &str) -> &'a str {
    let at = element.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
    &element[at..at + element[at..].find('"').unwrap()]
}

#[test]
fn report_totals_never_wrap_and_its_width_is_bounded() {
    let max = u64::MAX;
    let dir = TempDir::new();
    let svg = dir.0.join("chart.svg");
    for input in [
        format!("A\t{max}\nB\t{max}\n"),
        format!("INFO|2024-12-10T00\t{max}\nERROR|2024-12-10T00\t{max}\nINFO|-\t{max}\n"),
    ] {
        let out = run(
            &["report", "--svg", svg.to_str().unwrap()],
            input.as_bytes(),
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let table = stdout(&out);
        let last: Vec<&str> = table.lines().last().unwrap().split_whitespace().collect();
        let want = (u128::from(max) * input.lines().count() as u128).to_string();
        assert_eq!(last, ["total", want.as_str(), "100.0%"], "{table}");
        let chart = std::fs::read_to_string(&svg).unwrap();
        for number in chart
            .split(['"', ' ', '<', '>'])
            .filter_map(|w| w.parse::<f64>().ok())
        {
            assert!(
                number.is_finite() && number.abs() < 1e21,
                "{number} in {chart}"
            );
        }
    }
    // The separator comes from the job's setting when no flag is given, as
    // for `top`.
    for command in ["report", "top"] {
        let out = run_cmd(
            logmr()
                .arg(command)
                .env("stream_reduce_output_field_separator", ","),
            b"A,2\nB,1\n",
        );
        assert!(out.status.success(), "{command}: {}", stderr(&out));
        assert!(stdout(&out).starts_with("A"), "{command}: {}", stdout(&out));
        assert!(stderr(&out).is_empty(), "{command}: {}", stderr(&out));
    }
    for width in ["0", "100000000000"] {
        let out = run(&["report", "--width", width], b"A\t1\n");
        assert_eq!(out.status.code(), Some(2), "{width}: {}", stderr(&out));
    }
    assert!(
        run(&["report", "--width", "1000"], b"A\t1\n")
            .status
            .success()
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_chart_that_cannot_be_written_leaves_the_previous_one() {
    let dir = TempDir::new();
    let svg = dir.write("chart.svg", b"<svg>previous</svg>\n");
    // A file size limit of 1 KiB stands for a full disk.
    let script = format!(
        "trap '' XFSZ; ulimit -f 1; for i in $(seq 40); do printf 'KEY%d\\t%d\\n' $i $i; done | '{}' report --svg '{}'",
        env!("CARGO_BIN_EXE_logmr"),
        svg.display()
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("chart.svg"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&svg).unwrap(),
        "<svg>previous</svg>\n"
    );
    let left: Vec<_> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["chart.svg"], "no temporary file is left");
}

#[test]
fn report_draws_what_it_reads() {
    let input = "INFO|2024-12-10T00\t60\nERROR|2024-12-10T00\t20\nINFO|2024-12-10T02\t30\n\
                 WARN|2024-12-10T02\t10\nINFO|-\t7\n";
    let dir = TempDir::new();
    let svg = dir.0.join("chart.svg");
    let html = dir.0.join("page.html");
    let out = run(
        &[
            "report",
            "--svg",
            svg.to_str().unwrap(),
            "--html",
            html.to_str().unwrap(),
        ],
        input.as_bytes(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    let first: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(first[..3], ["INFO|2024-12-10T00", "60", "47.2%"], "{table}");
    let last: Vec<&str> = table.lines().last().unwrap().split_whitespace().collect();
    assert_eq!(last, ["total", "127", "100.0%"], "{table}");

    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(svg.starts_with("<svg ") && svg.trim_end().ends_with("</svg>"));
    let bars: Vec<&str> = svg.split("<rect class=\"bar\"").skip(1).collect();
    // Three buckets (the empty 01:00 included), four non-zero cells.
    assert_eq!(bars.len(), 4);
    let px_per_line: Vec<f64> = bars
        .iter()
        .map(|b| {
            attr(b, "height").parse::<f64>().unwrap()
                / attr(b, "data-count").parse::<f64>().unwrap()
        })
        .collect();
    for p in &px_per_line {
        assert!(
            (p - px_per_line[0]).abs() < 0.01,
            "heights proportional: {px_per_line:?}"
        );
    }
    let x_of = |series: &str, bucket: &str| {
        bars.iter()
            .find(|b| attr(b, "data-series") == series && attr(b, "data-bucket") == bucket)
            .map(|b| attr(b, "x").parse::<f64>().unwrap())
    };
    // Three slots across the 710-pixel plot: 01:00 is drawn, empty, between.
    let apart = x_of("INFO", "2024-12-10T02").unwrap() - x_of("INFO", "2024-12-10T00").unwrap();
    assert!((apart - 2.0 * 710.0 / 3.0).abs() < 0.01, "{apart}");
    assert_eq!(
        x_of("ERROR", "2024-12-10T00"),
        x_of("INFO", "2024-12-10T00"),
        "stacked"
    );
    assert!(svg.contains("7 line(s) without a timestamp are not drawn"));
    for legend in ["ERROR (20)", "WARN (10)", "INFO (90)"] {
        assert!(svg.contains(legend), "{legend}");
    }

    let html = std::fs::read_to_string(&html).unwrap();
    assert!(
        html.starts_with("<!DOCTYPE html>")
            && html.contains("<svg ")
            && html.contains("<td>INFO|-</td>")
    );
}

/// `map` and `run` read the same inputs the same way: directories without
/// following links inside them (two loops once hung `run`), a file reached
/// by several paths once (`run` counted it three times), gzip and UTF-16
/// told by their bytes (`map x.gz` counted compressed bytes).
#[cfg(unix)]
#[test]
fn map_and_run_share_one_input_model() {
    use flate2::write::GzEncoder;
    use std::os::unix::fs::symlink;
    let dir = TempDir::new();
    let logs = dir.0.join("logs");
    std::fs::create_dir_all(logs.join("2024-12-10")).unwrap();
    let plain = b"[INFO] a\n[WARN] b\n[INFO] c\n";
    std::fs::write(logs.join("2024-12-10/a.log"), plain).unwrap();
    let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(b"[ERROR] d\n[ERROR] e\n").unwrap();
    std::fs::write(logs.join("b.log.gz"), gz.finish().unwrap()).unwrap();
    let utf16: Vec<u8> = [0xFEFFu16]
        .into_iter()
        .chain("[DEBUG] f\r\n[DEBUG] g\r\n".encode_utf16())
        .flat_map(u16::to_le_bytes)
        .collect();
    std::fs::write(logs.join("c.log"), utf16).unwrap();
    symlink(".", logs.join("x")).unwrap();
    symlink(".", logs.join("y")).unwrap();
    symlink("2024-12-10", logs.join("latest")).unwrap();
    symlink("2024-12-10/a.log", logs.join("current.log")).unwrap();
    assert!(
        Command::new("mkfifo")
            .arg(logs.join("pipe"))
            .status()
            .unwrap()
            .success()
    );
    let want = counts("DEBUG 2, ERROR 2, INFO 2, WARN 1");
    let logs_arg = logs.to_str().unwrap();
    let current = logs.join("current.log");
    for command in ["map", "run"] {
        let out = run_cmd(logmr().args([command, logs_arg]).arg(&current), b"");
        assert!(out.status.success(), "{command}: {}", stderr(&out));
        assert_eq!(stdout(&out), want, "{command}");
        let err = stderr(&out);
        assert!(err.contains("current.log is the same file as"), "{err}");
        assert!(
            err.contains("passed over 4 symbolic link(s) and 1 FIFO(s)"),
            "{err}"
        );
    }
    let gz = run_cmd(logmr().arg("map").arg(logs.join("b.log.gz")), b"");
    assert_eq!(stdout(&gz), counts("ERROR 2"));
}

#[test]
fn gzip_and_utf16_on_stdin_are_decoded_outside_hadoop_only() {
    use flate2::write::GzEncoder;
    let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(b"[ERROR] d\n[ERROR] e\n").unwrap();
    let gz = gz.finish().unwrap();
    assert_eq!(stdout(&run(&["map"], &gz)), counts("ERROR 2"));
    // A Hadoop task's stdin is text lines Hadoop read: taken as it is.
    let out = run_cmd(logmr().arg("map").env("mapreduce_task_id", "t"), &gz);
    assert!(!stdout(&out).contains("ERROR"), "{}", stdout(&out));
}

#[test]
fn compressed_copies_are_decompressed_or_refused_never_counted_as_lines() {
    // Before: .bz2 and .xz copies beside app.log gave thousands of UNKNOWN
    // lines, exit 0; gzip-compressed UTF-16 gave one UNKNOWN line per
    // line; gzip with zero padding after it failed.
    let dir = TempDir::new();
    let text: String = (0..500)
        .map(|i| {
            format!(
                "2024-12-10 10:00:{:02} [{}] event {i}\n",
                i % 60,
                ["INFO", "WARN", "ERROR"][i % 3]
            )
        })
        .collect();
    dir.write("app.log", text.as_bytes());
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(text.as_bytes()).unwrap();
    let mut gz = gz.finish().unwrap();
    gz.extend([0u8; 512]);
    dir.write("app.log.1.gz", &gz);
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    bz.write_all(text.as_bytes()).unwrap();
    dir.write("app.log.2.bz2", &bz.finish().unwrap());
    let utf16: Vec<u8> = std::iter::once(0xFEFFu16)
        .chain(text.encode_utf16())
        .flat_map(u16::to_le_bytes)
        .collect();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&utf16).unwrap();
    dir.write("app.log.3.u16.gz", &gz.finish().unwrap());
    let want = counts("ERROR 664, INFO 668, WARN 668");
    for cmd in ["run", "map"] {
        let out = run(&[cmd, dir.0.to_str().unwrap()], b"");
        assert_eq!(stdout(&out), want, "{cmd}: {}", stderr(&out));
        assert!(out.status.success(), "{cmd}: {}", stderr(&out));
    }
    // zstd, xz and lz4 are refused by content, whatever the name.
    for (name, magic) in [
        (
            "app.log.4",
            &b"\x28\xb5\x2f\xfd\x24\x00\x01\x00\x00\x99"[..],
        ),
        ("app.log.4.xz", b"\xfd7zXZ\x00\x00\x04\xe6\xd6\xb4\x46"),
        ("app.log.4.lz4", b"\x04\x22\x4d\x18\x64\x40\xa7\x00\x00\x00"),
    ] {
        let path = dir.write(name, magic);
        let out = run(&["run", dir.0.to_str().unwrap()], b"");
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(name) && stderr(&out).contains("-compressed"),
            "{name}: {}",
            stderr(&out)
        );
        std::fs::remove_file(path).unwrap();
    }
}

#[test]
fn cr_only_line_ends_are_warned_about() {
    let out = run(&["map"], b"[INFO] a\r[WARN] b\r[WARN] c\r");
    assert_eq!(stdout(&out), counts("INFO 1"));
    assert!(
        stderr(&out).contains("carriage return before its end"),
        "{}",
        stderr(&out)
    );
    let crlf = run(&["map"], b"[INFO] a\r\n[WARN] b\r\n");
    assert_eq!(stderr(&crlf), "");
}

/// A five-letter word, a different one for each `i` below 26^5.
fn word(mut i: u32) -> String {
    let mut w = String::new();
    for _ in 0..5 {
        w.push(char::from(b'a' + (i % 26) as u8));
        i /= 26;
    }
    w
}

/// Distinct lines past the key table's bound: the table is written out in
/// parts, keys repeat, and the reducer's sums are what one table gives.
#[test]
fn map_by_spills_its_table_past_the_memory_bound() {
    let half: String = (0..30_000)
        .map(|i| format!("[INFO] user {}\n", word(i)))
        .collect();
    let input = [half.as_bytes(), half.as_bytes()].concat();
    let whole = run(&["map", "--by", "level,template"], &input);
    assert_eq!(whole.stdout.split(|&b| b == b'\n').count() - 1, 30_000);
    let spilled = run(&["map", "--by", "level,template", "--memory", "1M"], &input);
    assert!(spilled.status.success(), "{}", stderr(&spilled));
    assert!(
        stderr(&spilled).contains("written out"),
        "{}",
        stderr(&spilled)
    );
    assert!(spilled.stdout.split(|&b| b == b'\n').count() - 1 > 30_000);
    let reduced = run(&["reduce"], &spilled.stdout);
    assert_eq!(reduced.stdout, whole.stdout);
    assert_eq!(
        run(&["map", "--memory", "1000"], b"").status.code(),
        Some(2)
    );
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
    let dir = TempDir::new();
    let tmp = dir.0.join("tmp");
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
    let dir = TempDir::new();
    let file = dir.write("app.log", input.as_bytes());
    let tmp = dir.0.join("tmp");
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
            .env("TMPDIR", dir.0.join("missing")),
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// `reduce --sorted` on grouped input writes what `reduce` writes.
    #[test]
    fn reduce_sorted_equals_reduce_on_sorted_input(
        mut pairs in proptest::collection::vec(("[a-c]{0,3}", 0u64..1000), 0..80),
    ) {
        pairs.sort();
        let input: String = pairs.iter().map(|(k, n)| format!("{k}\t{n}\n")).collect();
        let want = run(&["reduce"], input.as_bytes());
        let got = run(&["reduce", "--sorted"], input.as_bytes());
        prop_assert_eq!(got.status.code(), want.status.code());
        prop_assert_eq!(got.stdout, want.stdout);
    }

    #[test]
    fn reduce_sorted_on_any_order_is_right_or_fails(
        pairs in proptest::collection::vec(("[a-c]{0,3}", 0u64..1000), 0..40),
    ) {
        // Unsorted input wrote a key twice with exit 0; now either the
        // totals are right or the run fails (exit 3), saying why.
        let input: String = pairs.iter().map(|(k, n)| format!("{k}\t{n}\n")).collect();
        let want = run(&["reduce"], input.as_bytes());
        let got = run(&["reduce", "--sorted"], input.as_bytes());
        let sorted = pairs.iter().map(|(k, _)| k).is_sorted();
        if sorted {
            prop_assert_eq!(got.status.code(), Some(0));
            prop_assert_eq!(got.stdout, want.stdout);
        } else {
            prop_assert_eq!(got.status.code(), Some(3), "{}", stderr(&got));
            prop_assert!(stderr(&got).contains("not sorted by key"), "{}", stderr(&got));
        }
    }
}
