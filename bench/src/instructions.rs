//! Instructions per line, counted by cachegrind: unlike times, they repeat
//! from run to run on a noisy machine, so they show what a change to a
//! kernel did. Each command runs once under `valgrind --tool=cachegrind
//! --cache-sim=no` on each corpus.

use std::path::Path;
use std::process::Command;

use crate::levelcount::CorpusFile;
use crate::machine::has;
use crate::report::Table;

/// The `logmr` arguments measured, before the file.
const COMMANDS: [&str; 2] = ["map", "map --by level,hour"];

/// One command on one corpus.
#[derive(Clone, Debug)]
pub struct Row {
    pub corpus: String,
    pub command: String,
    pub lines: u64,
    /// `None` when valgrind is not installed.
    pub instructions: Option<u64>,
}

impl Row {
    pub fn per_line(&self) -> Option<f64> {
        self.instructions
            .map(|i| i as f64 / self.lines.max(1) as f64)
    }
}

/// Counts the instructions of every command on every `(name, corpus)`.
pub fn measure(logmr: &Path, corpora: &[(&str, &CorpusFile)]) -> Result<Vec<Row>, String> {
    let valgrind = has("valgrind");
    let mut rows = Vec::new();
    for (name, corpus) in corpora {
        for command in COMMANDS {
            rows.push(Row {
                corpus: name.to_string(),
                command: format!("logmr {command} FILE"),
                lines: corpus.truth.lines,
                instructions: match valgrind {
                    true => Some(count(logmr, command, &corpus.path)?),
                    false => None,
                },
            });
        }
    }
    Ok(rows)
}

/// The instructions `logmr ARGS FILE` executes.
fn count(logmr: &Path, args: &str, file: &Path) -> Result<u64, String> {
    let out = Command::new("valgrind")
        .args([
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
        ])
        .arg(logmr)
        .args(args.split(' '))
        .arg(file)
        .output()
        .map_err(|e| format!("cannot run valgrind: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("logmr {args} under cachegrind failed: {stderr}"));
    }
    parse_refs(&stderr).ok_or_else(|| format!("no `I refs` in cachegrind's output: {stderr}"))
}

/// The count of cachegrind's `==1== I   refs:      1,689,104,315` line.
fn parse_refs(stderr: &str) -> Option<u64> {
    let line = stderr.lines().find(|l| l.contains("I   refs:"))?;
    line.rsplit(':')
        .next()?
        .trim()
        .replace(',', "")
        .parse()
        .ok()
}

pub fn table(rows: &[Row]) -> Table {
    let mut t = Table::new(
        "Instructions per line (cachegrind)",
        &["corpus", "command", "lines", "instructions per line"],
    );
    for row in rows {
        t.rows.push(vec![
            row.corpus.clone(),
            format!("`{}`", row.command),
            row.lines.to_string(),
            row.per_line()
                .map_or("not installed: `valgrind`".into(), |n| format!("{n:.0}")),
        ]);
    }
    t.notes.push(
        "One run of each under `valgrind --tool=cachegrind --cache-sim=no`, the process start \
         included; the counts before the changes they measure are in the notes below."
            .into(),
    );
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cachegrinds_summary() {
        let stderr = "==27829== Cachegrind, a high-precision tracing profiler\n==27829== \n\
                      ==27829== I   refs:      1,689,104,315\n";
        assert_eq!(parse_refs(stderr), Some(1_689_104_315));
        assert_eq!(parse_refs("==1== nothing\n"), None);
    }
}
