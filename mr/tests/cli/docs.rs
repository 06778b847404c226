//! What the documents promise, checked against the binary: `logmr levels`,
//! and GUIDE.md's level and exit-code tables.

use crate::util::*;

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

#[test]
fn no_help_holds_a_raw_tab_where_an_escape_is_meant() {
    for command in ["map", "reduce", "run", "top", "report", "templates"] {
        let help = stdout(&run(&[command, "--help"], b""));
        assert!(!help.is_empty(), "{command}");
        for line in help.lines().filter(|l| l.contains("such as")) {
            assert!(!line.contains('\t'), "{command} --help: {line:?}");
        }
    }
}

#[test]
fn a_mistyped_command_gets_a_suggestion() {
    let out = run(&["mapp"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("similar subcommand exists: 'map'"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_value_out_of_range_is_refused_in_the_words_of_the_help() {
    let cases = [
        (
            &["run", "--memory", "1K"][..],
            "at least 1M",
            "(at least 1M;",
        ),
        (&["map", "--field", "0"][..], "counted from 1", "(1-based"),
        (&["map", "--year", "24"][..], "four digits", "four digits"),
    ];
    for (args, error, help) in cases {
        let out = run(args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(error), "{args:?}: {}", stderr(&out));
        let usage = run(&[args[0], "--help"], b"");
        let text = stdout(&usage)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(text.contains(help), "{} --help: {help:?}", args[0]);
    }
    // Four digits that make a year are taken.
    let out = run(
        &["map", "--by", "level,hour", "--year", "2024"],
        b"Dec 10 14:33:21 host app: ERROR x\n",
    );
    assert_eq!(stdout(&out), "ERROR|2024-12-10T14\t1\n", "{}", stderr(&out));
}
