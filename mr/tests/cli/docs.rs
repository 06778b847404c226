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
