//! `logmr map --by`: the keys of the cases files (keys.cases, sources.cases).

use crate::util::*;

/// `logmr map --year 2019 ARGS` over each case's input lines.
#[test]
fn group_by_keys_table() {
    let mut read = 0;
    for file in ["keys.cases", "sources.cases"] {
        for case in cases(&case_file(file)) {
            let mut args = vec!["map", "--year", "2019"];
            args.extend(case.args.iter().map(String::as_str));
            let out = run(&args, case.input.as_bytes());
            assert!(out.status.success(), "{}: {}", case.at, stderr(&out));
            assert_eq!(stdout(&out), case.expected, "{}", case.at);
            read += 1;
        }
    }
    assert!(read > 20, "only {read} cases read");
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
