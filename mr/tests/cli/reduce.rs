//! `logmr reduce`: sums, malformed lines, --strict and --sorted.

use crate::util::*;

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
    let err = stderr(&out);
    assert!(
        err.contains("none of the 2 line(s) is a KEY:COUNT line"),
        "{err}"
    );
    assert!(
        err.contains("is the separator \":\" the one the map side wrote?"),
        "{err}"
    );
    // Empty input is not malformed.
    assert_eq!(run(&["reduce"], b"").status.code(), Some(0));
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

#[test]
fn raw_log_lines_are_named_as_such_with_what_counts_them() {
    let log = b"2024-12-10 14:33:21 [INFO] machine-07: disk usage at 91%\n".repeat(25);
    for command in ["reduce", "top", "report"] {
        let out = run(&[command], &log);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(3), "{command}: {err}");
        assert!(out.stdout.is_empty(), "{command}");
        // One line, no warning per input line before it.
        assert_eq!(err.lines().count(), 1, "{command}: {err}");
        assert!(err.contains("is a KEY<TAB>COUNT line"), "{command}: {err}");
        assert!(err.contains("`logmr run FILE...`"), "{command}: {err}");
        assert!(
            err.contains(&format!("logmr map FILE... | logmr {command}")),
            "{command}: {err}"
        );
        assert!(!err.contains("separator"), "{command}: {err}");
    }
    // Once a good line comes, the malformed ones before it are warned of.
    let out = run(&["reduce"], b"junk one\nINFO\t2\n");
    assert_eq!(stdout(&out), "INFO\t2\n");
    assert!(
        stderr(&out).contains("<stdin>:1: skipped, no separator"),
        "{}",
        stderr(&out)
    );
}
