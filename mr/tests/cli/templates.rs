//! `logmr templates`, the learned step: equal after any split of the input,
//! equal to `logmr run`, and applied to single lines by `map --templates`.

use crate::util::*;

/// Lines of a few events whose variables are words (users) and numbers,
/// under two levels.
fn events(seed: u32, lines: u32) -> String {
    let users = ["alice", "bob", "carol", "dave", "erin", "frank"];
    (0..lines)
        .map(|i| {
            let n = (i * 7919 + seed) % 1000;
            let user = users[((i / 3) % 6) as usize];
            match n % 4 {
                0 => format!(
                    "2024-12-10 14:33:{:02} [INFO] session opened for user {user} by uid={n}\n",
                    n % 60
                ),
                1 => format!(
                    "2024-12-10 14:33:{:02} [WARN] disk sda{n} is {n}% full\n",
                    n % 60
                ),
                2 => format!(
                    "2024-12-10 14:33:{:02} [INFO] session closed for user {user}\n",
                    n % 60
                ),
                _ => format!(
                    "2024-12-10 14:33:{:02} [INFO] [-] request {n} served\n",
                    n % 60
                ),
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Map tasks over any split of the input, their tables concatenated in
    /// any order, then `logmr templates`: what `logmr run` prints.
    #[test]
    fn any_split_learns_what_run_learns(seed in 0u32..1000, lines in 1u32..400, cut in 0usize..400, swap in any::<bool>()) {
        let text = events(seed, lines);
        let cut = text[..cut.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
        let dir = TempDir::new("templates");
        let a = dir.write("a.log", &text.as_bytes()[..cut]);
        let b = dir.write("b.log", &text.as_bytes()[cut..]);
        let whole = run_cmd(logmr().args(["run", "--by", "level,template"]).args([&a, &b]), b"");
        prop_assert!(whole.status.success(), "{}", stderr(&whole));
        let mut tables = Vec::new();
        for file in [&a, &b] {
            let mapped = run_cmd(logmr().args(["map", "--by", "level,template"]).arg(file), b"");
            prop_assert!(mapped.status.success());
            tables.push(mapped.stdout);
        }
        if swap {
            tables.reverse();
        }
        let learned = run(&["templates", "--by", "level,template"], &tables.concat());
        prop_assert!(learned.status.success(), "{}", stderr(&learned));
        prop_assert_eq!(stdout(&learned), stdout(&whole));
    }
}

#[test]
fn learned_keys_hold_an_id_and_the_template() {
    let text = events(1, 400);
    let out = run(&["run", "--by", "level,template", "-"], text.as_bytes());
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    let opened: Vec<&str> = table
        .lines()
        .filter(|l| l.contains("session opened"))
        .collect();
    assert_eq!(opened.len(), 1, "{table}");
    let parts: Vec<&str> = opened[0].split(['|', '\t']).collect();
    assert_eq!(parts[0], "INFO");
    assert!(
        parts[1].len() == 12 && parts[1].bytes().all(|b| b.is_ascii_hexdigit()),
        "{opened:?}"
    );
    assert_eq!(parts[2], "session opened for user <VAR> by uid=<NUM>");
    assert_eq!(parts[3], "100");
    // The bracketed empty id does not split its event, and numbers are masks.
    assert_eq!(
        table.lines().filter(|l| l.contains("request")).count(),
        1,
        "{table}"
    );
    let total: u64 = table
        .lines()
        .map(|l| l.rsplit('\t').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(total, 400);
}

/// The per-line form: every line under the learned template that the table
/// gave its pre-template, so summing the lines gives the learned table.
#[test]
fn each_line_gets_its_learned_template() {
    let dir = TempDir::new("templates");
    let log = dir.write("app.log", events(3, 500).as_bytes());
    let learned = run_cmd(
        logmr().args(["run", "--by", "level,template"]).arg(&log),
        b"",
    );
    let table = dir.write("learned.tsv", &learned.stdout);
    let each = |input: &[&Path], stdin: &[u8]| {
        let mut cmd = logmr();
        cmd.args([
            "map",
            "--emit-each",
            "--by",
            "level,template",
            "--templates",
        ])
        .arg(&table)
        .args(input);
        run_cmd(&mut cmd, stdin)
    };
    let lines = each(&[&log], b"");
    assert!(lines.status.success(), "{}", stderr(&lines));
    assert_eq!(stdout(&lines).lines().count(), 500);
    let summed = run(&["reduce"], &lines.stdout);
    assert_eq!(stdout(&summed), stdout(&learned));
    // run --emit-each learns and applies in one command.
    let one = run_cmd(
        logmr()
            .args(["run", "--emit-each", "--by", "level,template"])
            .arg(&log),
        b"",
    );
    assert!(one.status.success(), "{}", stderr(&one));
    assert_eq!(one.stdout, lines.stdout);
    for (args, why) in [
        (
            &["run", "--emit-each", "--by", "level,template", "-"][..],
            "reads its inputs twice",
        ),
        (
            &["run", "--emit-each", "--by", "level", "x.log"][..],
            "give --by a template part",
        ),
    ] {
        let refused = run(args, b"");
        assert_eq!(refused.status.code(), Some(2), "{args:?}");
        assert!(stderr(&refused).contains(why), "{}", stderr(&refused));
    }
    // A line of an event the table never saw is its own template.
    let new = each(&[], b"[ERROR] fan 3 failed\n");
    assert!(stdout(&new).starts_with("ERROR|"), "{}", stdout(&new));
    assert!(
        stdout(&new).ends_with("|fan <NUM> failed\t1\n"),
        "{}",
        stdout(&new)
    );
}

#[test]
fn a_table_without_a_template_part_is_refused() {
    let out = run(&["templates", "--by", "level,hour"], b"INFO\t1\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no template part"),
        "{}",
        stderr(&out)
    );
    let out = run(&["templates", "--by", "level,template"], b"INFO\t1\n");
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("has 1 part(s)"), "{}", stderr(&out));
    let out = run(&["map", "--templates", "x.tsv"], b"");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let dir = TempDir::new("templates");
    let table = dir.write("t.tsv", b"INFO|abc|x\t1\n");
    let out = run_cmd(
        logmr()
            .args(["map", "--emit-each", "--by", "level", "--templates"])
            .arg(&table),
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("needs a template part"),
        "{}",
        stderr(&out)
    );
}

/// What is new: the templates of today's table whose ids yesterday's lacks,
/// with their counts; a table without ids is refused.
#[test]
fn report_shows_the_templates_new_since_an_earlier_table() {
    let dir = TempDir::new("templates");
    let old_log = events(5, 300);
    let new_log = format!("{old_log}[ERROR] fan 3 failed\n[ERROR] fan 4 failed\n");
    let yesterday = run(&["run", "--by", "level,template", "-"], old_log.as_bytes());
    let yesterday = dir.write("yesterday.tsv", &yesterday.stdout);
    let today = run(&["run", "--by", "level,template", "-"], new_log.as_bytes());
    let mut cmd = logmr();
    cmd.args(["report", "--new-since"]).arg(&yesterday);
    let report = run_cmd(&mut cmd, &today.stdout);
    assert!(report.status.success(), "{}", stderr(&report));
    let table = stdout(&report);
    assert_eq!(table.lines().count(), 2, "the row and the total: {table}");
    assert!(
        table.starts_with("ERROR|") && table.contains("|fan <NUM> failed"),
        "{table}"
    );
    assert!(table.contains(" 2 "), "{table}");
    assert!(
        stderr(&report).contains("1 of 5 template(s) are new since"),
        "{}",
        stderr(&report)
    );
    let levels = run(&["run", "-"], new_log.as_bytes());
    let refused = run_cmd(&mut cmd, &levels.stdout);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("holds no template id"),
        "{}",
        stderr(&refused)
    );
}

/// A table past a quarter of --memory is not learned from: each masked
/// template is its own, sorted through temporary files, and `run` and
/// `templates` agree; a warning says so.
#[test]
fn a_table_past_its_memory_keeps_each_masked_template() {
    let text: String = (0..40_000)
        .map(|i| format!("[INFO] user {} logged in\n", word(i)))
        .collect();
    let dir = TempDir::new("templates");
    let log = dir.write("app.log", text.as_bytes());
    let tmp = dir.join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let bounded = run_cmd(
        logmr()
            .args(["run", "--by", "level,template", "--memory", "1M"])
            .arg(&log)
            .env("TMPDIR", &tmp),
        b"",
    );
    assert!(bounded.status.success(), "{}", stderr(&bounded));
    assert!(
        stderr(&bounded).contains("not learned"),
        "{}",
        stderr(&bounded)
    );
    let table = stdout(&bounded);
    assert_eq!(table.lines().count(), 40_000);
    let keys: Vec<&str> = table
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert!(
        keys.windows(2).all(|w| w[0] < w[1]),
        "sorted, each key once"
    );
    assert!(
        keys.iter()
            .all(|k| k.starts_with("INFO|") && k.ends_with(" logged in"))
    );
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0);
    let mapped = run_cmd(
        logmr().args(["map", "--by", "level,template"]).arg(&log),
        b"",
    );
    let mut cmd = logmr();
    cmd.args(["templates", "--memory", "1M"])
        .env("TMPDIR", &tmp);
    let templates = run_cmd(&mut cmd, &mapped.stdout);
    assert_eq!(stdout(&templates), table);
    // With room, the users are learned: one template.
    let learned = run_cmd(
        logmr().args(["run", "--by", "level,template"]).arg(&log),
        b"",
    );
    assert!(
        stdout(&learned).lines().count() == 1,
        "{}",
        stdout(&learned)
    );
    assert!(stdout(&learned).contains("|user <VAR> logged in\t40000"));
}
