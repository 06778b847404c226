//! What the CLI tests share, over the workspace's one harness
//! (`logmr-harness`): the `logmr` binary without a Hadoop task's settings,
//! the sample logs and the cases files.

pub use std::io::Write;
pub use std::path::{Path, PathBuf};
pub use std::process::{Command, Output, Stdio};

pub use logmr::level::Detector;
pub use logmr_harness::{TempDir, cases, run_with_stdin as run_cmd};
pub use proptest::prelude::*;

pub fn logmr() -> Command {
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
pub fn run(args: &[&str], stdin: &[u8]) -> Output {
    run_cmd(logmr().args(args), stdin)
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

pub fn stderr(out: &Output) -> String {
    logmr_harness::text(&out.stderr)
}

pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// A cases file of tests/cases.
pub fn case_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cases")
        .join(name)
}

/// `"A 1, B 2"` → `"A\t1\nB\t2\n"`.
pub fn counts(spec: &str) -> String {
    spec.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once(' ').unwrap();
            format!("{k}\t{v}\n")
        })
        .collect()
}

/// A five-letter word, a different one for each `i` below 26^5.
pub fn word(mut i: u32) -> String {
    let mut w = String::new();
    for _ in 0..5 {
        w.push(char::from(b'a' + (i % 26) as u8));
        i /= 26;
    }
    w
}

/// Log-like lines: level words in assorted cases and wrappings, noise,
/// random bytes, CRs.
pub fn log_line() -> impl Strategy<Value = Vec<u8>> {
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

pub fn log_text() -> impl Strategy<Value = Vec<u8>> {
    (proptest::collection::vec(log_line(), 0..40), any::<bool>()).prop_map(|(lines, final_nl)| {
        let mut text = lines.join(&b'\n');
        if final_nl && !text.is_empty() {
            text.push(b'\n');
        }
        text
    })
}

/// `logmr map FILES | sort | logmr reduce`, the Hadoop-style pipeline.
pub fn pipeline_result(map_flags: &[&str], files: &[PathBuf]) -> Vec<u8> {
    let mapped = run_cmd(logmr().arg("map").args(map_flags).args(files), b"");
    assert!(mapped.status.success(), "{}", stderr(&mapped));
    let reduced = run(&["reduce"], &mapped.stdout);
    assert!(reduced.status.success());
    reduced.stdout
}
