//! The `logmr` commands, as library functions: options in, output written,
//! statistics or an [`Error`](crate::Error) out. The binary only parses
//! arguments into these options.

pub mod map;
pub mod reduce;
pub mod report;
pub mod run;
pub mod templates;
pub mod top;

use std::io::{self, Read, Write};
use std::path::PathBuf;

use bstr::BStr;

use crate::error::Result;
use crate::input::Input;
use crate::input::expand::Expansion;
use crate::linebuf::LineBuffer;
use crate::map::MapStats;
use crate::streaming::{Reporter, in_hadoop_task};
use crate::tasks::{self, Task};

/// How every command reads its inputs.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Files, directories and globs; none or `-` is standard input.
    pub inputs: Vec<PathBuf>,
    /// Hadoop counters and status lines on stderr, or none.
    pub reporter: Reporter,
    /// No terminal progress line.
    pub quiet: bool,
    /// Longest line kept whole; longer lines are read by their head.
    pub max_line: usize,
}

/// How many malformed lines are described one by one on stderr before only
/// the total is given.
pub const MAX_REPORTED_LINES: u64 = 10;

/// Writes a warning to stderr.
pub(crate) fn warn(args: std::fmt::Arguments<'_>) {
    let _ = writeln!(io::stderr().lock(), "logmr: warning: {args}");
}

/// A line shown in a message: escaped, and cut to a readable length.
pub(crate) fn excerpt(line: &[u8]) -> String {
    const MAX: usize = 120;
    if line.len() <= MAX {
        format!("{:?}", BStr::new(line))
    } else {
        format!("{:?}… ({} bytes)", BStr::new(&line[..MAX]), line.len())
    }
}

/// The tasks of a command's input arguments, one input expansion for every
/// command: `chunk` bytes per task of a plain file (`u64::MAX`: whole).
/// What the expansion passed over is said on stderr.
fn plan_tasks(args: &[PathBuf], chunk: u64, sniff_stdin: bool) -> Result<Vec<Task>> {
    let expansion = Expansion::of(args)?;
    for note in expansion.notes() {
        warn(format_args!("{note}"));
    }
    if expansion.inputs.is_empty() {
        warn(format_args!(
            "the inputs hold no files to read; the result is empty"
        ));
    }
    tasks::plan(expansion.inputs, chunk, sniff_stdin)
}

/// The tasks of log inputs (`map`, `run`): standard input too is
/// inflated or decoded when its first bytes say so, except in a Hadoop
/// task, whose standard input is text lines already.
pub(crate) fn plan(args: &[PathBuf], chunk: u64) -> Result<Vec<Task>> {
    plan_tasks(args, chunk, !in_hadoop_task())
}

/// The whole inputs of the commands that read counts (`reduce`, `top`,
/// `report`): files are inflated when gzip; standard input is read as it
/// is.
pub(crate) fn inputs(args: &[PathBuf]) -> Result<Vec<Task>> {
    plan_tasks(args, u64::MAX, false)
}

/// The total bytes of `tasks`, when every size is known.
pub(crate) fn total_size(tasks: &[Task]) -> Option<u64> {
    tasks.iter().map(Task::size).sum()
}

/// Maps one task with `map_one`, and warns of what its bytes showed (see
/// [`task_notes`]).
pub(crate) fn map_task(
    task: &Task,
    buf: &mut LineBuffer,
    map_one: impl FnOnce(&Input, &mut (dyn Read + Send), &mut LineBuffer) -> Result<MapStats>,
) -> Result<MapStats> {
    let mut rdr = task.open()?;
    buf.set_read_ahead(task.reads_ahead());
    let stats = map_one(&task.input, &mut rdr, buf)?;
    for note in task_notes(task, &stats) {
        warn(format_args!("{note}"));
    }
    Ok(stats)
}

/// What a user should hear about a task that was read: its input shrank
/// while it was read (a log rotated by copytruncate), or its first line
/// holds a carriage return inside (CR-only line ends).
fn task_notes(task: &Task, stats: &MapStats) -> Vec<String> {
    let input = &task.input;
    let mut notes = Vec::new();
    match task.expected_bytes() {
        Some(expected) if stats.bytes < expected => notes.push(format!(
            "{input} shrank while it was read: {} of the {expected} bytes planned were there \
             (a rotation by copytruncate?); the lines past the cut are not counted",
            stats.bytes
        )),
        _ => {}
    }
    if task.is_first() && stats.cr_inside_first_line {
        notes.push(format!(
            "{input}: the first line holds a carriage return before its end; lines end at LF \
             (or CRLF) here, so CR-only line ends (classic Mac OS) make one line of many, \
             where Hadoop's text input would split them; convert with tr '\\r' '\\n'"
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::level::Detector;
    use crate::map::Counter;

    #[test]
    fn a_file_that_shrinks_while_it_is_read_is_noticed() {
        let dir = std::env::temp_dir().join(format!("logmr-shrink-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("app.log");
        std::fs::write(&path, b"[INFO] a\n".repeat(100)).unwrap();
        let tasks = plan(std::slice::from_ref(&path), u64::MAX).unwrap();
        // copytruncate: the file is cut after it was planned.
        std::fs::write(&path, b"[INFO] a\n").unwrap();
        let detector = Detector::default();
        let mut counter = Counter::new(&detector, None);
        let mut buf = LineBuffer::default();
        let stats = map_task(&tasks[0], &mut buf, |input, rdr, buf| {
            counter.count(input, rdr, buf, |_, _| {}, None)
        })
        .unwrap();
        assert_eq!(stats.lines, 1);
        let notes = task_notes(&tasks[0], &stats);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].contains("shrank while it was read: 9 of the 900 bytes"),
            "{notes:?}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn cr_only_line_ends_are_noticed_and_crlf_is_not() {
        let task = Task {
            input: Input::Stdin,
            range: None,
            encoding: None,
        };
        let detector = Detector::default();
        for (bytes, noticed) in [
            (&b"[INFO] a\r[WARN] b\r"[..], true),
            (b"[INFO] a\r\n[WARN] b\r\n", false),
            (b"[INFO] a\n", false),
        ] {
            let mut counter = Counter::new(&detector, None);
            let mut rdr = bytes;
            let stats = counter
                .count(
                    &Input::Stdin,
                    &mut rdr,
                    &mut LineBuffer::default(),
                    |_, _| {},
                    None,
                )
                .unwrap();
            assert_eq!(
                task_notes(&task, &stats).len(),
                usize::from(noticed),
                "{bytes:?}"
            );
        }
    }
}
