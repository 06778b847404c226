//! `logmr map`: every layout sample counted as the cases file says, line ends
//! and bytes, huge lines, compressed and UTF-16 input, and the table spilled
//! past its memory bound.

use crate::util::*;

#[test]
fn layouts_table() {
    for case in cases(&case_file("layouts.cases")) {
        let (file, flags) = case.args.split_first().expect("a sample file");
        let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
        let path = data(file);
        let mut args = vec!["map"];
        args.extend_from_slice(&flags);
        args.push(path.to_str().unwrap());
        let out = run(&args, b"");
        assert!(out.status.success(), "{}: {}", case.at, stderr(&out));
        assert_eq!(stdout(&out), case.expected, "{}", case.at);

        // The same file through stdin, and through the emit-each pipeline.
        let bytes = std::fs::read(&path).unwrap();
        let mut stdin_args = vec!["map"];
        stdin_args.extend_from_slice(&flags);
        assert_eq!(
            stdout(&run(&stdin_args, &bytes)),
            case.expected,
            "{} via stdin",
            case.at
        );
        stdin_args.push("--emit-each");
        let each = run(&stdin_args, &bytes);
        let reduced = run(&["reduce"], &each.stdout);
        assert_eq!(
            stdout(&reduced),
            case.expected,
            "{} emit-each | reduce",
            case.at
        );
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
    let dir = TempDir::new("cli");
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
        let out = run(&[cmd, dir.path().to_str().unwrap()], b"");
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
        let out = run(&["run", dir.path().to_str().unwrap()], b"");
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
