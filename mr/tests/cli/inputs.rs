//! How `map` and `run` read their inputs: pipes, several inputs, stdin once,
//! directories, globs and gzip.

use crate::util::*;

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
fn several_inputs_and_dash_for_stdin() {
    let dir = TempDir::new("cli");
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
    let dir = TempDir::new("cli");
    let file = dir.write("a.log", text.as_bytes());
    let out = logmr()
        .args(["run", "-j", "2", "-", "/dev/stdin", file.to_str().unwrap()])
        .stdin(std::fs::File::open(&file).unwrap())
        .output()
        .unwrap();
    assert_eq!(stdout(&out), counts("INFO 20000"), "{}", stderr(&out));
}

#[test]
fn run_takes_directories_globs_and_gzip() {
    use flate2::write::GzEncoder;
    let dir = TempDir::new("cli");
    let samples: Vec<PathBuf> = std::fs::read_dir(data(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let logs = dir.join("logs");
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

/// `map` and `run` read the same inputs the same way: directories without
/// following links inside them (two loops once hung `run`), a file reached
/// by several paths once (`run` counted it three times), gzip and UTF-16
/// told by their bytes (`map x.gz` counted compressed bytes).
#[cfg(unix)]
#[test]
fn map_and_run_share_one_input_model() {
    use flate2::write::GzEncoder;
    use std::os::unix::fs::symlink;
    let dir = TempDir::new("cli");
    let logs = dir.join("logs");
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
    logmr_harness::mkfifo(&logs.join("pipe"));
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
