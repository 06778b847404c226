//! Memory with many distinct keys: `logmr reduce --sorted` on sorted input
//! (what Hadoop hands a reducer) beside plain `logmr reduce`, which holds
//! every key, and `logmr map --by template` on a file whose every line is
//! its own template, with its table bounded by `--memory` beside a bound
//! too large to reach, and `logmr run --by template`, which writes its
//! tables past `--memory` as sorted runs and merges them. Each row's output
//! is checked, not only measured.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::levelcount::Target;
use crate::measure::{Sample, Shell};
use crate::report::{Table, mib};

/// Settings of the memory rows.
#[derive(Clone, Debug)]
pub struct Config {
    pub logmr: PathBuf,
    pub work_dir: PathBuf,
    /// Distinct keys in each input.
    pub keys: u64,
    pub runs: usize,
}

pub const REDUCE_SORTED: &str = "logmr reduce --sorted";
pub const REDUCE: &str = "logmr reduce";
pub const MAP_BOUNDED: &str = "logmr map --by template";
pub const MAP_UNBOUNDED: &str = "logmr map --by template --memory 64G";
pub const RUN_BOUNDED: &str = "logmr run --by template --memory 64M";

/// One measured row.
#[derive(Clone, Debug)]
pub struct Row {
    pub name: &'static str,
    pub command: String,
    pub sample: Sample,
    /// What checking the output found.
    pub check: String,
    pub correct: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Results {
    pub keys: u64,
    pub rows: Vec<Row>,
}

impl Results {
    pub fn row(&self, name: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.name == name)
    }
}

fn quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', "'\\''"))
}

/// A lower-case word of six letters, a different one for each `i` below
/// 26^6: a variable no template masks, so each line is its own template.
fn word(mut i: u64) -> [u8; 6] {
    let mut w = [0u8; 6];
    for b in &mut w {
        *b = b'a' + (i % 26) as u8;
        i /= 26;
    }
    w
}

/// `KEY<TAB>1` for `keys` keys in byte order, and a log of `keys` lines,
/// each its own template.
fn inputs(work_dir: &Path, keys: u64) -> Result<(PathBuf, PathBuf), String> {
    std::fs::create_dir_all(work_dir).map_err(|e| format!("{}: {e}", work_dir.display()))?;
    let sorted = work_dir.join(format!("memory-sorted-keys-{keys}.txt"));
    let log = work_dir.join(format!("memory-distinct-lines-{keys}.log"));
    let write = |path: &Path, line: &dyn Fn(&mut dyn Write, u64) -> std::io::Result<()>| {
        let file = File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        (0..keys)
            .try_for_each(|i| line(&mut out, i))
            .and_then(|()| out.flush())
            .map_err(|e| format!("{}: {e}", path.display()))
    };
    write(&sorted, &|out, i| writeln!(out, "key-{i:012}\t1"))?;
    write(&log, &|out, i| {
        out.write_all(b"2024-12-10 14:33:21 INFO session ")?;
        out.write_all(&word(i))?;
        out.write_all(b" opened\n")
    })?;
    Ok((sorted, log))
}

/// `lines keys total` of `KEY<TAB>COUNT` text.
fn tally(text: &str) -> (u64, u64) {
    let mut lines = 0;
    let mut total = 0;
    for line in text.lines() {
        lines += 1;
        total += line
            .rsplit('\t')
            .next()
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0);
    }
    (lines, total)
}

/// Measures the memory rows.
pub fn measure(cfg: &Config, progress: impl Fn(&str)) -> Result<Results, String> {
    progress(&format!(
        "memory: writing inputs of {} distinct keys",
        cfg.keys
    ));
    let (sorted, log) = inputs(&cfg.work_dir, cfg.keys)?;
    let logmr = quote(&cfg.logmr);
    let out = cfg.work_dir.join("memory-map-output.txt");
    let mut results = Results {
        keys: cfg.keys,
        rows: Vec::new(),
    };
    for (name, args) in [(REDUCE_SORTED, "reduce --sorted"), (REDUCE, "reduce")] {
        progress(&format!("memory: {name}"));
        let command = format!("{logmr} {args} -q {}", quote(&sorted));
        let sample = Sample::take(Shell::Exec, &command, cfg.runs)?;
        // Every run of `--sorted` prints its output as it goes; the text
        // checked is the whole of the last run's.
        let (lines, total) = tally(sample.stdout());
        results.rows.push(Row {
            name,
            command: format!("logmr {args} KEYS"),
            correct: lines == cfg.keys && total == cfg.keys,
            check: format!("{lines} keys, total {total}"),
            sample,
        });
    }
    for (name, args) in [
        (MAP_BOUNDED, "map --by template"),
        (MAP_UNBOUNDED, "map --by template --memory 64G"),
    ] {
        progress(&format!("memory: {name}"));
        let command = format!("{logmr} {args} -q {} > {}", quote(&log), quote(&out));
        let sample = Sample::take(Shell::Exec, &command, cfg.runs)?;
        // Keys repeat where the table was written out: sorted and summed,
        // the output must give every line its own key, once.
        let check = crate::measure::run(
            Shell::Bash,
            &format!(
                "LC_ALL=C sort -S 25% {} | {logmr} reduce --sorted -q",
                quote(&out)
            ),
        )?;
        let (lines, total) = tally(&check.stdout);
        let written = std::fs::read(&out)
            .map_err(|e| format!("{}: {e}", out.display()))?
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        results.rows.push(Row {
            name,
            command: format!("logmr {args} LOG"),
            correct: lines == cfg.keys && total == cfg.keys,
            check: format!("{written} lines written; summed: {lines} keys, total {total}"),
            sample,
        });
    }
    progress(&format!("memory: {RUN_BOUNDED}"));
    let args = "run --by template --memory 64M";
    let command = format!("{logmr} {args} -q {}", quote(&log));
    let sample = Sample::take(Shell::Exec, &command, cfg.runs)?;
    // The runs are merged: every line's key once, already summed.
    let (lines, total) = tally(sample.stdout());
    results.rows.push(Row {
        name: RUN_BOUNDED,
        command: format!("logmr {args} LOG"),
        correct: lines == cfg.keys && total == cfg.keys,
        check: format!("{lines} keys, total {total}"),
        sample,
    });
    let _ = std::fs::remove_file(&out);
    Ok(results)
}

/// The memory goals of the bounded-memory issue.
pub fn targets(r: &Results) -> Vec<Target> {
    let goal = |name: &str, bound: u64| {
        r.row(name).map(|row| {
            let rss = row.sample.max_rss();
            (
                format!(
                    "{} MiB, output {}",
                    mib(rss),
                    if row.correct { "correct" } else { "WRONG" }
                ),
                rss < bound << 20 && row.correct,
            )
        })
    };
    vec![
        Target::new(
            &format!(
                "peak RSS of `logmr reduce --sorted`, {} distinct sorted keys",
                r.keys
            ),
            "< 16 MiB",
            goal(REDUCE_SORTED, 16),
        ),
        Target::new(
            &format!(
                "peak RSS of `logmr map --by template`, {} distinct lines",
                r.keys
            ),
            "< 128 MiB",
            goal(MAP_BOUNDED, 128),
        ),
        Target::new(
            &format!(
                "peak RSS of `logmr run --by template --memory 64M`, {} distinct lines",
                r.keys
            ),
            "< 128 MiB",
            goal(RUN_BOUNDED, 128),
        ),
    ]
}

pub fn table(r: &Results) -> Table {
    let mut t = Table::new(
        format!("Memory: {} distinct keys", r.keys),
        &["row", "command", "median s", "peak RSS MiB", "output"],
    );
    for row in &r.rows {
        t.rows.push(vec![
            row.name.replace('|', "\\|"),
            format!("`{}`", row.command),
            format!("{:.2}", row.sample.median_wall().as_secs_f64()),
            mib(row.sample.max_rss()),
            format!(
                "{} ({})",
                if row.correct { "correct" } else { "**wrong**" },
                row.check
            ),
        ]);
    }
    t.notes.push(
        "KEYS is `key-NNNNNNNNNNNN<TAB>1` in byte order, as Hadoop sorts a reducer's input; LOG \
         has one line per key, each its own template (a six-letter word no mask hides). \
         `logmr map --by template` bounds its key table at `--memory` (64 MiB by default) by \
         writing it out and starting again, so keys repeat; the output is checked by sorting it \
         and summing it with `logmr reduce --sorted`. `logmr run --by template` writes its tables \
         past `--memory` (shared by its threads) to temporary files as sorted runs and merges \
         them, so each key comes out once. The `--memory 64G` row and plain \
         `logmr reduce` hold every key: the cost the bounds save."
            .into(),
    );
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_differ_and_tallies_add_up() {
        let words: std::collections::HashSet<[u8; 6]> = (0..10_000).map(word).collect();
        assert_eq!(words.len(), 10_000);
        assert_eq!(tally("a\t2\nb\t3\n"), (2, 5));
    }
}
